/**
 * RedisRoomDirectory by itself, against a real redis-server, its lease refreshed by hand
 * (autoRefresh off) so a test decides when a node is "stalled": lease expiry, epochs as
 * fencing tokens, once-only tickets.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CREATE_PRIVATE_ROOM, CloseCode, ProtocolError } from '../../../protocol/index.ts';
import { seededRandom } from '../../../protocol/random.ts';
import { RedisRoomDirectory, type RedisDirectoryOptions } from '../../../game-server/directory/redis-directory.ts';
import { silentLogger } from '../../../game-server/logger.ts';
import { viewPolicyFor } from '../../../game-server/net/view-policy.ts';
import { newRoomTotals } from '../../../game-server/room.ts';
import { startRedisServer, type LocalRedis } from '../../../scripts/redis-server.ts';
import { loadMap } from '../../unit/server/memory-game.ts';
import { waitFor } from '../harness.ts';

const map = loadMap('arena');
let redis: LocalRedis;
let run = 0;
let prefix = '';
const dirs: RedisRoomDirectory[] = [];

beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(async () => {
  await redis.stop();
});
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => d.stop()));
  prefix = '';
});

function directory(nodeId: string, over: Partial<RedisDirectoryOptions> = {}): RedisRoomDirectory & { lost: string[] } {
  prefix ||= `d${process.pid}-${++run}:`;
  const lost: string[] = [];
  const d = new RedisRoomDirectory(map, {
    tickRate: 30,
    snapshotRate: 30,
    capacity: 4,
    sendSoftLimitBytes: 64 * 1024,
    slowConsumerTimeoutMs: 5000,
    view: viewPolicyFor('delta'),
    maxRooms: 10,
    random: seededRandom(run),
    totals: newRoomTotals(),
    redisUrl: redis.url,
    nodeId,
    keyPrefix: prefix,
    leaseTtlMs: 600,
    refreshMs: 100,
    ticketTtlMs: 5000,
    autoRefresh: false,
    log: silentLogger(),
    load: () => ({ players: 0, tickP99Ms: 0, budgetMs: 33 }),
    onLeaseLost: (why) => {
      lost.push(why);
      for (const r of [...d.rooms.values()]) d.remove(r);
    },
    ...over,
  });
  dirs.push(d);
  return Object.assign(d, { lost });
}

const refusal = async (p: Promise<unknown>): Promise<number> => {
  try {
    await p;
  } catch (err) {
    if (err instanceof ProtocolError) return err.code;
    throw err;
  }
  throw new Error('expected a refusal');
};

describe('RedisRoomDirectory leases', () => {
  it("a silent node's rooms vanish from the directory with its lease, with no cleanup job", async () => {
    const a = directory('a');
    const b = directory('b');
    await a.start('ws://a/ws');
    await b.start('ws://b/ws');
    const room = await b.create(true);
    await b.refresh();
    expect((await a.listRooms()).map((r) => r.code)).toEqual([room.code]);
    expect((await a.seat({ room: room.code, localUrl: '' })).node).toBe('b');
    // B stops refreshing (dead, or stopped); A keeps refreshing. Within the TTL B is gone.
    let listed = 1;
    await waitFor(() => {
      void a.refresh();
      void a.listRooms().then((r) => (listed = r.length));
      return listed === 0;
    }, "B's listings to expire", 3000);
    expect(await refusal(a.seat({ room: room.code, localUrl: '' }))).toBe(CloseCode.RoomNotFound);
    // A quick play now makes a room on the only live node, A.
    expect((await a.seat({ room: '', localUrl: '' })).node).toBe('a');
  });

  it('a node that wakes past its lease closes its rooms and takes a new, higher epoch; old tickets are refused', async () => {
    let clock = 0;
    const a = directory('a', { monotonic: () => clock });
    await a.start('ws://a/ws');
    const first = a.node.epoch;
    const room = await a.create(true);
    const ticket = await a.seat({ room: room.code, localUrl: '' });
    // Within the lease: refreshed, nothing lost.
    clock += 400;
    await a.refresh();
    expect(a.lost).toEqual([]);
    expect(a.node.epoch).toBe(first);
    expect(a.rooms.size).toBe(1);
    // Past it (the timer could not fire for a whole TTL): lease lost, rooms closed.
    clock += 700;
    await a.refresh();
    expect(a.lost).toHaveLength(1);
    expect(a.rooms.size).toBe(0);
    expect(a.node.epoch).toBeGreaterThan(first);
    // A ticket from the old epoch is worth nothing under the new one.
    expect(await refusal(a.redeem(ticket.ticket, room.code))).toBe(CloseCode.SeatTicketRefused);
  });

  it('an evicted lease (the key gone while the node was awake) is lost too; a node id reused by another process fences the old one', async () => {
    const a = directory('same');
    await a.start('ws://a/ws');
    await a.create(false);
    const a2 = directory('same');
    await a2.start('ws://a2/ws');
    expect(a2.node.epoch).toBeGreaterThan(a.node.epoch);
    await a.refresh();
    expect(a.lost).toHaveLength(1);
    expect(a.rooms.size).toBe(0);
  });

  it('new rooms go by tick headroom only past half the budget: a p99 under it is a tie the fewer players win, one near the budget loses', async () => {
    let aLoad = { players: 0, tickP99Ms: 15, budgetMs: 33 };
    const a = directory('a', { load: () => aLoad });
    const b = directory('b', { load: () => ({ players: 3, tickP99Ms: 2, budgetMs: 33 }) });
    await a.start('ws://a/ws');
    await b.start('ws://b/ws');
    // A's p99 of 15 ms is under half of 33: as good as B's 2 ms, and A has fewer players.
    expect((await b.seat({ room: CREATE_PRIVATE_ROOM, localUrl: '' })).node).toBe('a');
    // At 30 ms of 33 A has little headroom left: B takes the new room despite its players.
    aLoad = { players: 0, tickP99Ms: 30, budgetMs: 33 };
    await a.refresh();
    expect((await b.seat({ room: CREATE_PRIVATE_ROOM, localUrl: '' })).node).toBe('b');
  });

  it('a ticket redeems once, on its node, for its room', async () => {
    const a = directory('a');
    const b = directory('b');
    await a.start('ws://a/ws');
    await b.start('ws://b/ws');
    const room = await a.create(false);
    const t1 = await b.seat({ room: room.code, localUrl: '' });
    expect(t1).toMatchObject({ node: 'a', url: 'ws://a/ws', room: room.code });
    expect(await refusal(b.redeem(t1.ticket, room.code))).toBe(CloseCode.SeatTicketRefused);
    const t2 = await b.seat({ room: room.code, localUrl: '' });
    expect(await a.redeem(t2.ticket, room.code)).toBe(room);
    expect(await refusal(a.redeem(t2.ticket, room.code))).toBe(CloseCode.SeatTicketRefused);
    expect(await refusal(a.redeem('never-issued', room.code))).toBe(CloseCode.SeatTicketRefused);
  });

  it('Redis unreachable: requests get 4014 at once, the rooms stay, and the node lists them again when Redis is back', async () => {
    const a = directory('a');
    await a.start('ws://a/ws');
    const room = await a.create(true);
    await a.refresh();
    const epoch = a.node.epoch;
    await redis.kill();
    await waitFor(() => !a.status().connected, 'the directory to notice');
    expect(await refusal(a.seat({ room: '', localUrl: '' }))).toBe(CloseCode.DirectoryUnavailable);
    expect(await refusal(a.create(false))).toBe(CloseCode.DirectoryUnavailable);
    expect(await refusal(a.redeem('x', room.code))).toBe(CloseCode.DirectoryUnavailable);
    await a.refresh();
    await a.refresh();
    expect(a.rooms.get(room.code)).toBe(room);
    // Back, empty (nothing persisted): the node registers again and rebuilds its listing.
    await redis.restart();
    await waitFor(() => {
      void a.refresh();
      return a.status().connected;
    }, 'the node to register again', 5000);
    expect(a.lost).toEqual([]);
    expect(a.node.epoch).toBeGreaterThan(epoch);
    expect(a.rooms.get(room.code)).toBe(room);
    const b = directory('b');
    await b.start('ws://b/ws');
    expect((await b.seat({ room: room.code, localUrl: '' })).node).toBe('a');
  });
});
