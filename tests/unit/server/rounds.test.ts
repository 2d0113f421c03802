/**
 * Rounds (issue 13): the timer on its own, and in a room: RoundState to everyone at each
 * phase, scores reset for the next round, and a player who resumes mid-round (or mid
 * scoreboard) gets the round's state as everyone else has it.
 */
import { describe, expect, it } from 'vitest';
import { RoundPhase, ServerKind, decodeServerMessage, type MatchStateMsg, type RoundStateMsg } from '../../../protocol/index.ts';
import { MemoryTransport } from '../../../game-server/net/memory-transport.ts';
import { Session } from '../../../game-server/net/session.ts';
import { interestView } from '../../../game-server/net/view-policy.ts';
import { Room, type Player } from '../../../game-server/room.ts';
import { INTERMISSION_MS, Rounds, roundLengthMs } from '../../../game-server/world/rounds.ts';
import { seededRandom } from '../../../protocol/random.ts';
import { loadMap } from './memory-game.ts';

describe('Rounds, the timer', () => {
  const scores = () => [
    { id: 2, score: 1 },
    { id: 1, score: 3 },
    { id: 3, score: 1 },
  ];
  it('starts on the first tick, ends after its length with the standings best first, restarts after the intermission', () => {
    const r = new Rounds(10_000);
    expect(r.message()).toBeNull();
    expect(r.tick(500, scores)).toBe('started');
    expect(r.message()).toMatchObject({ kind: ServerKind.RoundState, round: 1, phase: RoundPhase.Playing, endsAt: 10_500, lengthMs: 10_000, standings: [] });
    expect(r.playing).toBe(true);
    expect(r.tick(10_499, scores)).toBeNull();
    expect(r.tick(10_500, scores)).toBe('over');
    expect(r.playing).toBe(false);
    expect(r.message()).toMatchObject({ round: 1, phase: RoundPhase.Over, endsAt: 10_500 + INTERMISSION_MS });
    expect(r.message()!.standings).toEqual([
      { id: 1, score: 3 },
      { id: 2, score: 1 },
      { id: 3, score: 1 },
    ]);
    expect(r.tick(10_500 + INTERMISSION_MS - 1, scores)).toBeNull();
    expect(r.tick(10_500 + INTERMISSION_MS, scores)).toBe('started');
    expect(r.message()).toMatchObject({ round: 2, phase: RoundPhase.Playing, endsAt: 20_500 + INTERMISSION_MS, standings: [] });
  });

  it('a tick late by more than a phase still moves one phase at a time', () => {
    const r = new Rounds(1000, 500);
    r.tick(0, () => []);
    expect(r.tick(60_000, () => [])).toBe('over');
    expect(r.tick(60_001, () => [])).toBeNull();
    expect(r.tick(60_500, () => [])).toBe('started');
  });

  it('a Hello round length: 0 or absent is none, others are clamped to 10..3600 s', () => {
    expect(roundLengthMs(undefined)).toBe(0);
    expect(roundLengthMs(0)).toBe(0);
    expect(roundLengthMs(3)).toBe(10_000);
    expect(roundLengthMs(90)).toBe(90_000);
    expect(roundLengthMs(3600)).toBe(3_600_000);
  });
});

describe('rounds in a room', () => {
  function setup(lengthMs: number) {
    const room = new Room('RND1', false, loadMap('duel'), {
      tickRate: 30,
      snapshotRate: 30,
      capacity: 8,
      sendSoftLimitBytes: 1 << 20,
      slowConsumerTimeoutMs: 5000,
      view: interestView,
      random: seededRandom(1),
    });
    room.useRounds(lengthMs);
    let tick = 0;
    const connect = (id: number, p?: Player) => {
      const t = new MemoryTransport();
      const s = new Session<Player>(id, 'test', t, 0, 1000);
      if (p) room.resume(p, s);
      s.slot = p ?? room.join(id, `p${id}`, s);
      const of = <M>(kind: number): M[] => t.frames.map((f) => decodeServerMessage(f)).filter((m) => m.kind === kind) as M[];
      return { t, s, p: s.slot, rounds: () => of<RoundStateMsg>(ServerKind.RoundState), states: () => of<MatchStateMsg>(ServerKind.MatchState) };
    };
    const now = (): number => (tick * 1000) / 30;
    const until = (ms: number): void => {
      while (now() < ms) room.tick({ tick: tick++, time: now(), lateness: 0 });
    };
    return { room, connect, until, now };
  }

  it('everyone gets each phase; the next round starts with every score at 0', () => {
    const g = setup(10_000);
    const a = g.connect(1);
    const b = g.connect(2);
    g.until(100);
    expect(a.rounds().map((m) => [m.round, m.phase])).toEqual([[1, RoundPhase.Playing]]);
    a.p.combat.score = 2;
    g.until(10_100);
    const over = a.rounds().at(-1)!;
    expect([over.round, over.phase]).toEqual([1, RoundPhase.Over]);
    expect(over.standings).toEqual([
      { id: 1, score: 2 },
      { id: 2, score: 0 },
    ]);
    expect(b.rounds().at(-1)).toEqual(over);
    g.until(10_100 + INTERMISSION_MS);
    expect(a.rounds().at(-1)).toMatchObject({ round: 2, phase: RoundPhase.Playing, standings: [] });
    expect(a.p.combat.score).toBe(0);
    expect(a.states().at(-1)!.players.every((p) => p.score === 0)).toBe(true);
  });

  it('a player who rejoins mid-round gets the round as it is, and during the scoreboard the scoreboard', () => {
    const g = setup(10_000);
    const a = g.connect(1);
    const b = g.connect(2);
    g.until(4000);
    const playing = a.rounds().at(-1)!;
    // b's connection drops; it comes back on a new one later in the same round.
    g.room.detach(b.p);
    g.until(6000);
    const back = g.connect(2, b.p);
    // Right after its MatchState, before any tick: the same round, the same end.
    expect(back.t.frames.map((f) => decodeServerMessage(f).kind)).toEqual([ServerKind.Roster, ServerKind.MatchState, ServerKind.RoundState]);
    expect(back.rounds()).toEqual([playing]);
    // Dropped again across the round's end: it resumes into the scoreboard.
    g.room.detach(b.p);
    g.until(11_000);
    const again = g.connect(2, b.p);
    expect(again.rounds()).toEqual([a.rounds().at(-1)]);
    expect(again.rounds()[0]).toMatchObject({ round: 1, phase: RoundPhase.Over });
  });

  it('a room without rounds sends no RoundState', () => {
    const g = setup(0);
    const a = g.connect(1);
    g.until(2000);
    expect(a.rounds()).toEqual([]);
    expect(g.room.rounds).toBeNull();
  });
});
