/**
 * What a room sends, and in which order: joins and leaves ride the tick-ordered feed
 * (PlayerJoined/PlayerLeft, then Events, then the Snapshot of that tick), each player's
 * view is worked out once per tick for both, and the view policy is the room's choice.
 */
import { describe, expect, it } from 'vitest';
import {
  NO_BASELINE,
  ServerKind,
  decodeServerMessage,
  encodeServerMessage,
  type ViewRect,
} from '../../../protocol/index.ts';
import { MemoryTransport } from '../../../game-server/net/memory-transport.ts';
import { Session } from '../../../game-server/net/session.ts';
import { fullStateView, interestView, type ViewPolicyFactory } from '../../../game-server/net/view-policy.ts';
import { Room, type Player, type RoomOptions } from '../../../game-server/room.ts';
import { seededRandom } from '../../../protocol/random.ts';
import { loadMap } from './memory-game.ts';

function makeRoom(opts: Partial<RoomOptions> = {}, mapId = 'duel') {
  const room = new Room('TEST', true, loadMap(mapId), {
    tickRate: 30,
    snapshotRate: 30,
    capacity: 16,
    sendSoftLimitBytes: 1 << 20,
    slowConsumerTimeoutMs: 5000,
    view: interestView,
    random: seededRandom(1),
    ...opts,
  });
  let tick = 0;
  const join = (id: number, name: string) => {
    const t = new MemoryTransport();
    const s = new Session<Player>(id, 'test', t, 0, 1000);
    const p = room.join(id, name, s);
    s.slot = p;
    /** Kinds of frames received since the last call. */
    let read = 0;
    const fresh = (): number[] => {
      const kinds = t.frames.slice(read).map((f) => decodeServerMessage(f).kind);
      read = t.frames.length;
      return kinds;
    };
    return { t, s, p, fresh };
  };
  const step = (n = 1): void => {
    for (let i = 0; i < n; i++, tick++) room.tick({ tick, time: (tick * 1000) / 30, lateness: 0 });
  };
  return { room, join, step };
}

describe('joins and leaves go through the tick-ordered feed', () => {
  it('a newcomer is announced with the next tick, before its events and snapshot, in the same bytes as ever', () => {
    const r = makeRoom();
    const a = r.join(1, 'alice');
    r.step();
    a.fresh();
    const b = r.join(2, 'bob');
    // Nothing for alice until the tick: membership is tick-ordered.
    expect(a.fresh()).toEqual([]);
    // bob has what he needs to read the tick: the roster (himself included) and standings.
    expect(b.fresh()).toEqual([ServerKind.Roster, ServerKind.MatchState]);
    r.room.chat(b.p, 'hi');
    r.step();
    expect(a.fresh()).toEqual([ServerKind.PlayerJoined, ServerKind.Events, ServerKind.Snapshot]);
    const joined = a.t.frames.find((f) => f[1] === ServerKind.PlayerJoined)!;
    expect([...joined]).toEqual([...encodeServerMessage({ kind: ServerKind.PlayerJoined, id: 2, name: 'bob' })]);
    // bob is not told of his own arrival.
    expect(b.fresh()).toEqual([ServerKind.Events, ServerKind.Snapshot]);
  });

  it('a leave is announced with the next tick, before the snapshot without the player', () => {
    const r = makeRoom();
    const a = r.join(1, 'alice');
    const b = r.join(2, 'bob');
    r.step();
    a.fresh();
    r.room.leave(b.p);
    expect(a.fresh()).toEqual([]);
    r.step();
    expect(a.fresh()).toEqual([ServerKind.PlayerLeft, ServerKind.Snapshot]);
    expect(decodeServerMessage(a.t.frames.at(-2)!)).toEqual({ kind: ServerKind.PlayerLeft, id: 2 });
  });

  it('changes between two ticks arrive in the order they happened; a later newcomer hears only what its roster lacks', () => {
    const r = makeRoom();
    const a = r.join(1, 'alice');
    r.step();
    a.fresh();
    const c = r.join(3, 'carol');
    r.room.leave(c.p);
    const d = r.join(4, 'dave');
    // dave's roster already has neither carol nor her leaving.
    expect(decodeServerMessage(d.t.frames[0]!)).toMatchObject({ players: [{ id: 1 }, { id: 4 }] });
    r.step();
    const got = a.t.frames.slice(-4).map((f) => decodeServerMessage(f));
    expect(got.map((m) => m.kind)).toEqual([ServerKind.PlayerJoined, ServerKind.PlayerLeft, ServerKind.PlayerJoined, ServerKind.Snapshot]);
    expect(got.slice(0, 3)).toMatchObject([{ id: 3 }, { id: 3 }, { id: 4 }]);
    expect(d.fresh()).toEqual([ServerKind.Roster, ServerKind.MatchState, ServerKind.Snapshot]);
  });

  it('announcements still go out on ticks without a snapshot', () => {
    const r = makeRoom({ snapshotRate: 10 });
    const a = r.join(1, 'alice');
    r.step(3);
    a.fresh();
    r.join(2, 'bob');
    // Tick 3 of 30 Hz at 10 snapshots/s carries no snapshot (they fall on ticks 2, 5, 8).
    r.step();
    expect(a.fresh()).toEqual([ServerKind.PlayerJoined]);
  });

  it('a resumed player gets a fresh roster and no stale announcement', () => {
    const r = makeRoom();
    const a = r.join(1, 'alice');
    r.step();
    // alice's connection drops and she comes back on a new one before bob's join is flushed.
    a.s.close(1006, 'gone');
    r.room.detach(a.p);
    r.join(2, 'bob');
    const t2 = new MemoryTransport();
    const s2 = new Session<Player>(9, 'test', t2, 0, 1000);
    r.room.resume(a.p, s2);
    r.step();
    const kinds = t2.frames.map((f) => decodeServerMessage(f).kind);
    expect(kinds).toEqual([ServerKind.Roster, ServerKind.MatchState, ServerKind.Snapshot]);
    // And the snapshot starts over from full blocks on the new connection.
    expect(decodeServerMessage(t2.frames.at(-1)!)).toMatchObject({ baseTick: NO_BASELINE });
  });
});

describe('views', () => {
  function counting(inner: ViewPolicyFactory) {
    const calls: number[] = [];
    const factory: ViewPolicyFactory = (grid) => {
      const p = inner(grid);
      return {
        view: (x, y, w, h, out) => {
          calls.push(x);
          return p.view(x, y, w, h, out);
        },
        baseline: p.baseline,
        budgeted: p.budgeted,
      };
    };
    return { factory, calls };
  }

  it("each connected player's view is worked out once per tick, for its events and its snapshot alike", () => {
    const { factory, calls } = counting(interestView);
    const r = makeRoom({ view: factory });
    const a = r.join(1, 'a');
    const b = r.join(2, 'b');
    const kept = r.join(3, 'kept');
    kept.s.close(1006, 'dropped');
    r.step();
    calls.length = 0;
    for (let i = 0; i < 10; i++) {
      // An event every tick: both the feed and the snapshot need the views.
      r.room.chat(a.p, `line ${i}`);
      r.step();
    }
    expect(calls).toHaveLength(2 * 10);
    expect(a.fresh().filter((k) => k === ServerKind.Events)).toHaveLength(10);
    expect(b.fresh().filter((k) => k === ServerKind.Snapshot)).toHaveLength(11);
  });

  it('no view is worked out on a tick with neither events nor a snapshot', () => {
    const { factory, calls } = counting(interestView);
    const r = makeRoom({ view: factory, snapshotRate: 10 });
    r.join(1, 'a');
    r.step(3);
    calls.length = 0;
    r.step(1); // tick 3: no snapshot due, nothing happened
    expect(calls).toEqual([]);
  });

  it('the interest policy sees the cells around the player and deltas; the full-state policy sends the whole map whole', () => {
    const interest = makeRoom({}, 'arena');
    const i1 = interest.join(1, 'a');
    const full = makeRoom({ view: fullStateView }, 'arena');
    const f1 = full.join(1, 'a');
    interest.step(3);
    full.step(3);
    const last = (t: MemoryTransport) => decodeServerMessage(t.frames.at(-1)!) as { baseTick: number; view: ViewRect };
    const iv = last(i1.t);
    const fv = last(f1.t);
    expect(iv.baseTick).toBe(1);
    expect(fv.baseTick).toBe(NO_BASELINE);
    expect(fv.view).toMatchObject({ cx0: 0, cy0: 0 });
    expect(fv.view.cx1 - fv.view.cx0).toBeGreaterThan(iv.view.cx1 - iv.view.cx0);
  });
});

describe('one write per client per tick', () => {
  it("a client's frames of one tick (joins, events, snapshot) leave in one corked write, in order", () => {
    const r = makeRoom();
    const a = r.join(1, 'alice');
    const b = r.join(2, 'bob');
    r.step();
    a.fresh();
    b.fresh();
    const writesA = a.t.writes;
    const writesB = b.t.writes;
    const framesA = a.t.frames.length;
    const framesB = b.t.frames.length;
    r.join(3, 'carol');
    r.room.chat(a.p, 'hello');
    // Only bob hears of this one: alice's and bob's Events frames differ.
    r.room.chatRefused(b.p);
    r.step();
    expect(a.fresh()).toEqual([ServerKind.PlayerJoined, ServerKind.Events, ServerKind.Snapshot]);
    expect(b.fresh()).toEqual([ServerKind.PlayerJoined, ServerKind.Events, ServerKind.Snapshot]);
    expect(a.t.writes - writesA).toBe(1);
    expect(b.t.writes - writesB).toBe(1);
    expect(a.t.writeOf.slice(framesA)).toEqual([writesA, writesA, writesA]);
    expect(b.t.writeOf.slice(framesB)).toEqual([writesB, writesB, writesB]);
    const eventsOf = (frames: Uint8Array[], from: number) =>
      frames.slice(from).map((f) => decodeServerMessage(f)).find((m) => m.kind === ServerKind.Events);
    expect(JSON.stringify(eventsOf(b.t.frames, framesB))).toContain('too fast');
    expect(JSON.stringify(eventsOf(a.t.frames, framesA))).not.toContain('too fast');
  });

  it('over many ticks, with and without snapshots, each client gets at most one write a tick: one exactly when it was sent anything', () => {
    const r = makeRoom({ snapshotRate: 10 });
    const players = [r.join(1, 'a'), r.join(2, 'b'), r.join(3, 'c')];
    r.step();
    for (let t = 0; t < 60; t++) {
      const before = players.map((p) => [p.t.writes, p.t.frames.length] as const);
      if (t % 7 === 3) r.room.chat(players[t % 3]!.p, `line ${t}`);
      if (t === 20) r.join(4, 'd');
      r.step();
      players.forEach((p, k) => {
        const [w, f] = before[k]!;
        const sent = p.t.frames.length - f;
        expect(p.t.writes - w, `tick ${t}, player ${k}`).toBe(sent > 0 ? 1 : 0);
      });
    }
    // The run had ticks with events alone, snapshots alone and both.
    expect(players[0]!.t.frames.length).toBeGreaterThan(20);
  });

  it('the memory transport counts a send outside a cork as its own write, and a cork with nothing sent as none', () => {
    const t = new MemoryTransport();
    t.send(Uint8Array.of(1));
    t.send(Uint8Array.of(2));
    t.cork(() => {});
    t.cork(() => {
      t.send(Uint8Array.of(3));
      t.cork(() => t.send(Uint8Array.of(4)));
    });
    expect(t.writes).toBe(3);
    expect(t.writeOf).toEqual([0, 1, 2, 2]);
  });
});
