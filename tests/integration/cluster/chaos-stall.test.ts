/**
 * A node frozen with SIGSTOP (a VM pause, a swap storm, a long GC), then thawed. Shorter
 * than its lease, nothing may change: no room hidden, no player closed, the same epoch
 * (Colyseus' "hidden rooms after one missed ping"). Longer than its lease, the rest of
 * the cluster has moved on: the thawed node must notice before it serves anything, close
 * its rooms' players with 4013 so their clients rematch, and register again under a new
 * epoch, and the directory must converge with no room code twice (Colyseus' duplicate-room
 * race).
 */
import { describe, expect, it } from 'vitest';
import { CloseCode } from '../../../protocol/index.ts';
import { TestClient, waitFor } from '../harness.ts';
import { LEASE_MS, clusterFixture, health, listings } from './fixture.ts';
import { waitUntil, type NodeProcess } from './node-process.ts';
import { joinThroughDirectory, largestSnapshotGap } from './seat.ts';

const cluster = clusterFixture();

/** A room on `node`: its first player joined there directly, two more seated through `via`. */
async function roomWithPlayers(node: NodeProcess, via: NodeProcess, tag: string): Promise<{ code: string; players: TestClient[] }> {
  const host = cluster.track(new TestClient(node.port));
  const code = (await host.join(`${tag}-host`)).roomCode;
  const players = [host];
  for (let i = 0; i < 2; i++) {
    const p = await joinThroughDirectory(via.httpUrl, `${tag}-${i}`, code);
    cluster.track(p.client);
    expect(p.seat.node).toBe(node.nodeId);
    players.push(p.client);
  }
  return { code, players };
}

describe('chaos: a node frozen and thawed', () => {
  it('frozen for less than its lease: nothing evicted, its players keep playing, same epoch', async () => {
    const [a, b] = await Promise.all([cluster.node({ nodeId: 'a' }), cluster.node({ nodeId: 'b' })]);
    const { code, players } = await roomWithPlayers(a, b, 'short');
    const { epoch } = (await health(a)).node;
    await waitUntil(async () => (await listings(b)).some((r) => r.code === code), 'b to list the room on a');
    const before = players.map((p) => p.snapshotArrivals.length);

    await a.pause();
    // Freeze for 60 % of the lease, asking the rest of the cluster about the room all along.
    const frozenAt = Date.now();
    let polls = 0;
    while (Date.now() - frozenAt < LEASE_MS * 0.6) {
      const listed = (await listings(b)).find((r) => r.code === code);
      expect(listed, `room ${code} hidden ${Date.now() - frozenAt} ms into a stall shorter than the lease`).toMatchObject({ node: 'a' });
      polls++;
    }
    expect(polls).toBeGreaterThan(3);
    await a.thaw();

    // Play goes on for everyone: fresh snapshots after the thaw, no close.
    await waitFor(() => players.every((p, i) => p.snapshotArrivals.length > before[i]! + 30), 'snapshots after the thaw', 5000);
    for (const p of players) expect(p.closeCode).toBeNull();
    const after = await health(a);
    expect(after.node.epoch).toBe(epoch);
    expect(after.directory.connected).toBe(true);
    expect((await listings(b)).find((r) => r.code === code)).toMatchObject({ node: 'a', players: 3 });
    // A seat through b still lands in the room on a.
    const late = await joinThroughDirectory(b.httpUrl, 'late', code);
    cluster.track(late.client);
    expect(late.seat.node).toBe('a');
  });

  it('frozen past its lease: its rooms leave the directory, and on waking it closes them with 4013 and comes back under a new epoch', async () => {
    const [a, b] = await Promise.all([cluster.node({ nodeId: 'a' }), cluster.node({ nodeId: 'b' })]);
    const onA = await roomWithPlayers(a, b, 'stale');
    const onB = await roomWithPlayers(b, a, 'live');
    const { epoch } = (await health(a)).node;
    await waitUntil(async () => (await listings(b)).some((r) => r.code === onA.code), 'b to list the room on a');
    const bBefore = onB.players.map((p) => p.snapshotArrivals.length);

    await a.pause();
    const frozenAt = Date.now();
    // The lease runs out by itself: no node removes another's listings.
    await waitUntil(async () => !(await listings(b)).some((r) => r.node === 'a'), "a's listings to expire", LEASE_MS * 3);
    const expiredAfter = Date.now() - frozenAt;
    // Not one missed refresh (LEASE_MS / 5) but the whole lease, less the part of a refresh
    // interval that had passed when the freeze began.
    expect(expiredAfter).toBeGreaterThanOrEqual(LEASE_MS * 0.75);
    // While a is frozen the cluster goes on without it: quick play and new rooms land on b.
    const newcomer = await joinThroughDirectory(b.httpUrl, 'newcomer');
    cluster.track(newcomer.client);
    expect(newcomer.seat.node).toBe('b');
    // The frozen room's code is not joinable anywhere meanwhile.
    const refused = await b.post<{ code?: number }>('/api/seat', { room: onA.code });
    expect(refused.status).toBeGreaterThanOrEqual(400);
    await a.thaw();

    // a notices its lease is gone: every player of its stale room is closed with 4013.
    for (const p of onA.players) expect((await p.closed(LEASE_MS * 3)).code).toBe(CloseCode.NodeLeaseLost);
    const back = await waitUntil(async () => {
      const h = await health(a);
      return h.node.epoch > epoch && h.directory.connected && h;
    }, 'a to register again under a new epoch', LEASE_MS * 3);
    expect(back.rooms).toBe(0);

    // The directory converges: both nodes list the same rooms, each code once, each on a
    // live node, none of them a's stale room.
    await waitUntil(async () => {
      const [la, lb] = await Promise.all([listings(a), listings(b)]);
      const codes = (l: typeof la) => l.map((r) => `${r.code}@${r.node}`).sort().join(',');
      return codes(la) === codes(lb) && la;
    }, 'both nodes to list the same rooms');
    const all = await listings(b);
    expect(new Set(all.map((r) => r.code)).size).toBe(all.length);
    expect(all.map((r) => r.code)).not.toContain(onA.code);
    expect(all.every((r) => r.node === 'b')).toBe(true);
    // b's players never noticed.
    for (const p of onB.players) expect(p.closeCode).toBeNull();
    expect(onB.players.every((p, i) => p.snapshotArrivals.length > bBefore[i]!)).toBe(true);
    onB.players.forEach((p, i) => expect(largestSnapshotGap(p, bBefore[i]!)).toBeLessThan(1000));
    // And a takes players again: a seat through a works and lands on a live node.
    const again = await joinThroughDirectory(a.httpUrl, 'again');
    cluster.track(again.client);
    expect(['a', 'b']).toContain(again.seat.node);
  });
});
