/**
 * kill -9 of a node in the middle of a match. Nothing runs on the dead node to clean up,
 * so its listings must vanish by themselves within its lease; its players' clients (the
 * product's GameClient, entered through the surviving node) must come back by
 * themselves in a room on a live node; and the other node's players must not notice at
 * all: no close, no gap in their snapshots beyond a normal hiccup.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { TestClient, waitFor } from '../harness.ts';
import { LEASE_MS, clusterFixture, listings } from './fixture.ts';
import { waitUntil } from './node-process.ts';
import { ProductPlayer } from './product-player.ts';
import { joinThroughDirectory, largestSnapshotGap } from './seat.ts';

const cluster = clusterFixture();
const players: ProductPlayer[] = [];
afterEach(() => {
  for (const p of players.splice(0)) p.stop();
});

describe('chaos: kill -9 a node in a match', () => {
  it("its listings expire within the lease, its players rematch onto the live node, and the live node's players never notice", async () => {
    const [a, b] = await Promise.all([cluster.node({ nodeId: 'a' }), cluster.node({ nodeId: 'b' })]);
    // A match on a: its host joined there, four more through b's page (the product client).
    const hostA = cluster.track(new TestClient(a.port));
    const roomA = (await hostA.join('a-host')).roomCode;
    await waitUntil(async () => (await listings(b)).some((r) => r.code === roomA), 'b to list the room on a');
    for (let i = 0; i < 4; i++) {
      const p = new ProductPlayer(b.httpUrl, `orphan${i}`, roomA);
      players.push(p);
      expect((await p.connect()).roomCode).toBe(roomA);
    }
    // A match on b: its host there, two more seated through a.
    const hostB = cluster.track(new TestClient(b.port));
    const roomB = (await hostB.join('b-host')).roomCode;
    const onB = [hostB];
    for (let i = 0; i < 2; i++) {
      const p = await joinThroughDirectory(a.httpUrl, `b-guest${i}`, roomB);
      expect(p.seat.node).toBe('b');
      onB.push(cluster.track(p.client));
    }
    await waitFor(() => onB.every((c) => c.snapshotArrivals.length > 10) && players.every((p) => p.snapshotsAt.length > 10), 'both matches under way');
    const mark = onB.map((c) => c.snapshotArrivals.length);

    const killedAt = Date.now();
    const killedAtMono = performance.now();
    await a.kill9();

    // No node cleans up after a: its lease and listings expire by themselves.
    await waitUntil(async () => !(await listings(b)).some((r) => r.node === 'a'), "a's listings to expire", LEASE_MS * 3);
    expect(Date.now() - killedAt).toBeLessThanOrEqual(LEASE_MS + 1000);

    // Every orphan is playing again, by itself, in a room that lives on b.
    await waitUntil(
      async () => {
        const listed = await listings(b);
        return players.every((p) => p.snapshotsSince(killedAtMono) > 10 && listed.find((r) => r.code === p.roomCode)?.node === 'b');
      },
      'every orphan to play again on b',
      15_000,
    );
    for (const p of players) {
      expect(p.closed).toBeNull();
      expect(p.reconnects).toBeGreaterThanOrEqual(1);
      expect(p.roomCode).not.toBe(roomA);
    }
    expect(hostA.closeCode).not.toBeNull(); // the raw socket on a is simply gone

    // b's match never noticed: nobody closed, snapshots flowed with no gap beyond normal.
    onB.forEach((c, i) => {
      expect(c.closeCode).toBeNull();
      expect(c.snapshotArrivals.length - mark[i]!).toBeGreaterThan(30);
      expect(largestSnapshotGap(c, mark[i]!)).toBeLessThan(1000);
    });
    // And the directory holds no room twice.
    const all = await listings(b);
    expect(new Set(all.map((r) => r.code)).size).toBe(all.length);
  });
});
