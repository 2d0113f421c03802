/**
 * Seeded random numbers: every random choice a bot makes (targets, aim, latency jitter)
 * comes from one of these, so a run with the same --seed makes the same choices.
 */

export { seededRandom } from '../../protocol/random.ts';

/** A well-mixed seed for stream `index` of run seed `seed` (bot i, its socket, ...). */
export function deriveSeed(seed: number, index: number, stream = 0): number {
  let h = (seed ^ Math.imul(index + 1, 0x9e3779b1) ^ Math.imul(stream + 1, 0x85ebca77)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return (h ^ (h >>> 16)) >>> 0;
}
