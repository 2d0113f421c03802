/**
 * Per-player queue of inputs waiting for a tick. Each input is applied exactly once, in
 * sequence order, one per tick, so the server's state after input N depends only on
 * inputs 1..N: that is what lets the client predict its own player exactly.
 *
 * Jitter buffer: when the queue runs dry (the network delivered inputs late), it waits
 * until REFILL inputs are queued before resuming, so one late packet does not starve
 * every following tick. A queue that grows past CATCH_UP drains two per tick until it
 * is back, so latency added by a burst does not stay forever.
 *
 * Overflow drops the oldest inputs rather than closing the client: after an upload
 * stall TCP delivers the whole backlog at once, and a Wi-Fi hiccup must not cost a
 * player the game. The client reconciles to whatever the server acknowledges. Real
 * floods are stopped by the session's message rate limiter.
 */
import { ProtocolError, CloseCode, type InputMsg } from '../../protocol/index.ts';

const REFILL = 2;
const CATCH_UP = 4;

export class InputQueue {
  private items: InputMsg[] = [];
  private head = 0;
  private starved = true;
  /** Highest seq received (accepted into the queue). */
  lastReceivedSeq = 0;
  /** Inputs discarded because the queue overflowed. */
  dropped = 0;

  /** capacity: inputs that may wait at once; past it the client floods us. */
  constructor(private readonly capacity: number) {}

  get length(): number {
    return this.items.length - this.head;
  }

  /**
   * Forget every queued input and start the sequence over (the next input may be seq 1):
   * for a player whose connection dropped (frozen: nothing queued is applied) and then
   * resumed (the client restarts its input sequence on a new connection).
   */
  reset(): void {
    this.items = [];
    this.head = 0;
    this.starved = true;
    this.lastReceivedSeq = 0;
  }

  /** Throws ProtocolError for a sequence that does not increase. */
  push(input: InputMsg): void {
    if (input.seq <= this.lastReceivedSeq)
      throw new ProtocolError(CloseCode.Malformed, `input.seq ${input.seq} does not increase (last ${this.lastReceivedSeq})`);
    if (this.length >= this.capacity) {
      this.head++;
      this.dropped++;
    }
    this.lastReceivedSeq = input.seq;
    this.items.push(input);
  }

  /**
   * Inputs to apply this tick (0, 1 or 2), oldest first, written into out.
   * Returns how many were written.
   */
  take(out: InputMsg[]): number {
    const n = this.length;
    if (this.starved) {
      if (n < REFILL) return 0;
      this.starved = false;
    }
    if (n === 0) {
      this.starved = true;
      return 0;
    }
    const count = n > CATCH_UP ? 2 : 1;
    for (let i = 0; i < count; i++) out[i] = this.items[this.head++]!;
    // Compact now and then instead of shifting every tick.
    if (this.head > 64 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return count;
  }
}
