/**
 * A real node on a real Redis through its lease's bad days: stalled past the lease
 * (4013, new epoch), stalled within it (nothing happens), Redis gone (4014 and 503 for
 * what needs it, matches run on) and back (the node lists itself again). The stalls are
 * real: the whole test process is kept busy, node and clients alike.
 */
import { describe, expect, it } from 'vitest';
import { ClientKind, CloseCode, PROTOCOL_VERSION } from '../../../protocol/index.ts';
import { waitFor } from '../harness.ts';
import { clusterFixture, getJson, postSeat, seat } from './cluster-fixtures.ts';

const c = clusterFixture();
const LEASE = { leaseTtlMs: 1500, leaseRefreshMs: 100 };

/** Keep this process busy: no timer, no socket, nothing runs (a SIGSTOP from inside). */
function stall(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // busy
  }
}

describe('a node and its directory lease', () => {
  it('stalled past its lease, the node closes its players with 4013, voids their tokens and takes a new epoch', async () => {
    const a = await c.node({ nodeId: 'a', ...LEASE });
    const { client, welcome } = await c.join(await seat(a), 'p');
    const epoch = a.game.directory.node.epoch;
    stall(2000);
    expect((await client.closed()).code).toBe(CloseCode.NodeLeaseLost);
    await waitFor(() => a.game.directory.node.epoch > epoch && a.game.directory.status().connected, 'a new epoch');
    expect(a.game.directory.rooms.size).toBe(0);
    const back = c.client(a.port);
    await back.open();
    back.send({ kind: ClientKind.Hello, version: PROTOCOL_VERSION, name: 'p', room: '', resumeToken: welcome.resumeToken });
    expect((await back.closed()).code).toBe(CloseCode.ResumeRefused);
    // Rematch: a new seat works at once.
    await c.join(await seat(a), 'p again');
  });

  it('stalled within its lease, the node keeps everything', async () => {
    const a = await c.node({ nodeId: 'a', ...LEASE });
    const { client, welcome } = await c.join(await seat(a), 'p');
    const epoch = a.game.directory.node.epoch;
    stall(400);
    const seen = client.snapshots().length;
    await waitFor(() => client.snapshots().length > seen + 15, 'snapshots after the stall');
    expect(client.closeCode).toBeNull();
    expect(a.game.directory.node.epoch).toBe(epoch);
    expect((await seat(a, welcome.roomCode)).room).toBe(welcome.roomCode);
  });

  it('Redis unreachable: matches run on, seat requests get 503 with 4014, tickets 4014, and the node re-registers when it returns', async () => {
    const a = await c.node({ nodeId: 'a', ...LEASE });
    const b = await c.node({ nodeId: 'b', ...LEASE });
    // A private room made by a Hello without a ticket: it is A's.
    const client = c.client(a.port);
    const welcome = await client.join('p', 'new');
    const spare = await seat(b, welcome.roomCode);
    expect(spare.node).toBe('a');
    await c.redis().kill();
    await waitFor(() => !a.game.directory.status().connected, 'the node to notice');
    expect(await postSeat(a, { room: '' })).toEqual({ status: 503, body: expect.objectContaining({ code: CloseCode.DirectoryUnavailable }) });
    expect((await getJson(a, '/healthz'))['directory']).toMatchObject({ kind: 'redis', connected: false });
    const late = await c.connect(spare, 'late');
    expect((await late.closed()).code).toBe(CloseCode.DirectoryUnavailable);
    // The match never notices: snapshots keep coming, past a whole lease.
    const seen = client.snapshots().length;
    await waitFor(() => client.snapshots().length > seen + 60, 'two seconds of snapshots without Redis', 5000);
    expect(client.closeCode).toBeNull();
    const epoch = a.game.directory.node.epoch;
    await c.redis().restart();
    await waitFor(() => a.game.directory.status().connected && b.game.directory.status().connected, 'both nodes back', 5000);
    expect(a.game.directory.node.epoch).toBeGreaterThan(epoch);
    // The directory is rebuilt: B can send a player to A's room again.
    const g = await seat(b, welcome.roomCode);
    expect(g.node).toBe('a');
    await c.join(g, 'after');
    expect(client.closeCode).toBeNull();
  });

  it('a node started while Redis is down serves its own page, answers 503/4014 for seats, and registers once Redis is up', async () => {
    await c.redis().kill();
    const url = c.redis().url;
    const { startServer } = await import('../harness.ts');
    const a = await startServer({ redisUrl: url, redisKeyPrefix: c.prefix(), nodeId: 'late', ...LEASE });
    try {
      expect(a.game.directory.status().connected).toBe(false);
      expect(await postSeat(a, { room: '' })).toMatchObject({ status: 503, body: { code: CloseCode.DirectoryUnavailable } });
      await c.redis().restart();
      await waitFor(() => a.game.directory.status().connected, 'the node to register', 5000);
      expect(a.game.directory.node.epoch).toBeGreaterThan(0);
      expect((await seat(a)).node).toBe('late');
    } finally {
      await a.close();
    }
  });

  it('a second Hello while the first waits for the directory is refused; a socket gone meanwhile leaves no player', async () => {
    // No grace: whether the drop lands before or after the answer, no player may remain.
    const a = await c.node({ nodeId: 'a', resumeGraceMs: 0, ...LEASE });
    const g = await seat(a, 'new');
    const twice = c.client(g.url);
    await twice.open();
    const hello = { kind: ClientKind.Hello, version: PROTOCOL_VERSION, name: 'p', room: g.room, ticket: g.ticket } as const;
    twice.send(hello);
    twice.send(hello);
    expect((await twice.closed()).code).toBe(CloseCode.UnexpectedMessage);
    const g2 = await seat(a, 'new');
    const gone = c.client(g2.url);
    await gone.open();
    gone.send({ ...hello, room: g2.room, ticket: g2.ticket });
    gone.drop();
    await c.untilRedis((r) => r.exists(`${c.prefix()}ticket:${g2.ticket}`), (n) => n === 0, 'the ticket to be redeemed');
    await waitFor(() => a.game.sessions.size === 0, 'the sockets to close');
    expect(a.game.playerCount).toBe(0);
    expect(a.game.directory.rooms.has(g2.room)).toBe(false);
  });
});
