/**
 * Estimates the server's clock from ping/pong samples.
 *
 * A sample assumes the pong's serverTime was read halfway through the round trip:
 * offset = serverTime + rtt/2 - now. That holds only on a symmetric path; queueing
 * delay is what makes paths asymmetric, and queueing is also what makes an RTT long.
 * So the estimate uses the lowest-RTT samples of a recent window, where the error
 * (at most half the asymmetry) is smallest.
 */

export interface ClockSyncOptions {
  /** Samples kept; old ones fall out so a drifting clock is followed. */
  maxSamples?: number;
  /** Fraction of the window (by lowest RTT) averaged for the offset. */
  bestFraction?: number;
  /** Weight of a new sample in the smoothed RTT (exponential moving average). */
  rttSmoothing?: number;
}

export class ClockSync {
  private readonly max: number;
  private readonly bestFraction: number;
  private readonly alpha: number;
  private readonly rtts: Float64Array;
  private readonly offsets: Float64Array;
  /** Scratch index list for sorting by RTT without allocating. */
  private readonly order: number[] = [];
  private count = 0;
  private next = 0;

  /** RTT of the most recent sample, ms (NaN before any). */
  rtt = Number.NaN;
  /** Exponentially smoothed RTT, ms (NaN before any). */
  smoothedRtt = Number.NaN;
  /** Mean absolute deviation of RTT from the smoothed RTT, ms: a jitter figure. */
  rttJitter = 0;
  /** serverTime - localTime, ms. */
  offset = 0;
  /** Whether offset comes from at least one pong (a hint alone does not count). */
  synced = false;

  constructor(opts: ClockSyncOptions = {}) {
    this.max = Math.max(1, opts.maxSamples ?? 16);
    this.bestFraction = Math.min(1, Math.max(0, opts.bestFraction ?? 0.25));
    this.alpha = opts.rttSmoothing ?? 0.125;
    this.rtts = new Float64Array(this.max);
    this.offsets = new Float64Array(this.max);
  }

  get sampleCount(): number {
    return this.count;
  }

  /**
   * A rough offset before the first pong, e.g. from the welcome's serverTime
   * (off by the one-way latency). Ignored once real samples exist.
   */
  hint(serverTime: number, now: number): void {
    if (!this.synced) this.offset = serverTime - now;
  }

  /** Record a pong: clientTime is what the ping carried, now is the local receive time. */
  addSample(clientTime: number, serverTime: number, now: number): void {
    const rtt = Math.max(0, now - clientTime);
    this.rtts[this.next] = rtt;
    this.offsets[this.next] = serverTime + rtt / 2 - now;
    this.next = (this.next + 1) % this.max;
    if (this.count < this.max) this.count++;

    this.rtt = rtt;
    if (Number.isNaN(this.smoothedRtt)) {
      this.smoothedRtt = rtt;
      this.rttJitter = 0;
    } else {
      this.rttJitter += (Math.abs(rtt - this.smoothedRtt) - this.rttJitter) * this.alpha;
      this.smoothedRtt += (rtt - this.smoothedRtt) * this.alpha;
    }
    this.offset = this.estimateOffset();
    this.synced = true;
  }

  /** The server's clock now, ms, on the same timebase as snapshot and pong serverTime. */
  serverNow(now: number): number {
    return now + this.offset;
  }

  /** Lowest RTT in the window, ms (NaN before any sample). */
  get minRtt(): number {
    let m = Number.NaN;
    for (let i = 0; i < this.count; i++) {
      const r = this.rtts[i]!;
      if (!(r >= m)) m = r;
    }
    return m;
  }

  private estimateOffset(): number {
    const order = this.order;
    order.length = this.count;
    for (let i = 0; i < this.count; i++) order[i] = i;
    const rtts = this.rtts;
    order.sort((a, b) => rtts[a]! - rtts[b]!);
    const n = Math.max(1, Math.round(this.count * this.bestFraction));
    let sum = 0;
    for (let i = 0; i < n; i++) sum += this.offsets[order[i]!]!;
    return sum / n;
  }
}
