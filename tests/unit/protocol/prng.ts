import { seededRandom } from '../../../protocol/random.ts';

/** The project's seeded PRNG, so every randomized test replays the same cases. */
export const makeRng = seededRandom;

/** Integer in [lo, hi], inclusive. */
export const randInt = (rng: () => number, lo: number, hi: number): number =>
  lo + Math.floor(rng() * (hi - lo + 1));

export const pick = <T>(rng: () => number, items: readonly T[]): T => {
  if (items.length === 0) throw new Error('pick from an empty list');
  return items[Math.floor(rng() * items.length)] as T;
};
