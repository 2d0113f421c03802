/**
 * Latency (and error) distributions for the bots' report, kept in an HdrHistogram
 * (hdr-histogram-js): constant-time record, no allocation, and mergeable, so each
 * worker thread keeps its own and the CLI sums them for run-wide percentiles (a
 * percentile of per-worker percentiles would be meaningless).
 *
 * Values are recorded as integer multiples of `unit` (the measure's resolution, e.g.
 * 0.01 ms) with 3 significant digits (0.1 % relative error); values below the unit
 * count as 0, so a prediction error of 0.001 px is "exact" for a report. The exact
 * count, sum, min and max are kept beside it: the mean is exact, and p = 0 / p = 1
 * return the real extremes rather than a bucket's edge.
 */
import { build, decodeFromCompressedBase64, encodeIntoCompressedBase64, type Histogram as HdrHistogram } from 'hdr-histogram-js';

/** What a histogram looks like on the wire between threads (structured clone). */
export interface HistogramData {
  unit: number;
  /** HdrHistogram's compressed encoding of the counts ('' when empty). */
  counts: string;
  count: number;
  sum: number;
  min: number;
  max: number;
}

/** Float64 counts never wrap; 3 digits resolve 0.1 %, finer than any figure the report prints. */
const BUILD = { bitBucketSize: 64, numberOfSignificantValueDigits: 3, autoResize: true } as const;

export class Histogram {
  readonly unit: number;
  private readonly invUnit: number;
  private readonly counts: HdrHistogram;
  count = 0;
  sum = 0;
  min = Infinity;
  max = -Infinity;

  constructor(unit = 0.01) {
    if (!(unit > 0)) throw new Error(`histogram unit must be positive, got ${unit}`);
    this.unit = unit;
    this.invUnit = 1 / unit;
    this.counts = build(BUILD);
  }

  static from(data: HistogramData): Histogram {
    const h = new Histogram(data.unit);
    h.add(data);
    return h;
  }

  record(value: number): void {
    if (!(value >= 0)) {
      if (Number.isNaN(value)) return;
      value = 0; // negative durations come from clock steps; count them as 0
    }
    this.counts.recordValue(Math.floor(value * this.invUnit));
    this.count++;
    this.sum += value;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
  }

  /** Add another histogram's counts (same unit) into this one. */
  add(other: HistogramData): void {
    if (other.unit !== this.unit) throw new Error(`cannot merge histograms of unit ${other.unit} and ${this.unit}`);
    if (other.count === 0) return;
    this.counts.add(decodeFromCompressedBase64(other.counts, BUILD.bitBucketSize));
    this.count += other.count;
    this.sum += other.sum;
    if (other.min < this.min) this.min = other.min;
    if (other.max > this.max) this.max = other.max;
  }

  reset(): void {
    this.counts.reset();
    this.count = 0;
    this.sum = 0;
    this.min = Infinity;
    this.max = -Infinity;
  }

  get mean(): number {
    return this.count === 0 ? Number.NaN : this.sum / this.count;
  }

  /**
   * The value below which a fraction p (0..1) of the samples lie (the sample of rank
   * ceil(p * count), to the histogram's resolution), clamped to the exact min and max
   * (which p = 0 and p = 1 return). NaN when empty.
   */
  percentile(p: number): number {
    if (this.count === 0) return Number.NaN;
    if (p <= 0) return this.min;
    if (p >= 1) return this.max;
    const units = this.counts.getValueAtPercentile(p * 100);
    return Math.min(this.max, Math.max(this.min, units * this.unit));
  }

  /** A copy for postMessage (this histogram may be reset afterwards). */
  toData(): HistogramData {
    const counts = this.count === 0 ? '' : encodeIntoCompressedBase64(this.counts);
    return { unit: this.unit, counts, count: this.count, sum: this.sum, min: this.min, max: this.max };
  }
}
