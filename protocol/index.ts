export * from './version.ts';
export * from './close-codes.ts';
export * from './messages.ts';
export * from './errors.ts';
export * from './codec.ts';
export * from './validate.ts';
export * from './quantize.ts';
export * from './sim/index.ts';
