/**
 * Fixed-point units of the wire. The authoritative state itself lives on this grid
 * (the sim snaps to it after every step), so what the server sends is exactly what it
 * simulates and a client predicting with the same sim reproduces it bit for bit.
 */

/** Positions travel as integers in 1/POS_SCALE px. */
export const POS_SCALE = 8;
/** Velocities travel as integers in 1/VEL_SCALE px per second. */
export const VEL_SCALE = 8;
/** Angles travel as one byte: ANGLE_STEPS steps per full turn. */
export const ANGLE_STEPS = 256;

export const quantizePos = (px: number): number => Math.round(px * POS_SCALE);
export const dequantizePos = (q: number): number => q / POS_SCALE;
export const quantizeVel = (pxPerS: number): number => Math.round(pxPerS * VEL_SCALE);
export const dequantizeVel = (q: number): number => q / VEL_SCALE;

/** Snap a px value onto the wire grid (what quantize then dequantize would give). */
export const snapPos = (px: number): number => Math.round(px * POS_SCALE) / POS_SCALE;
export const snapVel = (v: number): number => Math.round(v * VEL_SCALE) / VEL_SCALE;

/** Radians (any range) to a byte 0..255. */
export function quantizeAngle(rad: number): number {
  const turn = rad / (2 * Math.PI);
  const frac = turn - Math.floor(turn);
  return Math.round(frac * ANGLE_STEPS) % ANGLE_STEPS;
}

/** Byte 0..255 to radians in [0, 2π). */
export const dequantizeAngle = (q: number): number => (q / ANGLE_STEPS) * 2 * Math.PI;
