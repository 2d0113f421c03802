/**
 * Per-player queue of inputs waiting for a tick. Each input is applied exactly once, in
 * sequence order, normally one per tick, so the server's state after input N depends
 * only on inputs 1..N: that is what lets the client predict its own player exactly.
 *
 * The buffer follows the network (input-timing.ts). Nothing is held back: an input is
 * applied on the first tick after it arrives, and how long it waits is set by the
 * client's send timing, which the server steers with InputTiming (slower while inputs
 * wait longer than this client's measured jitter needs, faster when they come late).
 * Surplus is dropped here by applying two inputs in one tick, each still its own step:
 * a backlog beyond what the target covers (a burst after a stall) at once, a steady
 * whole tick more than the target (a late input put the queue a tick behind) as the
 * timing shows it.
 * A tick with nothing to apply for a connected player is a starvation, counted.
 *
 * Overflow drops the oldest inputs rather than closing the client: after an upload
 * stall TCP delivers the whole backlog at once, and a Wi-Fi hiccup must not cost a
 * player the game. The client reconciles to whatever the server acknowledges. Real
 * floods are stopped by the session's message rate limiter.
 */
import { ProtocolError, CloseCode, type InputMsg } from '../../protocol/index.ts';
import { InputTiming } from './input-timing.ts';

/** Counters summed over every player of a server (/metrics, /api/stats): all monotonic. */
export interface InputTotals {
  /** Ticks of connected players whose input stream had started. */
  ticks: number;
  /** Of those, ticks with no input to apply. */
  starved: number;
  /**
   * Ticks with no input that ran more than a tick late (the server catching up after a
   * stall of its own: the inputs may be sitting unread in its sockets). Not in `starved`,
   * and they do not size the buffer: the network did not cause them.
   */
  starvedBehind: number;
  applied: number;
  /** Ticks on which two inputs were applied to drop a tick of surplus. */
  caughtUp: number;
  /** Sum over those ticks of the inputs still queued after the tick's take. */
  depthSum: number;
  /** Sum over applied inputs of how long each waited, arrival to its tick, ms. */
  waitMsSum: number;
}

export const newInputTotals = (): InputTotals => ({
  ticks: 0,
  starved: 0,
  starvedBehind: 0,
  applied: 0,
  caughtUp: 0,
  depthSum: 0,
  waitMsSum: 0,
});

export class InputQueue {
  private items: InputMsg[] = [];
  /** Arrival time of items[i], loop ms (NaN: unknown, not measured). */
  private arrivals: number[] = [];
  private head = 0;
  /** Time of the tick that found the queue empty, while the next input is awaited. */
  private lateSince = Number.NaN;
  /** The next input's slack was taken when it arrived (late): skip it when applied. */
  private lateMeasured = false;
  /** Highest seq received (accepted into the queue). */
  lastReceivedSeq = 0;
  /** Inputs discarded because the queue overflowed. */
  dropped = 0;
  /** Ticks this player had no input to apply while connected (since it joined). */
  starved = 0;
  readonly timing: InputTiming;

  /** capacity: inputs that may wait at once; past it the client floods us. stepMs: one tick. */
  constructor(
    private readonly capacity: number,
    stepMs = 1000 / 30,
  ) {
    this.timing = new InputTiming(stepMs);
  }

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
    this.arrivals = [];
    this.head = 0;
    this.lastReceivedSeq = 0;
    this.lateSince = Number.NaN;
    this.lateMeasured = false;
    this.timing.reset();
  }

  /** `now`: arrival, loop ms. Throws ProtocolError for a sequence that does not increase. */
  push(input: InputMsg, now = Number.NaN): void {
    if (input.seq <= this.lastReceivedSeq)
      throw new ProtocolError(CloseCode.Malformed, `input.seq ${input.seq} does not increase (last ${this.lastReceivedSeq})`);
    if (this.length >= this.capacity) {
      this.head++;
      this.dropped++;
    }
    if (this.length === 0 && !Number.isNaN(this.lateSince)) {
      // The tick it was due for has passed: its (negative) slack is how late it came.
      if (!Number.isNaN(now)) this.timing.sample(this.lateSince - now);
      this.lateMeasured = !Number.isNaN(now);
      this.lateSince = Number.NaN;
    }
    this.lastReceivedSeq = input.seq;
    this.items.push(input);
    this.arrivals.push(now);
  }

  /**
   * Inputs to apply this tick (0, 1 or 2), oldest first, written into out; returns how
   * many. `now`: the tick's actual time, loop ms. `live`: the player is connected (a
   * dry queue then counts as a starvation once its stream has started). `behind`: the
   * tick runs more than a tick late (see InputTotals.starvedBehind).
   */
  take(out: InputMsg[], now = Number.NaN, live = true, totals?: InputTotals, behind = false): number {
    const n = this.length;
    const streaming = live && this.lastReceivedSeq > 0;
    if (n === 0) {
      if (streaming && behind) {
        if (totals) {
          totals.ticks++;
          totals.starvedBehind++;
        }
      } else if (streaming) {
        this.starved++;
        if (Number.isNaN(this.lateSince)) this.lateSince = now;
        if (totals) {
          totals.ticks++;
          totals.starved++;
        }
      }
      return 0;
    }
    const timing = this.timing;
    let count = 1;
    // More waiting behind this one than the target covers is a backlog (a burst after a
    // stall, a clump after a delay spike, ticks already starved for them): drain it now.
    // A steady tick of surplus shows in the timing instead.
    if (n >= 2 && (timing.tickToSpare || n - 1 > Math.ceil(timing.targetMs / timing.stepMs))) {
      count = 2;
      timing.shifted(timing.stepMs);
    }
    let waited = 0;
    for (let i = 0; i < count; i++) {
      const at = this.arrivals[this.head]!;
      out[i] = this.items[this.head++]!;
      if (this.lateMeasured) this.lateMeasured = false;
      else if (!Number.isNaN(at) && !Number.isNaN(now)) timing.sample(now - at);
      if (!Number.isNaN(at) && !Number.isNaN(now)) waited += now - at;
    }
    if (totals && streaming) {
      totals.ticks++;
      totals.applied += count;
      if (count === 2) totals.caughtUp++;
      totals.depthSum += this.length;
      totals.waitMsSum += waited;
    }
    // Compact now and then instead of shifting every tick.
    if (this.head > 64 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.arrivals = this.arrivals.slice(this.head);
      this.head = 0;
    }
    return count;
  }
}
