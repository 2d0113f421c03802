/**
 * What a client has really received, from the snapshot tick it reports in its inputs
 * (Input.ackTick). A socket's user-space buffer says nothing about the kernel's: on
 * loopback the kernel took about 3.9 MB for one stalled reader before uWS reported a
 * byte buffered, and on a slow link the same bytes sit in the network's queues. Either
 * way, snapshots pile up behind each other and everything the player sees is late.
 *
 * The client's report shows it directly: a healthy client acknowledges each snapshot
 * about one round trip after it left (plus up to an input interval). Snapshots still
 * unacknowledged well past that are queued somewhere; how far past is `excessMs`, which
 * the budget uses to send less (net/budget.ts) and, past a limit, nothing at all until
 * the client catches up.
 */

/** Snapshots remembered in flight (about 4 s at 30 Hz); an older unacknowledged one counts as lost in a queue. */
const RING = 128;
/**
 * How fast the round-trip floor follows samples above it, per sample: a route that got
 * slower for good is learned in a second or two (30 samples a second), while one late
 * sample barely moves it.
 */
const FLOOR_RISE = 0.03;

export class ReceivedFeedback {
  private readonly ticks = new Int32Array(RING);
  private readonly sentAt = new Float64Array(RING);
  /** Snapshots recorded so far (the serial of the next). */
  private sentCount = 0;
  /** Serial of the newest snapshot the client said it has; -1 before any. */
  private ackSerial = -1;
  /** Lowest recent send-to-acknowledgement time, ms: what the client's round trip explains. */
  rttFloorMs = Number.POSITIVE_INFINITY;
  /** Reports that matched no snapshot in flight (stale, repeated or made up): ignored. */
  ignored = 0;

  /** True once the client has reported a tick: clients that never do are paced by the socket alone. */
  get active(): boolean {
    return this.ackSerial >= 0;
  }

  /** Snapshot of `tick` left for the client at `now` (ms). */
  sent(tick: number, now: number): void {
    const i = this.sentCount % RING;
    this.ticks[i] = tick;
    this.sentAt[i] = now;
    this.sentCount++;
  }

  /**
   * The client reports it has the snapshot of `tick`. Anything but a tick in flight, newer
   * than its last report, is ignored: a hostile or confused client cannot make the server
   * believe it is further along than what was sent.
   */
  acked(tick: number, now: number): void {
    const oldest = Math.max(this.ackSerial + 1, this.sentCount - RING);
    for (let s = this.sentCount - 1; s >= oldest; s--) {
      if (this.ticks[s % RING] !== tick) continue;
      this.ackSerial = s;
      const sample = now - this.sentAt[s % RING]!;
      const floor = this.rttFloorMs;
      this.rttFloorMs = sample < floor || floor === Number.POSITIVE_INFINITY ? sample : floor + (sample - floor) * FLOOR_RISE;
      return;
    }
    this.ignored++;
  }

  /** Snapshots sent and not yet acknowledged. */
  get inFlight(): number {
    return this.active ? this.sentCount - 1 - this.ackSerial : 0;
  }

  /**
   * How much longer than its round trip explains the oldest unacknowledged snapshot has
   * been out, ms (0 when all are acknowledged or the client never reports).
   */
  excessMs(now: number): number {
    if (!this.active || this.ackSerial >= this.sentCount - 1) return 0;
    const oldest = this.ackSerial + 1;
    if (oldest < this.sentCount - RING) return Number.POSITIVE_INFINITY;
    return Math.max(0, now - this.sentAt[oldest % RING]! - this.rttFloorMs);
  }
}
