import { describe, expect, it } from 'vitest';
import { Button, ClientKind, POS_SCALE, ServerKind, type PlayerJoinedMsg, type PlayerLeftMsg, type RosterMsg } from '../../protocol/index.ts';
import type { DustupServer } from '../../game-server/server.ts';
import { TestClient, perTestServer, waitFor } from './harness.ts';

const fx = perTestServer();
let server: DustupServer | null = null;
const client = (): TestClient => fx.client();

describe('two players in one room', () => {
  it('quick play puts both clients in the same room; joins and leaves reach the others', async () => {
    server = await fx.start();
    const a = client();
    const b = client();
    const wa = await a.join('alice');
    const wb = await b.join('bob', '');
    expect(wb.roomCode).toBe(wa.roomCode);
    expect(wa.playerId).not.toBe(wb.playerId);
    // The newcomer gets the whole roster; those already there hear of the newcomer.
    const roster = await waitFor(
      () => b.messages.find((m): m is RosterMsg => m.kind === ServerKind.Roster),
      "bob's roster",
    );
    expect(roster.players.map((p) => p.name).sort()).toEqual(['alice', 'bob']);
    const joined = await waitFor(
      () => a.messages.find((m): m is PlayerJoinedMsg => m.kind === ServerKind.PlayerJoined),
      'alice to hear that bob joined',
    );
    expect(joined).toMatchObject({ id: wb.playerId, name: 'bob' });
    b.close();
    const left = await waitFor(
      () => a.messages.find((m): m is PlayerLeftMsg => m.kind === ServerKind.PlayerLeft),
      'alice to hear that bob left',
    );
    expect(left.id).toBe(wb.playerId);
  });

  it('a room code joins that specific room', async () => {
    server = await fx.start();
    const a = client();
    const wa = await a.join('alice');
    const b = client();
    const wb = await b.join('bob', wa.roomCode);
    expect(wb.roomCode).toBe(wa.roomCode);
  });

  it('when one player moves, the other sees it move within a few snapshots', async () => {
    // The duel map is smaller than one screen, so interest management shows everyone.
    server = await fx.start({ mapId: 'duel' });
    const a = client();
    const b = client();
    const wa = await a.join('mover');
    await b.join('watcher', wa.roomCode);
    const seen = await waitFor(
      () => b.lastResolved()?.entities.find((e) => e.id === wa.playerId),
      'the mover in the watcher snapshot',
    );
    const startX = seen.x;
    const snapshotsBefore = b.snapshots().length;
    // Hold "left" or "right" for 20 ticks, whichever way the spawn has room to move.
    const dir = startX / POS_SCALE > 512 ? Button.Left : Button.Right;
    for (let seq = 1; seq <= 20; seq++) a.send({ kind: ClientKind.Input, seq, buttons: dir, aim: 0 });
    const moved = await waitFor(() => {
      const e = b.lastResolved()?.entities.find((x) => x.id === wa.playerId);
      return e && Math.abs(e.x - startX) > 4 * POS_SCALE ? e : null;
    }, 'the watcher to see the mover move');
    expect(Math.sign(moved.x - startX)).toBe(dir === Button.Right ? 1 : -1);
    // Inputs are applied from the first tick after they arrive: the move must
    // show up within a bounded number of snapshots, not eventually.
    expect(b.snapshots().length - snapshotsBefore).toBeLessThanOrEqual(10);
    // The mover's own snapshots acknowledge its inputs.
    await waitFor(() => (a.lastSnapshot()?.ackSeq ?? 0) === 20, 'all 20 inputs acknowledged');
  });

  it('snapshots arrive at the configured snapshot rate, separate from the tick rate', async () => {
    server = await fx.start({ tickRate: 30, snapshotRate: 10 });
    const a = client();
    await a.join('counter');
    await waitFor(() => a.snapshots().length >= 2, 'first snapshots');
    const from = a.snapshots().length;
    const t0 = Date.now();
    await waitFor(() => Date.now() - t0 >= 2000, '2 s of snapshots', 4000);
    const got = a.snapshots().slice(from);
    const perSecond = got.length / ((Date.now() - t0) / 1000);
    expect(perSecond).toBeGreaterThan(8);
    expect(perSecond).toBeLessThan(12);
    // Every snapshot is three ticks after the previous, and its time is the tick's.
    for (let i = 1; i < got.length; i++) expect(got[i]!.tick - got[i - 1]!.tick).toBe(3);
    for (const s of got) expect(Math.abs(s.serverTime - (s.tick * 1000) / 30)).toBeLessThanOrEqual(0.5);
  });

  it('an empty room is disposed when its last player leaves', async () => {
    server = await fx.start();
    const a = client();
    const wa = await a.join('solo');
    expect(server.game.directory.rooms.has(wa.roomCode)).toBe(true);
    a.close();
    await waitFor(() => !server!.game.directory.rooms.has(wa.roomCode), 'the room to be disposed');
  });

  it('a ping is answered with a pong echoing the client time and the server time', async () => {
    server = await fx.start();
    const a = client();
    await a.join('pinger');
    a.send({ kind: ClientKind.Ping, clientTime: 12345.5 });
    const pong = await waitFor(
      () => a.messages.find((m) => m.kind === ServerKind.Pong),
      'pong',
    );
    expect(pong).toMatchObject({ clientTime: 12345.5 });
    expect((pong as { serverTime: number }).serverTime).toBeGreaterThan(0);
  });
});
