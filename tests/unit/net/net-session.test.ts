import { describe, expect, it } from 'vitest';
import {
  Button,
  ClientKind,
  ServerKind,
  quantizePos,
  quantizeVel,
  stepPlayer,
  type ClientMessage,
  type InputMsg,
  type PlayerState,
} from '../../../protocol/index.ts';
import type { LocalShot } from '../../../game-client/src/net/client-types.ts';
import { ClockSync } from '../../../game-client/src/net/clock-sync.ts';
import { Controls } from '../../../game-client/src/net/controls.ts';
import { Listeners } from '../../../game-client/src/net/listeners.ts';
import { NetSession, type SessionHost } from '../../../game-client/src/net/net-session.ts';
import { loadArena, snapshotMsg, welcomeMsg } from './helpers.ts';

const map = loadArena();
const spawn = map.spawns[0]!;

/** A session on no socket at all: what it sends is collected, what it receives is handed in. */
function session(opts: { start?: number; interpolate?: boolean } = {}) {
  const out: ClientMessage[] = [];
  const desyncs: string[] = [];
  const localShots = new Listeners<[Readonly<LocalShot>]>();
  const host: SessionHost = {
    send: (m) => (out.push(structuredClone(m)), true),
    outOfSync: (reason) => desyncs.push(reason),
    localShots,
  };
  const controls = new Controls();
  const clock = new ClockSync();
  const start = opts.start ?? 1000;
  const s = new NetSession(welcomeMsg(), map, clock, host, controls, start, { interpolate: opts.interpolate });
  return { s, out, desyncs, localShots, controls, clock, start };
}

describe('NetSession', () => {
  it('is whole from its constructor, and refuses a map other than the Welcome says', () => {
    const { s, clock } = session();
    expect(s.clock).toBe(clock);
    expect(s.reconciler.state).toBeNull();
    expect(s.interpolator.snapshotRate).toBe(30);
    expect(s.inputs.tickRate).toBe(30);
    expect(s.playerId).toBe(7);
    const host: SessionHost = { send: () => true, outOfSync: () => {}, localShots: new Listeners() };
    expect(() => new NetSession(welcomeMsg({ mapId: 'duel' }), map, new ClockSync(), host, new Controls(), 0)).toThrow(/"duel".*"arena"/);
  });

  it('driven by plain messages: predicts its inputs from the first snapshot, and the server agreeing is no correction', () => {
    const env = session();
    const { s, out, controls } = env;
    s.receive(snapshotMsg(100, 0, spawn.x, spawn.y), 1000);
    expect(s.reconciler.state).toMatchObject({ x: spawn.x, y: spawn.y });
    controls.setAim(1);
    let server: PlayerState = { x: spawn.x, y: spawn.y, vx: 0, vy: 0 };
    let t = 1000;
    for (let i = 1; i <= 10; i++) {
      t = 1000 + i * (1000 / 30) + 0.001;
      s.update(t, Button.Right);
    }
    const inputs = out.filter((m): m is InputMsg => m.kind === ClientKind.Input);
    // The input clock starts at the session's start: one input per tick, seq from 1.
    expect(inputs.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(inputs.every((m) => m.aim === controls.aimByte && m.buttons === Button.Right)).toBe(true);
    for (let i = 0; i < 6; i++) server = stepPlayer(server, Button.Right, 1 / 30, map);
    expect(server.x).toBeGreaterThan(spawn.x);
    const ack = snapshotMsg(106, 6, 0, 0);
    ack.self = { x: quantizePos(server.x), y: quantizePos(server.y), vx: quantizeVel(server.vx), vy: quantizeVel(server.vy) };
    s.receive(ack, t);
    expect(s.reconciler.corrections).toBe(0);
    expect(s.reconciler.lastError).toBe(0);
    expect(s.inputs.history.pending).toBe(4);
  });

  it('follows InputTiming: inputs go out further apart as the server asks, and pumpInputs sends only what fell due', () => {
    const { s, out } = session({ start: 0 });
    s.receive({ kind: ServerKind.InputTiming, adjust: 50, targetMs: 3 }, 0);
    expect(s.inputs.adjustPerMille).toBe(50);
    const sentAt: number[] = [];
    for (let t = 0.5; t <= 1000; t += 0.5) {
      const before = out.length;
      s.pumpInputs(t, 0);
      // pumpInputs sends inputs only (no ping, no viewport).
      for (const m of out.slice(before)) {
        expect(m.kind).toBe(ClientKind.Input);
        sentAt.push(t);
      }
    }
    // 5% slower: 28-29 inputs in a second instead of 30.
    expect(sentAt.length).toBe(Math.floor(1000 / ((1000 / 30) * 1.05)));
    s.receive({ kind: ServerKind.InputTiming, adjust: 0, targetMs: 3 }, 1000);
    expect(s.inputs.adjustPerMille).toBe(0);
  });

  it('pings at once, then in a fast burst; reports the viewport once it is set and changes', () => {
    const { s, out, controls } = session({ start: 1000 });
    s.update(1000, 0);
    expect(out.filter((m) => m.kind === ClientKind.Ping)).toEqual([{ kind: ClientKind.Ping, clientTime: 1000 }]);
    expect(out.some((m) => m.kind === ClientKind.Viewport)).toBe(false);
    controls.setViewport(800, 600);
    s.update(1100, 0);
    s.update(1200, 0);
    controls.setViewport(808, 600); // under the 16 px threshold: not reported again
    s.update(1300, 0);
    expect(out.filter((m) => m.kind === ClientKind.Ping).map((m) => (m as { clientTime: number }).clientTime)).toEqual([1000, 1200]);
    expect(out.filter((m) => m.kind === ClientKind.Viewport)).toEqual([{ kind: ClientKind.Viewport, width: 800, height: 600 }]);
    s.receive({ kind: ServerKind.Pong, clientTime: 1000, serverTime: 9000 }, 1100);
    expect(s.clock.rtt).toBe(100);
  });

  it('catches up the snapshots of the loading time: all interpolated, only the newest reconciled', () => {
    const { s } = session();
    s.catchUp([
      { snap: snapshotMsg(100, 0, spawn.x, spawn.y, [[3, 100, 100]]), arrival: 900 },
      { snap: snapshotMsg(101, 0, spawn.x + 10, spawn.y, [[3, 104, 100]]), arrival: 933 },
    ]);
    expect(s.interpolator.bufferedCount).toBe(2);
    // The first state was never predicted from, so taking the second is not a correction.
    expect(s.reconciler.state).toMatchObject({ x: spawn.x + 10, y: spawn.y });
    expect(s.reconciler.corrections).toBe(0);
    expect(s.interpolator.sample(s.interpolator.newestTime).find((e) => e.id === 3)).toMatchObject({ x: 104, y: 100 });
  });

  it('a delta against a baseline it never had is reported as out of sync, and nothing of it is used', () => {
    const { s, desyncs } = session();
    const bad = snapshotMsg(120, 0, spawn.x, spawn.y);
    bad.baseTick = 119;
    s.receive(bad, 1000);
    expect(desyncs).toHaveLength(1);
    expect(desyncs[0]).toMatch(/^snapshot out of sync: .*119/);
    expect(s.reconciler.state).toBeNull();
    expect(s.interpolator.bufferedCount).toBe(0);
  });

  it('shows its own shot at once, traced against the others where they are drawn; skipped when nobody listens', () => {
    const env = session();
    const { s, localShots, controls } = env;
    s.receive(snapshotMsg(100, 0, spawn.x, spawn.y, [[3, spawn.x + 40, spawn.y]]), 1000);
    controls.setAim(0);
    const shots: LocalShot[] = [];
    let t = 1000;
    s.update((t += 1000 / 30), Button.Fire);
    expect(shots).toEqual([]); // nobody listened
    localShots.add((shot) => shots.push({ ...shot }));
    for (let i = 0; i < 30; i++) s.update((t += 1000 / 30), Button.Fire);
    expect(shots.length).toBeGreaterThan(0);
    expect(shots[0]).toMatchObject({ hitId: 3, aim: 0 });
    expect(shots[0]!.x1).toBeGreaterThan(shots[0]!.x0);
  });

  it("its own shot carries the Fire's seq", () => {
    const { s, localShots, controls } = session();
    s.receive(snapshotMsg(100, 0, spawn.x, spawn.y, [[3, spawn.x + 40, spawn.y]]), 1000);
    controls.setAim(0);
    const shots: LocalShot[] = [];
    localShots.add((shot) => shots.push({ ...shot }));
    let t = 1000;
    for (let i = 0; i < 3; i++) s.update((t += 1000 / 30), Button.Fire);
    expect(shots).toHaveLength(1);
    expect(shots[0]).toMatchObject({ hitId: 3, seq: 1 });
  });
});
