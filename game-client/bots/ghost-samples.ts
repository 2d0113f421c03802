/**
 * Ghost error, the worker's half: what the server had and what the bots drew, as raw
 * samples shipped with each interval report, because neither half is in one thread: a
 * player's truth comes from the bot that is that player, its drawn positions from every
 * other bot, and the bots of a run are spread over workers. The CLI pairs them at the
 * end (ghost-judge.ts).
 *
 * Truth needs no server-side hook: every snapshot carries its receiver's own
 * authoritative state (`self`, exact to 1/8 px) with the server time of its tick, so
 * the bots of a run together know where each of them really was at every tick.
 *
 * "Drawn", for a headless bot: the browser's own Interpolator, sampled once per bot
 * update, which the swarm runs at the server's tick rate (30 frames/s at 30 Hz, the
 * render rate of a page that just keeps up with the snapshots). A sample is the render
 * time (server clock) and the position sampled there.
 */

/** One truth record: player id, server time (ms), x, y (px). */
export const TRUTH_STRIDE = 4;
/** One view record: observed player id, render time (server ms), x, y (px), 1 if among the observer's nearest ten. */
export const VIEW_STRIDE = 5;

export interface GhostSamples {
  truth: Float64Array;
  views: Float64Array;
}

/** A growable list of doubles, handed over whole and started again. */
class Doubles {
  private buf = new Float64Array(4096);
  length = 0;

  push4(a: number, b: number, c: number, d: number): void {
    this.room(4);
    const o = this.length;
    this.buf[o] = a;
    this.buf[o + 1] = b;
    this.buf[o + 2] = c;
    this.buf[o + 3] = d;
    this.length = o + 4;
  }

  push5(a: number, b: number, c: number, d: number, e: number): void {
    this.room(5);
    const o = this.length;
    this.buf[o] = a;
    this.buf[o + 1] = b;
    this.buf[o + 2] = c;
    this.buf[o + 3] = d;
    this.buf[o + 4] = e;
    this.length = o + 5;
  }

  take(): Float64Array {
    const out = this.buf.slice(0, this.length);
    this.length = 0;
    return out;
  }

  private room(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const next = new Float64Array(this.buf.length * 2);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }
}

/** Players per frame an observer reports at most (its nearest ones). */
export const VIEWS_PER_FRAME = 24;
/** The ghost error of each observer's nearest this many is reported apart. */
export const NEAREST = 10;

export class GhostRecorder {
  private readonly truth = new Doubles();
  private readonly views = new Doubles();
  // Scratch for picking an observer's nearest players, reused every frame.
  private readonly order: number[] = [];
  private readonly dist: number[] = [];

  /** A bot's own authoritative position at server time `serverTime` (its snapshot's self). */
  addTruth(id: number, serverTime: number, x: number, y: number): void {
    this.truth.push4(id, serverTime, x, y);
  }

  /**
   * One frame of one observer at (ox, oy): the others as drawn at `renderTime`. Its
   * nearest VIEWS_PER_FRAME are kept, the nearest NEAREST of them marked.
   */
  addFrame(renderTime: number, ox: number, oy: number, drawn: readonly Readonly<{ id: number; x: number; y: number }>[]): void {
    const n = drawn.length;
    const order = this.order;
    const dist = this.dist;
    order.length = n;
    dist.length = n;
    for (let i = 0; i < n; i++) {
      const p = drawn[i]!;
      order[i] = i;
      dist[i] = (p.x - ox) * (p.x - ox) + (p.y - oy) * (p.y - oy);
    }
    if (n > NEAREST) order.sort((a, b) => dist[a]! - dist[b]!);
    const keep = Math.min(n, VIEWS_PER_FRAME);
    for (let k = 0; k < keep; k++) {
      const p = drawn[order[k]!]!;
      this.views.push5(p.id, renderTime, p.x, p.y, k < NEAREST ? 1 : 0);
    }
  }

  /** Everything since the last take(), for an interval report. */
  take(): GhostSamples {
    return { truth: this.truth.take(), views: this.views.take() };
  }
}
