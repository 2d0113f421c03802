import { describe, expect, it } from 'vitest';
import { Histogram } from '../../../game-client/bots/histogram.ts';
import { seededRandom } from '../../../game-client/bots/random.ts';

/** The exact percentile the histogram approximates: the value at rank ceil(p * n). */
function exact(sorted: number[], p: number): number {
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]!;
}

/**
 * Percentiles the hand-written log-bucket histogram this one replaced (64 buckets per
 * doubling, bucket middles) gave on these data sets, at PS: the report's figures must
 * not move when the implementation changes.
 */
const PS = [0.01, 0.25, 0.5, 0.9, 0.95, 0.99, 0.999];
const BEFORE: Record<string, { gen: (r: () => number) => number; percentiles: number[]; mean: number; max: number }> = {
  rtt: {
    gen: (r) => (r() < 0.95 ? 1 + r() * 19 : 20 + r() ** 3 * 3000),
    percentiles: [1.192989470974585, 6.0558577202398265, 10.98685304346599, 19.08783153559336, 20.36939619294481, 1746.4459881128414, 2843.2619594404573],
    mean: 51.90493308037706,
    max: 3003.9028956536204,
  },
  snapshotInterval: {
    gen: (r) => 33.33 + (r() - 0.5) * 8 + (r() < 0.01 ? 200 : 0),
    percentiles: [29.43746042775516, 31.413903315782782, 33.52304537122743, 36.55714019981179, 36.95522135667966, 230.4534108273075, 235.49968342204127],
    mean: 35.39191268054627,
    max: 237.29445497125386,
  },
  predictionError: {
    gen: (r) => (r() < 0.7 ? 0 : r() ** 2 * 40),
    percentiles: [0, 0, 0, 17.12855223952995, 27.58536778205073, 36.95522135667966, 39.43640972566784],
    mean: 3.8830796468407454,
    max: 39.975261379339415,
  },
};

describe('Histogram', () => {
  it('gives the same percentiles as the histogram it replaced, to that one\'s resolution (about 1 %)', () => {
    for (const [name, set] of Object.entries(BEFORE)) {
      const rnd = seededRandom(7);
      const h = new Histogram(0.01);
      for (let i = 0; i < 20_000; i++) h.record(set.gen(rnd));
      PS.forEach((p, i) => {
        const before = set.percentiles[i]!;
        const now = h.percentile(p);
        if (before === 0) expect(now, `${name} p${p * 100}`).toBe(0);
        else expect(Math.abs(now - before) / before, `${name} p${p * 100}: ${now} vs ${before}`).toBeLessThan(0.012);
      });
      expect(h.mean).toBeCloseTo(set.mean, 9);
      expect(h.max).toBe(set.max);
    }
  });


  it('percentiles are within the bucket resolution (about 1%) of the exact ones', () => {
    const rnd = seededRandom(42);
    const h = new Histogram(0.01);
    const values: number[] = [];
    for (let i = 0; i < 20_000; i++) {
      // A long-tailed distribution like RTTs: mostly 1..20 ms, some up to seconds.
      const v = rnd() < 0.95 ? 1 + rnd() * 19 : 20 + rnd() ** 3 * 3000;
      values.push(v);
      h.record(v);
    }
    values.sort((a, b) => a - b);
    for (const p of [0.01, 0.25, 0.5, 0.9, 0.95, 0.99, 0.999]) {
      const want = exact(values, p);
      expect(Math.abs(h.percentile(p) - want) / want).toBeLessThan(0.012);
    }
    expect(h.percentile(1)).toBe(values[values.length - 1]);
    expect(h.percentile(0)).toBe(values[0]);
    expect(h.mean).toBeCloseTo(values.reduce((a, b) => a + b, 0) / values.length, 6);
  });

  it('merging two histograms gives the histogram of all the samples', () => {
    const a = new Histogram(0.01);
    const b = new Histogram(0.01);
    const all = new Histogram(0.01);
    const rnd = seededRandom(1);
    for (let i = 0; i < 5000; i++) {
      const v = rnd() * 100;
      (i % 3 === 0 ? a : b).record(v);
      all.record(v);
    }
    // Through a structured clone, as between worker threads.
    const merged = Histogram.from(structuredClone(a.toData()));
    merged.add(structuredClone(b.toData()));
    expect(merged.count).toBe(5000);
    for (const p of [0.5, 0.95, 0.99]) expect(merged.percentile(p)).toBe(all.percentile(p));
    expect(merged.min).toBe(all.min);
    expect(merged.max).toBe(all.max);
  });

  it('values below the unit count as 0, so an exact prediction reports p50 = 0', () => {
    const h = new Histogram(0.01);
    for (let i = 0; i < 98; i++) h.record(0);
    h.record(3.2);
    h.record(0.004);
    expect(h.percentile(0.5)).toBe(0);
    expect(h.percentile(0.99)).toBe(0);
    expect(h.percentile(1)).toBeCloseTo(3.2, 6);
  });

  it('is empty-safe, ignores NaN and refuses to merge different units', () => {
    const h = new Histogram(0.01);
    expect(h.percentile(0.5)).toBeNaN();
    h.record(Number.NaN);
    expect(h.count).toBe(0);
    h.record(-5); // a clock step backwards
    expect(h.percentile(0.5)).toBe(0);
    expect(() => h.add(new Histogram(1).toData())).toThrow(/unit/);
  });
});
