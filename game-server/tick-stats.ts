/**
 * Tick durations for /api/stats and the load-test report. Every tick is kept in a ring
 * of HISTORY ticks (half an hour at 30 Hz) by its number, so a reader can ask for the
 * ticks since the one it saw at the start of its own window: a load test's figures then
 * cover its run only, not the idle minutes before it.
 */
/** Ticks kept: 65,536 at 30 Hz is 36 minutes; 256 KB. */
const HISTORY = 1 << 16;
/** The window when no `since` is given (what /api/stats always reported). */
export const DEFAULT_WINDOW = 1024;

export class TickStats {
  private readonly samples: Float32Array;
  totalTicks = 0;

  constructor(history = HISTORY) {
    this.samples = new Float32Array(history);
  }

  record(ms: number): void {
    this.samples[this.totalTicks % this.samples.length] = ms;
    this.totalTicks++;
  }

  /** The first tick number percentiles over `since` cover (the ring may have dropped older ones). */
  firstKept(since: number): number {
    return Math.max(0, Math.floor(since), this.totalTicks - this.samples.length);
  }

  /**
   * p in [0, 1] over the ticks numbered `since` .. totalTicks - 1 (default: the last
   * DEFAULT_WINDOW); 0 when there are none.
   */
  percentile(p: number, since = this.totalTicks - DEFAULT_WINDOW): number {
    const from = this.firstKept(since);
    const n = this.totalTicks - from;
    if (n <= 0) return 0;
    const sorted = new Float32Array(n);
    for (let i = 0; i < n; i++) sorted[i] = this.samples[(from + i) % this.samples.length]!;
    sorted.sort();
    return sorted[Math.min(n - 1, Math.floor(p * n))]!;
  }
}
