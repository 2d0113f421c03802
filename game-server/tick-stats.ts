/** Rolling window of tick durations, for /api/stats and the load-test report. */
export class TickStats {
  private readonly samples: Float64Array;
  private count = 0;
  private next = 0;
  totalTicks = 0;

  constructor(window = 1024) {
    this.samples = new Float64Array(window);
  }

  record(ms: number): void {
    this.samples[this.next] = ms;
    this.next = (this.next + 1) % this.samples.length;
    this.count = Math.min(this.count + 1, this.samples.length);
    this.totalTicks++;
  }

  /** p in [0, 1]; 0 when nothing is recorded yet. */
  percentile(p: number): number {
    if (this.count === 0) return 0;
    const sorted = Array.from(this.samples.subarray(0, this.count)).sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
  }
}
