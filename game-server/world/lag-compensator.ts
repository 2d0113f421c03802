/**
 * Where every living player stood at each recent tick, so a shot can be judged against
 * what its shooter saw: the shooter draws the others interpolated at viewTime, a little
 * in the past, and the server looks at the same moment instead of the present.
 *
 * One frame per tick, kept for the rewind limit (plus the two frames that bracket its
 * edge). The arena refuses shots older than the limit before asking for a rewind. Frames are reused, so recording allocates nothing after warm-up.
 */
import type { ShotTarget } from '../../protocol/index.ts';

interface Frame {
  time: number;
  count: number;
  ids: number[];
  xs: number[];
  ys: number[];
  /** id -> index, built only when a rewind needs this frame as the later end. */
  index: Map<number, number> | null;
}

/** A frame's players, in place (its position index is rebuilt when next needed). */
function fill(f: Frame, players: Iterable<{ id: number; x: number; y: number }>): void {
  f.index = null;
  let n = 0;
  for (const p of players) {
    f.ids[n] = p.id;
    f.xs[n] = p.x;
    f.ys[n] = p.y;
    n++;
  }
  f.count = n;
}

export class LagCompensator {
  private readonly frames: Frame[];
  private newest = -1;
  private size = 0;

  constructor(
    readonly maxRewindMs: number,
    tickMs: number,
  ) {
    const n = Math.ceil(maxRewindMs / tickMs) + 2;
    this.frames = Array.from({ length: n }, () => ({ time: 0, count: 0, ids: [], xs: [], ys: [], index: null }));
  }

  /** The positions after this tick's step, at the tick's time (ms). Call once per tick, times increasing. */
  record(time: number, players: Iterable<{ id: number; x: number; y: number }>): void {
    this.newest = (this.newest + 1) % this.frames.length;
    this.size = Math.min(this.size + 1, this.frames.length);
    const f = this.frames[this.newest]!;
    f.time = time;
    fill(f, players);
  }

  /**
   * Rewrite the newest frame's players (same time): who is alive changed after it was
   * recorded (a kill or a respawn later in the same tick). The frame must say what that
   * tick's snapshot says, or a shot rewound to just after it finds a player its shooter
   * was never shown (a victim of that tick) or misses one it was (a respawn).
   */
  amend(players: Iterable<{ id: number; x: number; y: number }>): void {
    if (this.size === 0) return;
    fill(this.frames[this.newest]!, players);
  }

  /** Time of the newest frame (NaN before any). */
  get now(): number {
    return this.size > 0 ? this.frames[this.newest]!.time : Number.NaN;
  }

  /** The time a shot seen at viewTime is judged at: clamped into [now - maxRewindMs, now]. */
  clampTime(viewTime: number): number {
    const now = this.now;
    return Math.min(now, Math.max(now - this.maxRewindMs, viewTime));
  }

  /**
   * Every player as it stood at `time` (clamped as clampTime does, and to the oldest
   * frame kept), linearly interpolated between the two frames around it, which is how
   * clients draw them. A player absent from the earlier of the two (dead, or not yet
   * joined) is left out. Writes into `out` (reusing its objects) and returns it.
   */
  rewind(time: number, out: ShotTarget[]): ShotTarget[] {
    let n = 0;
    if (this.size === 0) {
      out.length = 0;
      return out;
    }
    const t = this.clampTime(time);
    // Walk back from the newest frame to the first at or before t.
    let k = 0;
    let a = this.frame(0);
    while (a.time > t && k + 1 < this.size) a = this.frame(++k);
    const b = k > 0 ? this.frame(k - 1) : a;
    const span = b.time - a.time;
    const alpha = span > 0 ? Math.min(1, Math.max(0, (t - a.time) / span)) : 0;
    let index: Map<number, number> | null = null;
    if (b !== a && alpha > 0) {
      index = b.index;
      if (!index) {
        index = new Map();
        for (let i = 0; i < b.count; i++) index.set(b.ids[i]!, i);
        b.index = index;
      }
    }
    for (let i = 0; i < a.count; i++) {
      let x = a.xs[i]!;
      let y = a.ys[i]!;
      const j = index?.get(a.ids[i]!);
      if (j !== undefined) {
        x += (b.xs[j]! - x) * alpha;
        y += (b.ys[j]! - y) * alpha;
      }
      const o = out[n] ?? (out[n] = { id: 0, x: 0, y: 0 });
      o.id = a.ids[i]!;
      o.x = x;
      o.y = y;
      n++;
    }
    out.length = n;
    return out;
  }

  /** The k-th newest frame (0 = newest). */
  private frame(k: number): Frame {
    const len = this.frames.length;
    return this.frames[(this.newest - k + len) % len]!;
  }
}
