export * from './constants.ts';
export * from './map.ts';
export * from './step.ts';
export * from './combat.ts';
