/**
 * Ghost error, the CLI's half: pairs every drawn position the workers shipped
 * (ghost-samples.ts) with where the server had that player at the same server time,
 * once the run is over and all the truth is in.
 *
 * Between two ticks the truth is interpolated linearly, which is how the server's
 * movement is defined between its fixed steps for everything that looks at the past
 * (its lag compensator rewinds the same way) and how a client should draw it. Where
 * that definition does not hold, a sample is not judged but counted as unmatched: a
 * render time outside the truth that was received, a gap of more than one tick in it
 * (the observed bot missed a snapshot), or a step longer than any movement can make in
 * a tick (a respawn: the player is drawn from its new spot only, never in between).
 */
import { DASH_SPEED } from '../../protocol/index.ts';
import { TRUTH_STRIDE, VIEW_STRIDE, type GhostSamples } from './ghost-samples.ts';
import { Histogram } from './histogram.ts';

export interface GhostFigures {
  /** Distance drawn -> true, px, over every judged sample. */
  all: Histogram;
  /** The same for each observer's nearest ten players. */
  nearest: Histogram;
  /** Samples that could not be judged (see the top of the file). */
  unmatched: number;
}

interface Track {
  t: number[];
  x: number[];
  y: number[];
}

export class GhostJudge {
  private readonly truth = new Map<number, Track>();
  private readonly views: Float64Array[] = [];
  private readonly maxGapMs: number;
  private readonly maxStepPx: number;

  constructor(tickMs: number) {
    // Half a tick of slack: server times are rounded to the ms, and a late tick runs late.
    this.maxGapMs = tickMs * 1.5;
    this.maxStepPx = (DASH_SPEED * tickMs * 1.5) / 1000;
  }

  add(s: GhostSamples): void {
    const tr = s.truth;
    for (let o = 0; o + TRUTH_STRIDE <= tr.length; o += TRUTH_STRIDE) {
      const id = tr[o]!;
      let track = this.truth.get(id);
      if (!track) this.truth.set(id, (track = { t: [], x: [], y: [] }));
      track.t.push(tr[o + 1]!);
      track.x.push(tr[o + 2]!);
      track.y.push(tr[o + 3]!);
    }
    if (s.views.length > 0) this.views.push(s.views);
  }

  finish(): GhostFigures {
    for (const track of this.truth.values()) sortTrack(track);
    const all = new Histogram(0.01);
    const nearest = new Histogram(0.01);
    let unmatched = 0;
    for (const v of this.views) {
      for (let o = 0; o + VIEW_STRIDE <= v.length; o += VIEW_STRIDE) {
        const err = this.error(v[o]!, v[o + 1]!, v[o + 2]!, v[o + 3]!);
        if (Number.isNaN(err)) {
          unmatched++;
          continue;
        }
        all.record(err);
        if (v[o + 4] === 1) nearest.record(err);
      }
    }
    return { all, nearest, unmatched };
  }

  /** Distance from (x, y) to where player `id` was at server time `t`; NaN if not known. */
  error(id: number, t: number, x: number, y: number): number {
    const track = this.truth.get(id);
    if (!track) return Number.NaN;
    const ts = track.t;
    // The last truth at or before t.
    let lo = 0;
    let hi = ts.length - 1;
    if (hi < 0 || t < ts[0]! || t > ts[hi]!) return Number.NaN;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (ts[mid]! <= t) lo = mid;
      else hi = mid - 1;
    }
    let tx = track.x[lo]!;
    let ty = track.y[lo]!;
    if (ts[lo]! < t) {
      const j = lo + 1;
      const span = ts[j]! - ts[lo]!;
      const dx = track.x[j]! - tx;
      const dy = track.y[j]! - ty;
      if (span > this.maxGapMs || dx * dx + dy * dy > this.maxStepPx * this.maxStepPx) return Number.NaN;
      const a = (t - ts[lo]!) / span;
      tx += dx * a;
      ty += dy * a;
    }
    return Math.hypot(x - tx, y - ty);
  }
}

/** In time order, one entry per time (the bots' snapshots of a player arrive in order; this is a guard). */
function sortTrack(track: Track): void {
  const n = track.t.length;
  let sorted = true;
  for (let i = 1; i < n && sorted; i++) if (!(track.t[i]! > track.t[i - 1]!)) sorted = false;
  if (sorted) return;
  const idx = Array.from({ length: n }, (_, i) => i).sort((a, b) => track.t[a]! - track.t[b]!);
  const t: number[] = [];
  const x: number[] = [];
  const y: number[] = [];
  for (const i of idx) {
    if (t.length > 0 && t[t.length - 1] === track.t[i]) continue;
    t.push(track.t[i]!);
    x.push(track.x[i]!);
    y.push(track.y[i]!);
  }
  track.t = t;
  track.x = x;
  track.y = y;
}
