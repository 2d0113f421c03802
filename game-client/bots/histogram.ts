/**
 * A log-bucket histogram: constant-time record, no allocation, and mergeable by adding
 * counts, so each worker thread keeps its own and the CLI sums them for run-wide
 * percentiles (a percentile of per-worker percentiles would be meaningless).
 *
 * Buckets grow geometrically: SUB_BUCKETS per doubling gives about 1.1 % relative
 * resolution; values below `unit` share bucket 0, reported as 0 (a prediction error
 * of 0.001 px is "exact" for a report). hdr-histogram-js does the same with a
 * WebAssembly build and three dependencies; this is all a load report needs.
 */

/** Buckets per doubling of the value: 2^(1/64) = 1.0109, ~1.1 % resolution. */
const SUB_BUCKETS = 64;
/** Doublings above `unit` that get their own buckets; larger values land in the last one. */
const OCTAVES = 40;
const BUCKETS = 1 + SUB_BUCKETS * OCTAVES;

/** What a histogram looks like on the wire between threads (structured clone). */
export interface HistogramData {
  unit: number;
  counts: Float64Array;
  count: number;
  sum: number;
  min: number;
  max: number;
}

export class Histogram {
  /** Smallest value told apart from 0 (the measure's resolution, e.g. 0.01 ms). */
  readonly unit: number;
  private readonly invUnit: number;
  /** Float64 so counts never wrap and the array transfers as one block. */
  counts: Float64Array;
  count = 0;
  sum = 0;
  min = Infinity;
  max = -Infinity;

  constructor(unit = 0.01) {
    if (!(unit > 0)) throw new Error(`histogram unit must be positive, got ${unit}`);
    this.unit = unit;
    this.invUnit = 1 / unit;
    this.counts = new Float64Array(BUCKETS);
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
    this.counts[bucketOf(value * this.invUnit)]!++;
    this.count++;
    this.sum += value;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
  }

  /** Add another histogram's counts (same unit) into this one. */
  add(other: HistogramData): void {
    if (other.unit !== this.unit) throw new Error(`cannot merge histograms of unit ${other.unit} and ${this.unit}`);
    if (other.count === 0) return;
    const a = this.counts;
    const b = other.counts;
    for (let i = 0; i < BUCKETS; i++) a[i]! += b[i]!;
    this.count += other.count;
    this.sum += other.sum;
    if (other.min < this.min) this.min = other.min;
    if (other.max > this.max) this.max = other.max;
  }

  reset(): void {
    this.counts.fill(0);
    this.count = 0;
    this.sum = 0;
    this.min = Infinity;
    this.max = -Infinity;
  }

  get mean(): number {
    return this.count === 0 ? Number.NaN : this.sum / this.count;
  }

  /**
   * The value below which a fraction p (0..1) of the samples lie: the geometric middle
   * of the bucket holding the rank, clamped to the exact min and max (which p = 0 and
   * p = 1 return). NaN when empty.
   */
  percentile(p: number): number {
    if (this.count === 0) return Number.NaN;
    if (p <= 0) return this.min;
    if (p >= 1) return this.max;
    const rank = Math.max(1, Math.ceil(Math.min(1, Math.max(0, p)) * this.count));
    let seen = 0;
    const c = this.counts;
    for (let i = 0; i < BUCKETS; i++) {
      seen += c[i]!;
      if (seen >= rank) {
        const v = i === 0 ? 0 : bucketMiddle(i) * this.unit;
        return Math.min(this.max, Math.max(this.min, v));
      }
    }
    return this.max;
  }

  /** A copy for postMessage (the counts are cloned, so this histogram may be reset). */
  toData(): HistogramData {
    return { unit: this.unit, counts: this.counts.slice(), count: this.count, sum: this.sum, min: this.min, max: this.max };
  }
}

/** Bucket of a value measured in units. */
function bucketOf(units: number): number {
  if (units < 1) return 0;
  const i = 1 + Math.floor(Math.log2(units) * SUB_BUCKETS);
  return i < BUCKETS ? i : BUCKETS - 1;
}

/** Geometric middle of bucket i (i >= 1), in units. */
function bucketMiddle(i: number): number {
  return Math.pow(2, (i - 1 + 0.5) / SUB_BUCKETS);
}
