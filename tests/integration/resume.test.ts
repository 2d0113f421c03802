/**
 * Reconnection: a dropped player is kept for the grace period and given back to the
 * connection that presents its resume token; then it is gone; wrong tokens are refused.
 */
import { freePort } from '../../scripts/free-port.ts';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  Button,
  ClientKind,
  CloseCode,
  NO_BASELINE,
  PROTOCOL_VERSION,
  ServerKind,
  type WelcomeMsg,
} from '../../protocol/index.ts';
import type { DustupServer } from '../../game-server/server.ts';
import { GameClient } from '../../game-client/src/net/client.ts';
import type { WebSocketCtor } from '../../game-client/src/net/connection.ts';
import { loadArena } from '../unit/net/helpers.ts';
import { TestClient, perTestServer, waitFor } from './harness.ts';

const fx = perTestServer();
let server: DustupServer | null = null;
const gameClients: GameClient[] = [];
const client = (): TestClient => fx.client();
fx.onCleanup(() => {
  for (const g of gameClients.splice(0)) g.close();
});

async function resumeWith(token: string): Promise<TestClient> {
  const c = client();
  await c.open();
  c.send({ kind: ClientKind.Hello, version: PROTOCOL_VERSION, name: 'ignored', room: '', resumeToken: token });
  return c;
}

/** Walk right for `ticks` inputs starting at seq `from`. */
function walk(c: TestClient, from: number, ticks: number, buttons: number = Button.Right): number {
  for (let i = 0; i < ticks; i++) c.send({ kind: ClientKind.Input, seq: from + i, buttons, aim: 0 });
  return from + ticks;
}

describe('resume after a dropped connection', () => {
  it('the dropped player stays (frozen, visible) and comes back as the same player, position and all', async () => {
    // A small map: everyone is in everyone's view.
    server = await fx.start({ mapId: 'duel' });
    const watcher = client();
    const w0 = await watcher.join('watcher');
    const a = client();
    const wa = await a.join('runner', w0.roomCode);
    expect(wa.resumeToken).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(wa.resumed).toBe(false);
    const room = server.game.directory.rooms.get(wa.roomCode)!;
    const kept = room.players.get(wa.playerId)!;

    const next = walk(a, 1, 20);
    await waitFor(() => a.lastSnapshot()?.ackSeq === 20, 'the walk to be applied');
    const before = { ...kept.state };

    a.drop();
    await waitFor(() => server!.game.keptPlayers === 1, 'the player to be kept');
    expect(room.players.get(wa.playerId)).toBe(kept);
    // Still in the watcher's roster (no PlayerLeft) and still where it was: frozen.
    const settled = watcher.resolved.length;
    await waitFor(() => watcher.resolved.length >= settled + 10, 'a few more snapshots');
    expect(watcher.messages.some((m) => m.kind === ServerKind.PlayerLeft)).toBe(false);
    const seen = watcher.lastResolved()!.entities.find((e) => e.id === wa.playerId);
    expect(seen).toBeDefined();
    expect(kept.state).toEqual(before);

    const b = await resumeWith(wa.resumeToken!);
    const wb = await waitFor(() => b.welcome(), 'the resumed welcome');
    expect(wb.playerId).toBe(wa.playerId);
    expect(wb.roomCode).toBe(wa.roomCode);
    expect(wb.resumed).toBe(true);
    expect(wb.resumeToken).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(wb.resumeToken).not.toBe(wa.resumeToken);
    expect(server.game.keptPlayers).toBe(0);
    // The very same Player object: state, score and every other field came along.
    expect(room.players.get(wa.playerId)).toBe(kept);
    expect(b.messages[1]?.kind).toBe(ServerKind.Roster);

    // Snapshots start from scratch (no baseline) with acks from 0 and the same position.
    const first = await waitFor(() => b.snapshots()[0], 'the first snapshot');
    expect(first.baseTick).toBe(NO_BASELINE);
    expect(first.ackSeq).toBe(0);
    expect(first.self.x).toBe(Math.round(before.x * 8));
    expect(first.self.y).toBe(Math.round(before.y * 8));
    // The input sequence starts over at 1 on the new connection (the rule the client follows).
    expect(next).toBe(21);
    walk(b, 1, 5, 0);
    await waitFor(() => b.lastSnapshot()?.ackSeq === 5, 'the restarted sequence to be applied');
    expect(b.closeCode).toBeNull();
    expect(watcher.closeCode).toBeNull();
  });

  it('after the grace period the player is removed and its token refused with ResumeRefused (4011)', async () => {
    server = await fx.start({ resumeGraceMs: 300 });
    const watcher = client();
    const w0 = await watcher.join('watcher');
    const a = client();
    const wa = await a.join('leaver', w0.roomCode);
    a.drop();
    const t0 = Date.now();
    await waitFor(
      () => watcher.messages.find((m) => m.kind === ServerKind.PlayerLeft && m.id === wa.playerId),
      'the player to leave after the grace period',
    );
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
    expect(server.game.keptPlayers).toBe(0);
    const b = await resumeWith(wa.resumeToken!);
    const { code, reason } = await b.closed();
    expect(code).toBe(CloseCode.ResumeRefused);
    expect(reason).toMatch(/unknown|expired/);
  });

  it('a made-up token is refused with ResumeRefused', async () => {
    server = await fx.start();
    const b = await resumeWith('AAAAAAAAAAAAAAAAAAAAAA');
    expect((await b.closed()).code).toBe(CloseCode.ResumeRefused);
  });

  it('a stolen token is refused while its player is connected, and the owner plays on', async () => {
    server = await fx.start();
    const a = client();
    const wa = await a.join('owner');
    const thief = await resumeWith(wa.resumeToken!);
    const { code, reason } = await thief.closed();
    expect(code).toBe(CloseCode.ResumeRefused);
    expect(reason).toContain('in use');
    const n = a.snapshots().length;
    await waitFor(() => a.snapshots().length >= n + 5, 'the owner to keep receiving snapshots');
    expect(a.closeCode).toBeNull();
  });

  it('a token already used for a resume is stale: refused', async () => {
    server = await fx.start();
    const a = client();
    const wa = await a.join('twice');
    a.drop();
    await waitFor(() => server!.game.keptPlayers === 1, 'the player to be kept');
    const b = await resumeWith(wa.resumeToken!);
    await waitFor(() => b.welcome(), 'the resume');
    b.drop();
    await waitFor(() => server!.game.keptPlayers === 1, 'the player to be kept again');
    const c = await resumeWith(wa.resumeToken!);
    expect((await c.closed()).code).toBe(CloseCode.ResumeRefused);
  });

  it('a player who leaves on purpose (1000) or is closed for misbehaving is removed at once', async () => {
    server = await fx.start();
    const watcher = client();
    const w0 = await watcher.join('watcher');
    const a = client();
    const wa = await a.join('polite', w0.roomCode);
    a.close();
    await waitFor(() => watcher.messages.find((m) => m.kind === ServerKind.PlayerLeft && m.id === wa.playerId), 'polite to leave');
    const b = client();
    const wb = await b.join('rude', w0.roomCode);
    b.sendRaw(new Uint8Array([0x91, 0xc1]));
    expect((await b.closed()).code).toBe(CloseCode.Malformed);
    await waitFor(() => watcher.messages.find((m) => m.kind === ServerKind.PlayerLeft && m.id === wb.playerId), 'rude to leave');
    expect(server.game.keptPlayers).toBe(0);
    expect((await (await resumeWith(wb.resumeToken!)).closed()).code).toBe(CloseCode.ResumeRefused);
  });
});

describe('GameClient reconnects by itself', () => {
  const map = loadArena();

  /** `ws` sockets that the test can cut, handed to GameClient as its WebSocket. */
  function cuttable(): { ctor: WebSocketCtor; sockets: WebSocket[] } {
    const sockets: WebSocket[] = [];
    class Cuttable extends WebSocket {
      constructor(url: string) {
        super(url);
        sockets.push(this);
      }
    }
    return { ctor: Cuttable as unknown as WebSocketCtor, sockets };
  }

  function drive(c: GameClient): () => void {
    const timer = setInterval(() => c.update(), 10);
    return () => clearInterval(timer);
  }

  it('a socket killed mid-game: the client comes back as the same player, where it was', async () => {
    server = await fx.start();
    const { ctor, sockets } = cuttable();
    const c = new GameClient({
      url: `ws://127.0.0.1:${server.port}/ws`,
      name: 'Comeback',
      WebSocket: ctor,
      map,
      reconnect: { baseDelayMs: 100, maxDelayMs: 400 },
    });
    gameClients.push(c);
    const resumed: boolean[] = [];
    const states: string[] = [];
    c.onReconnected((r) => resumed.push(r));
    c.onReconnecting(() => states.push(c.state));
    const stop = drive(c);
    try {
      const w: WelcomeMsg = await c.connect();
      c.setButtons(Button.Down);
      await waitFor(() => (c.stats.snapshotsReceived > 30 ? true : null), 'some play');
      c.setButtons(0);
      await waitFor(() => (c.predictedState && c.predictedState.vy === 0 ? true : null), 'the player to stop');
      const room = server.game.directory.rooms.get(w.roomCode)!;
      const player = room.players.get(w.playerId)!;
      const where = { ...player.state };

      sockets[0]!.terminate();
      await waitFor(() => states.length > 0, 'the client to notice');
      expect(states[0]).toBe('reconnecting');
      await waitFor(() => resumed.length > 0 && c.state === 'ready', 'the client to resume', 5000);
      expect(resumed).toEqual([true]);
      expect(c.playerId).toBe(w.playerId);
      expect(room.players.get(w.playerId)).toBe(player);
      const got = c.stats.snapshotsReceived;
      await waitFor(() => (c.stats.snapshotsReceived > got + 10 ? true : null), 'snapshots on the new connection');
      expect(c.predictedState!.x).toBeCloseTo(where.x, 6);
      expect(c.predictedState!.y).toBeCloseTo(where.y, 6);
      // It plays on: inputs on the new connection are applied (acks advance from 0).
      c.setButtons(Button.Up);
      await waitFor(() => (player.state.y < where.y - 10 ? true : null), 'the resumed player to move');
    } finally {
      stop();
    }
  });

  it('a server restart (4010): the client says so, retries, and joins the new server as a new player', async () => {
    // A fixed port, as a host runs it: uWS sets SO_REUSEADDR only then, so the new server
    // can bind while the old one's closed connections sit in TIME_WAIT.
    const port = await freePort();
    server = await fx.start({ port });
    const c = new GameClient({
      url: `ws://127.0.0.1:${port}/ws`,
      name: 'Patient',
      WebSocket: WebSocket as unknown as WebSocketCtor,
      map,
      reconnect: { baseDelayMs: 200, maxDelayMs: 400, maxAttempts: 30 },
    });
    gameClients.push(c);
    const codes: number[] = [];
    const resumed: boolean[] = [];
    c.onReconnecting((a) => codes.push(a.code));
    c.onReconnected((r) => resumed.push(r));
    const stop = drive(c);
    try {
      const w = await c.connect();
      await server.close();
      await waitFor(() => codes.length > 0, 'the client to notice the shutdown');
      expect(codes[0]).toBe(CloseCode.ServerShutdown);
      expect(c.state).toBe('reconnecting');
      server = await fx.start({ port });
      await waitFor(() => resumed.length > 0 && c.state === 'ready', 'the client to join the new server', 8000);
      // The new process never knew the old player: refused (4011), then joined afresh.
      expect(codes).toContain(CloseCode.ResumeRefused);
      expect(resumed).toEqual([false]);
      expect(server.game.playerCount).toBe(1);
      expect(c.playerId).toBeGreaterThan(0);
      expect(w.playerId).toBeGreaterThan(0);
    } finally {
      stop();
    }
  }, 15_000);
});
