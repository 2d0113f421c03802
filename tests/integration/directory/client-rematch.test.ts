/**
 * The real GameClient (seat + reconnect, as the browser runs it) against a real
 * two-node cluster: it asks node A, plays on the node its room is on, and after that
 * node closes its rooms (4013, a stall past the lease) or dies, it asks again and plays
 * on by itself.
 */
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { CloseCode, CREATE_PRIVATE_ROOM } from '../../../protocol/index.ts';
import { GameClient } from '../../../game-client/src/net/client.ts';
import type { WebSocketCtor } from '../../../game-client/src/net/connection.ts';
import { loadArena } from '../../unit/net/helpers.ts';
import { waitFor } from '../harness.ts';
import { clusterFixture } from './cluster-fixtures.ts';

const c = clusterFixture();
const map = loadArena();

function client(url: string, room = ''): { client: GameClient; codes: number[]; stop(): void } {
  const g = new GameClient({
    url,
    name: 'Roamer',
    room,
    WebSocket: WebSocket as unknown as WebSocketCtor,
    map,
    seat: true,
    reconnect: { baseDelayMs: 100, maxDelayMs: 400, maxAttempts: 30 },
  });
  const codes: number[] = [];
  g.onReconnecting((a) => codes.push(a.code));
  const timer = setInterval(() => g.update(), 10);
  return {
    client: g,
    codes,
    stop: () => {
      clearInterval(timer);
      g.close();
    },
  };
}

describe('GameClient through /api/seat in a cluster', () => {
  it('joins a room on the other node, and after that node closes its rooms with 4013 it rematches by itself', async () => {
    const a = await c.node({ nodeId: 'a', leaseTtlMs: 1500, leaseRefreshMs: 100 });
    const b = await c.node({ nodeId: 'b', leaseTtlMs: 1500, leaseRefreshMs: 100 });
    // A public room on B (a ticketless Hello makes it there) for the quick play to land in.
    const host = { welcome: await c.client(b.port).join('host') };
    const g = client(`ws://127.0.0.1:${a.port}/ws`);
    try {
      const w = await g.client.connect();
      expect(w.roomCode).toBe(host.welcome.roomCode);
      const first = b.game.directory.rooms.get(w.roomCode)!;
      expect(first.size).toBe(2);
      // B closes its rooms as a lost lease makes it do (a real stall would stop A too).
      b.game.lobby.closeAllRooms(CloseCode.NodeLeaseLost, 'lease lost (test)');
      await waitFor(() => g.client.connected && g.client.roomCode !== '' && g.codes.includes(CloseCode.NodeLeaseLost), 'the client to play again', 8000);
      // A new room, live on one of the nodes (both draw codes from the same seed, so a
      // code freed by B's closed room may come back as A's first: compare rooms, not codes).
      expect(first.closed).toBe(true);
      const now = [a, b].map((n) => n.game.directory.rooms.get(g.client.roomCode)).find((r) => r !== undefined);
      expect(now).toBeDefined();
      expect(now).not.toBe(first);
      expect(now!.closed).toBe(false);
      expect(now!.size).toBeGreaterThanOrEqual(1);
    } finally {
      g.stop();
    }
  });

  it("an invite code works from any node's page, and a dead node's player lands on a live one", async () => {
    const a = await c.node({ nodeId: 'a', leaseTtlMs: 1500, leaseRefreshMs: 100 });
    const b = await c.node({ nodeId: 'b', leaseTtlMs: 1500, leaseRefreshMs: 100 });
    const creator = client(`ws://127.0.0.1:${b.port}/ws`, CREATE_PRIVATE_ROOM);
    const guest = client(`ws://127.0.0.1:${a.port}/ws`);
    try {
      const w = await creator.client.connect();
      const owner = b.game.directory.rooms.has(w.roomCode) ? b : a;
      // The invite link opened on the other node's page: same room.
      const invited = client(`ws://127.0.0.1:${(owner === a ? b : a).port}/ws`, w.roomCode);
      try {
        expect((await invited.client.connect()).roomCode).toBe(w.roomCode);
      } finally {
        invited.stop();
      }
      // Quick play from A's page lands in B's public room; then B goes away for good:
      // the client fails to resume there and asks A's page again.
      const pub = await c.client(b.port).join('b-host');
      const gw = await guest.client.connect();
      expect(gw.roomCode).toBe(pub.roomCode);
      await b.close();
      await waitFor(() => guest.client.connected && a.game.directory.rooms.has(guest.client.roomCode), 'the guest on the live node', 10_000);
    } finally {
      creator.stop();
      guest.stop();
    }
  });
});
