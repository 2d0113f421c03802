export * from './connection.ts';
export * from './clock-sync.ts';
export * from './input-history.ts';
export * from './input-sender.ts';
export * from './reconciler.ts';
export * from './interpolator.ts';
export * from './rate-meter.ts';
export * from './client.ts';
