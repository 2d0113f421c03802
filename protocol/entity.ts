/**
 * The one shape of a player as a receiver knows it: from snapshots (SnapshotDecoder),
 * in the interpolation buffer, and drawn. Units are those of the receiver's own exact
 * state, so its own player and the others can be mixed: x, y in 1/POS_SCALE px; vx, vy
 * in 1/VEL_SCALE px per second; aim one byte (0..255, see quantize.ts). Code that works
 * in px (an interpolator's output) says so where it uses the type.
 */
export interface EntityState {
  id: number;
  x: number;
  y: number;
  vx: number;
  vy: number;
  aim: number;
}
