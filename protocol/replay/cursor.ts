/**
 * Moves through a replay: brings a sink (a test's world model, the viewer's game
 * client) to the state the room had at any tick, forwards or backwards. A seek starts
 * over from the latest keyframe at or before the target, unless the sink is already
 * between that keyframe and the target, and then applies the tick records up to it, so
 * no seek costs more than one keyframe and KEYFRAME_INTERVAL_S of deltas.
 */
import type { ServerMessage } from '../messages.ts';
import type { KeyframeRecord, Replay } from './reader.ts';
import { decodeFrame } from './reader.ts';

export interface ReplaySink {
  /** Everything known so far is void: the frames that follow start from a keyframe. */
  restart(keyframe: KeyframeRecord): void;
  /** One recorded server frame (and its decoded message), in the order the room sent it. */
  frame(bytes: Uint8Array, msg: ServerMessage, tick: number, serverTime: number): void;
}

export class ReplayCursor {
  /** The tick the sink's state is at: -1 before the first seek. */
  tick = -1;
  /** Index in replay.ticks of the next tick record to apply. */
  private next = 0;

  constructor(
    readonly replay: Replay,
    private readonly sink: ReplaySink,
  ) {}

  /**
   * The sink ends up with the state after the last record at or before `target`
   * (clamped to the replay's ticks). Throws ReplayError on a frame that does not decode.
   */
  seek(target: number): void {
    const r = this.replay;
    const t = Math.max(r.firstTick, Math.min(r.lastTick, Math.floor(target)));
    const k = this.keyframeAtOrBefore(t);
    if (this.tick < 0 || t < this.tick || k.tick > this.tick) this.restartAt(k);
    const ticks = r.ticks;
    while (this.next < ticks.length && ticks[this.next]!.tick <= t) {
      const rec = ticks[this.next++]!;
      for (const f of rec.frames) this.sink.frame(f, decodeFrame(f), rec.tick, rec.serverTime);
    }
    this.tick = t;
  }

  /** The latest keyframe at or before tick t (binary search; the first when none is). */
  keyframeAtOrBefore(t: number): KeyframeRecord {
    const ks = this.replay.keyframes;
    let lo = 0;
    let hi = ks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (ks[mid]!.tick <= t) lo = mid;
      else hi = mid - 1;
    }
    return ks[lo]!;
  }

  /** Index of the first tick record after tick t. */
  private firstAfter(t: number): number {
    const ts = this.replay.ticks;
    let lo = 0;
    let hi = ts.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (ts[mid]!.tick <= t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private restartAt(k: KeyframeRecord): void {
    const sink = this.sink;
    sink.restart(k);
    for (const f of [k.roster, k.matchState, k.snapshot]) sink.frame(f, decodeFrame(f), k.tick, k.serverTime);
    this.next = this.firstAfter(k.tick);
    this.tick = k.tick;
  }
}
