/**
 * The scorecard's aggregators: shot agreement paired by input seq, and ghost error
 * against truth interpolated between ticks, with the samples a worker ships.
 */
import { describe, expect, it } from 'vitest';
import { GhostJudge } from '../../../game-client/bots/ghost-judge.ts';
import { GhostRecorder, NEAREST, VIEWS_PER_FRAME } from '../../../game-client/bots/ghost-samples.ts';
import { Measures } from '../../../game-client/bots/metrics.ts';
import { ShotJudge } from '../../../game-client/bots/shot-judge.ts';

const TICK = 1000 / 30;

describe('ShotJudge', () => {
  it('pairs each prediction with the verdict of the same seq and counts agreement, false misses, false hits and wrong targets', () => {
    const m = new Measures();
    const j = new ShotJudge(m);
    j.predicted(10, 7); // screen: hit 7
    j.verdict(10, 7, false); // server: hit 7 -> agree
    j.predicted(20, -1);
    j.verdict(20, -1, false); // both miss -> agree
    j.predicted(30, 7);
    j.verdict(30, -1, false); // false miss
    j.predicted(40, -1);
    j.verdict(40, 9, false); // false hit
    j.predicted(50, 7);
    j.verdict(50, 9, false); // wrong target
    const c = m.counters;
    expect(c).toMatchObject({ shotsJudged: 5, shotsAgree: 2, shotsFalseMiss: 1, shotsFalseHit: 1, shotsWrongTarget: 1 });
    expect(c.shotsBeyondRewind).toBe(0);
    expect(c.shotsUnanswered + c.shotsUnpredicted).toBe(0);
  });

  it('a refused shot is a miss on the server (a false miss when the screen showed a hit) and counted beyond the rewind', () => {
    const m = new Measures();
    const j = new ShotJudge(m);
    // The server names the target its beam would have crossed, but refused the shot.
    j.predicted(5, 3);
    j.verdict(5, 3, true);
    j.predicted(14, -1);
    j.verdict(14, -1, true);
    expect(m.counters).toMatchObject({ shotsJudged: 2, shotsAgree: 1, shotsFalseMiss: 1, shotsBeyondRewind: 2 });
  });

  it('a false miss at a target this client already knows is dead is counted apart, as well as a false miss', () => {
    const m = new Measures();
    const j = new ShotJudge(m);
    const dead = new Set([4]);
    const alive = (id: number): boolean => !dead.has(id);
    j.predicted(3, 4);
    j.verdict(3, -1, false, alive);
    j.predicted(12, 5);
    j.verdict(12, -1, false, alive);
    expect(m.counters).toMatchObject({ shotsJudged: 2, shotsFalseMiss: 2, shotsFalseMissDead: 1 });
  });

  it('predictions the server never answered and verdicts with no prediction are not judged', () => {
    const m = new Measures();
    const j = new ShotJudge(m);
    j.predicted(10, 1);
    j.predicted(19, 1); // the server did not fire this one (cooldown, death)
    j.predicted(28, -1);
    j.verdict(10, 1, false);
    j.verdict(20, 1, false); // no prediction of seq 20; 19 will never be answered
    j.verdict(28, -1, false);
    expect(m.counters).toMatchObject({ shotsJudged: 2, shotsAgree: 2, shotsUnanswered: 1, shotsUnpredicted: 1 });
  });

  it('counts into the measures the worker has now, also after an interval reset', () => {
    const m = new Measures();
    const j = new ShotJudge(m);
    j.predicted(1, -1);
    m.reset();
    j.verdict(1, -1, false);
    expect(m.counters.shotsAgree).toBe(1);
  });
});

/** Player `id` walking along x at `speed` px/s from x0, its truth at every tick from t0 for n ticks. */
function walk(rec: GhostRecorder, id: number, t0: number, n: number, x0: number, speed: number): void {
  for (let k = 0; k < n; k++) rec.addTruth(id, Math.round(t0 + k * TICK), x0 + (speed * k * TICK) / 1000, 100);
}

describe('GhostJudge', () => {
  it('is 0 where a player is drawn exactly where the truth interpolated between two ticks puts it', () => {
    const rec = new GhostRecorder();
    walk(rec, 1, 1000, 30, 0, 240);
    // Drawn a third of the way between ticks 3 and 4, where linear interpolation puts it.
    const t = Math.round(1000 + 3 * TICK) + (Math.round(1000 + 4 * TICK) - Math.round(1000 + 3 * TICK)) / 3;
    const x3 = (240 * 3 * TICK) / 1000;
    const x4 = (240 * 4 * TICK) / 1000;
    rec.addFrame(t, 0, 0, [{ id: 1, x: x3 + (x4 - x3) / 3, y: 100 }]);
    // 5 px behind where it really was then.
    rec.addFrame(t, 0, 0, [{ id: 1, x: x3 + (x4 - x3) / 3 - 5, y: 100 }]);
    const judge = new GhostJudge(TICK);
    judge.add(rec.take());
    const g = judge.finish();
    expect(g.all.count).toBe(2);
    expect(g.all.min).toBeCloseTo(0, 6);
    expect(g.all.max).toBeCloseTo(5, 6);
    expect(g.unmatched).toBe(0);
  });

  it('judges truth and views that arrive in separate intervals and from several workers', () => {
    const a = new GhostRecorder();
    const b = new GhostRecorder();
    walk(a, 1, 1000, 10, 0, 120);
    b.addFrame(Math.round(1000 + 5 * TICK), 0, 0, [{ id: 1, x: (120 * 5 * TICK) / 1000 + 3, y: 104 }]);
    const judge = new GhostJudge(TICK);
    judge.add(b.take()); // the view before its truth
    judge.add(a.take());
    walk(a, 1, 1000 + 10 * TICK, 10, (120 * 10 * TICK) / 1000, 120);
    judge.add(a.take());
    const g = judge.finish();
    expect(g.all.count).toBe(1);
    expect(g.all.max).toBeCloseTo(5, 6); // (3, 4) off
  });

  it('does not judge across a respawn, a gap in the truth, or outside it', () => {
    const rec = new GhostRecorder();
    walk(rec, 1, 1000, 5, 0, 0);
    // A respawn 800 px away at the next tick.
    rec.addTruth(1, Math.round(1000 + 5 * TICK), 800, 100);
    // Player 2: ticks 0..2, then nothing until tick 6 (missed snapshots).
    walk(rec, 2, 1000, 3, 0, 0);
    rec.addTruth(2, Math.round(1000 + 6 * TICK), 0, 100);
    const between = 1000 + 4.5 * TICK;
    rec.addFrame(between, 0, 0, [
      { id: 1, x: 0, y: 100 }, // across the respawn
      { id: 2, x: 0, y: 100 }, // in the gap
      { id: 3, x: 0, y: 100 }, // no truth at all
    ]);
    rec.addFrame(900, 0, 0, [{ id: 1, x: 0, y: 100 }]); // before the first truth
    const judge = new GhostJudge(TICK);
    judge.add(rec.take());
    const g = judge.finish();
    expect(g.all.count).toBe(0);
    expect(g.unmatched).toBe(4);
  });

  it("counts each observer's nearest ten apart, and keeps at most VIEWS_PER_FRAME players of a frame", () => {
    const rec = new GhostRecorder();
    const drawn = [];
    for (let id = 1; id <= 30; id++) {
      rec.addTruth(id, 1000, id * 10, 0);
      // The far ones are drawn 1 px off, the nearest ten exactly.
      drawn.push({ id, x: id * 10 + (id > NEAREST ? 1 : 0), y: 0 });
    }
    rec.addFrame(1000, 0, 0, drawn.reverse());
    const judge = new GhostJudge(TICK);
    judge.add(rec.take());
    const g = judge.finish();
    expect(g.all.count).toBe(VIEWS_PER_FRAME);
    expect(g.nearest.count).toBe(NEAREST);
    expect(g.nearest.max).toBe(0);
    expect(g.all.max).toBeCloseTo(1, 6);
  });
});
