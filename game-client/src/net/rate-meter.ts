/**
 * Per-second rate of a running total (bytes, messages), over fixed windows so reading
 * it costs nothing and it allocates nothing. The figure is the last complete window's.
 */
export class RateMeter {
  private readonly windowMs: number;
  private windowStart = Number.NaN;
  private startTotal = 0;
  /** Units per second over the last complete window (0 until one completes). */
  rate = 0;

  constructor(windowMs = 1000) {
    this.windowMs = windowMs;
  }

  /** `total` is the running total at local time `now` (ms). */
  update(total: number, now: number): void {
    if (Number.isNaN(this.windowStart)) {
      this.windowStart = now;
      this.startTotal = total;
      return;
    }
    const elapsed = now - this.windowStart;
    if (elapsed < this.windowMs) return;
    this.rate = ((total - this.startTotal) * 1000) / elapsed;
    this.windowStart = now;
    this.startTotal = total;
  }
}
