/**
 * Samples the player's controls on a fixed-step accumulator at the server's tick rate:
 * one input per tick, seq 1, 2, 3, ... The server applies exactly one input per tick,
 * so producing them at that rate keeps its queue short and the client within the
 * rate limit however fast or slow frames come.
 *
 * The server steers the phase (InputTiming): it asks for an interval a few per mille
 * longer while inputs wait at the server longer than their jitter needs, shorter while
 * they come late, so the inputs land just before the ticks that apply them. Only when
 * inputs are produced moves; each is still one tick of the sim.
 */
import { Limits } from '../../../protocol/index.ts';
import { InputHistory } from './input-history.ts';

/** Most the interval is stretched or squeezed, per mille (the protocol's range for InputTiming.adjust). */
export const MAX_ADJUST = 50;

export interface InputSenderOptions {
  /**
   * After a stall (background tab, GC pause) at most this many inputs are produced at
   * once; older time is dropped. Sending less than the rate is always safe (the server
   * simply does not step the player), bursting far above it is not.
   */
  maxCatchUpTicks?: number;
  /** Unacknowledged inputs kept for replay. */
  historySize?: number;
}

/** Receives each input as it is produced; called synchronously from update(). */
export type InputSink = (seq: number, buttons: number, aim: number) => void;

export class InputSender {
  readonly tickRate: number;
  /** ms per tick. */
  readonly stepMs: number;
  readonly history: InputHistory;
  private readonly maxCatchUpMs: number;
  /** ms between inputs now: stepMs stretched or squeezed as the server asked. */
  private intervalMs: number;
  /** The server's latest ask, per mille (InputTiming.adjust). */
  adjustPerMille = 0;
  private accumulator = 0;
  private lastNow = Number.NaN;
  private seq = 0;
  /** Inputs produced so far. */
  produced = 0;
  /** ms of time dropped by the catch-up cap. */
  droppedMs = 0;

  constructor(tickRate: number, opts: InputSenderOptions = {}) {
    if (!(tickRate > 0)) throw new Error(`tick rate must be positive, got ${tickRate}`);
    this.tickRate = tickRate;
    this.stepMs = 1000 / tickRate;
    this.intervalMs = this.stepMs;
    const catchUp = opts.maxCatchUpTicks ?? Math.max(2, Math.ceil(tickRate / 5));
    this.maxCatchUpMs = catchUp * this.stepMs;
    this.history = new InputHistory(opts.historySize ?? Math.max(64, Math.ceil(tickRate * 4)));
  }

  get lastSeq(): number {
    return this.seq;
  }

  /** How far into the current tick the clock is, 0..1: blends predicted states for rendering. */
  get alpha(): number {
    return Math.min(1, this.accumulator / this.intervalMs);
  }

  /**
   * Produce inputs `perMille` per mille further apart (negative: closer) from now on,
   * as the server's InputTiming asks; clamped to ±MAX_ADJUST so a bad value cannot push
   * the client past the server's input rate limit.
   */
  adjust(perMille: number): void {
    const a = Number.isFinite(perMille) ? Math.max(-MAX_ADJUST, Math.min(MAX_ADJUST, perMille)) : 0;
    this.adjustPerMille = a;
    this.intervalMs = this.stepMs * (1 + a / 1000);
  }

  /** Begin the accumulator at `now`; the first input follows one tick later. */
  start(now: number): void {
    this.lastNow = now;
    this.accumulator = 0;
  }

  /**
   * Advance to `now`, producing one input per elapsed tick with the current controls.
   * Returns how many inputs were produced.
   */
  update(now: number, buttons: number, aim: number, sink: InputSink): number {
    if (Number.isNaN(this.lastNow)) this.start(now);
    const dt = now - this.lastNow;
    this.lastNow = now;
    if (dt > 0) this.accumulator += dt;
    if (this.accumulator > this.maxCatchUpMs) {
      this.droppedMs += this.accumulator - this.maxCatchUpMs;
      this.accumulator = this.maxCatchUpMs;
    }
    let n = 0;
    while (this.accumulator >= this.intervalMs) {
      this.accumulator -= this.intervalMs;
      // 2^32-1 inputs is over four years at 30 Hz; a session never gets there.
      if (this.seq >= Limits.MAX_SEQ) break;
      const seq = ++this.seq;
      this.history.record(seq, buttons, aim);
      this.produced++;
      n++;
      sink(seq, buttons, aim);
    }
    return n;
  }
}
