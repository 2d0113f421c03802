/**
 * Redis killed (SIGKILL: nothing flushed) in the middle of matches on two nodes, then
 * started again empty on the same port. Matches never stop: no tick waits on Redis, so
 * snapshots keep flowing at their rate the whole time. What needs the directory (a seat)
 * is refused with 4014 meanwhile, and when Redis is back the nodes list their rooms
 * again by themselves (private codes included): the directory is rebuilt from the
 * nodes, with nothing restored.
 */
import { describe, expect, it } from 'vitest';
import { CREATE_PRIVATE_ROOM, CloseCode } from '../../../protocol/index.ts';
import { TestClient, waitFor } from '../harness.ts';
import { LEASE_MS, clusterFixture, health, listings } from './fixture.ts';
import { waitUntil } from './node-process.ts';
import { joinThroughDirectory, largestSnapshotGap, requestSeat } from './seat.ts';

const cluster = clusterFixture();

describe('chaos: Redis killed and restarted mid-run', () => {
  it('matches never stop, seats are refused with 4014 while it is down, and the directory is rebuilt when it returns', async () => {
    const [a, b] = await Promise.all([cluster.node({ nodeId: 'a' }), cluster.node({ nodeId: 'b' })]);
    const rooms: Record<string, string> = {};
    const players: TestClient[] = [];
    for (const [host, other] of [[a, b], [b, a]] as const) {
      const first = cluster.track(new TestClient(host.port));
      const code = (await first.join(`${host.nodeId}-host`)).roomCode;
      rooms[host.nodeId!] = code;
      const seated = await joinThroughDirectory(other.httpUrl, `${host.nodeId}-guest`, code);
      cluster.track(seated.client);
      expect(seated.seat.node).toBe(host.nodeId);
      players.push(first, seated.client);
    }
    // And a private room on a: never listed, joinable by its code from any node.
    const privateHost = cluster.track(new TestClient(a.port));
    const privateCode = (await privateHost.join('a-private', CREATE_PRIVATE_ROOM)).roomCode;
    players.push(privateHost);
    await waitUntil(async () => (await listings(a)).length === 2, 'both public rooms listed');
    // Listed at a's next lease refresh.
    expect((await waitUntil(() => requestSeat(b.httpUrl, privateCode), "a's private room through b")).node).toBe('a');
    const from = players.map((p) => p.snapshotArrivals.length);

    await cluster.redis.kill();
    const downAt = Date.now();
    for (const n of [a, b])
      await waitUntil(async () => (await health(n)).directory.connected === false, `${n.nodeId} to see Redis gone`, LEASE_MS * 3);
    // What needs the directory is refused with its documented code, on both nodes.
    for (const n of [a, b]) {
      const r = await n.post<{ error?: string; code?: number }>('/api/seat', { room: '' });
      expect(r.status).toBeGreaterThanOrEqual(500);
      expect(r.body.code).toBe(CloseCode.DirectoryUnavailable);
    }
    // Down for longer than a lease: every match keeps its full snapshot rate meanwhile.
    const mark = players.map((p) => p.snapshotArrivals.length);
    await waitFor(() => Date.now() - downAt > LEASE_MS * 1.5, 'Redis to stay down past a lease', LEASE_MS * 3);
    const downS = (Date.now() - downAt) / 1000;
    players.forEach((p, i) => {
      expect(p.closeCode).toBeNull();
      // 30 Hz; well over half of it, allowing for the shared machine.
      expect(p.snapshotArrivals.length - mark[i]!).toBeGreaterThan(downS * 15);
    });

    await cluster.redis.restart();
    // Rebuilt by the nodes themselves: both rooms listed again, on their own nodes.
    for (const n of [a, b])
      await waitUntil(
        async () => {
          const l = await listings(n);
          return l.find((r) => r.code === rooms.a)?.node === 'a' && l.find((r) => r.code === rooms.b)?.node === 'b';
        },
        `${n.nodeId} to list both rooms again`,
        LEASE_MS * 4,
      );
    for (const n of [a, b]) expect((await health(n)).directory.connected).toBe(true);
    // Private codes are back too: a's private room is reachable through b, and only on a.
    const privateSeat = await waitUntil(() => requestSeat(b.httpUrl, privateCode), "a's private room by its code through b", LEASE_MS * 2);
    expect(privateSeat.node).toBe('a');
    // Seats work again, across nodes.
    const late = await joinThroughDirectory(a.httpUrl, 'late', rooms.b);
    cluster.track(late.client);
    expect(late.seat.node).toBe('b');
    // Nobody was cut, and no match ever paused beyond a normal hiccup.
    players.forEach((p, i) => {
      expect(p.closeCode).toBeNull();
      expect(largestSnapshotGap(p, from[i]!)).toBeLessThan(1000);
    });
  });
});
