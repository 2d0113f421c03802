/**
 * Two real nodes sharing one real Redis: seats, tickets, placement and codes across
 * nodes, through POST /api/seat and a Hello with the ticket.
 */
import { describe, expect, it } from 'vitest';
import { ClientKind, CloseCode, CREATE_PRIVATE_ROOM, PROTOCOL_VERSION } from '../../../protocol/index.ts';
import { waitFor } from '../harness.ts';
import { clusterFixture, getJson, postSeat, seat } from './cluster-fixtures.ts';

const c = clusterFixture();

describe('cluster matchmaking through the Redis directory', () => {
  it('quick play asked of node A lands in node B\'s room with a ticket B honours once', async () => {
    const a = await c.node({ nodeId: 'node-a' });
    const b = await c.node({ nodeId: 'node-b' });
    // A public room on B, made by an old-style Hello without a ticket.
    const first = c.client(b.port);
    const w0 = await first.join('first');
    const g = await seat(a);
    expect(g).toMatchObject({ node: 'node-b', room: w0.roomCode, url: `ws://127.0.0.1:${b.port}/ws` });
    expect(g.expiresInMs).toBeGreaterThan(0);
    const { client, welcome } = await c.join(g, 'second');
    expect(welcome.roomCode).toBe(w0.roomCode);
    expect(b.game.directory.rooms.get(w0.roomCode)!.size).toBe(2);
    await waitFor(() => client.snapshots().length > 0, 'snapshots on B');
    // The same ticket again: refused with 4012, the client rematches.
    const again = await c.connect(g, 'thief');
    expect((await again.closed()).code).toBe(CloseCode.SeatTicketRefused);
    // /api/rooms on A lists B's room with B's URL and id.
    const rooms = (await getJson(a, '/api/rooms'))['rooms'] as { code: string; node: string; url: string }[];
    expect(rooms).toContainEqual(expect.objectContaining({ code: w0.roomCode, node: 'node-b', url: `ws://127.0.0.1:${b.port}/ws` }));
    const health = await getJson(a, '/healthz');
    expect(health['node']).toMatchObject({ id: 'node-a' });
    expect((health['node'] as { epoch: number }).epoch).toBeGreaterThan(0);
    expect(health['directory']).toMatchObject({ kind: 'redis', connected: true });
  });

  it('a ticket is refused on another node, for another room, and once expired', async () => {
    const a = await c.node({ nodeId: 'a', ticketTtlMs: 400 });
    const b = await c.node({ nodeId: 'b', ticketTtlMs: 400 });
    const g = await seat(a, CREATE_PRIVATE_ROOM);
    const other = g.node === 'a' ? b : a;
    const wrongNode = c.client(other.port);
    await wrongNode.open();
    wrongNode.send({ kind: ClientKind.Hello, version: PROTOCOL_VERSION, name: 'x', room: g.room, ticket: g.ticket });
    expect((await wrongNode.closed()).code).toBe(CloseCode.SeatTicketRefused);
    // Spent by that attempt: a ticket is looked at once, wherever it is shown.
    expect((await (await c.connect(g, 'late')).closed()).code).toBe(CloseCode.SeatTicketRefused);
    const g2 = await seat(a, g.room);
    expect((await (await c.connect({ ...g2, room: 'ZZZZZ' }, 'wrong room')).closed()).code).toBe(CloseCode.SeatTicketRefused);
    const g3 = await seat(a, g.room);
    // Expired: wait until Redis itself no longer holds it (its PX), then present it.
    await c.untilRedis((r) => r.exists(`${c.prefix()}ticket:${g3.ticket}`), (n) => n === 0, 'the ticket to expire');
    expect((await (await c.connect(g3, 'expired')).closed()).code).toBe(CloseCode.SeatTicketRefused);
  });

  it('concurrent seat claims from both nodes never fill a room past its capacity', async () => {
    const a = await c.node({ nodeId: 'a', maxPlayers: 5 });
    const b = await c.node({ nodeId: 'b', maxPlayers: 5 });
    const host = await seat(a, CREATE_PRIVATE_ROOM);
    const replies = await Promise.all(Array.from({ length: 24 }, (_, i) => postSeat(i % 2 ? a : b, { room: host.room })));
    const granted = replies.filter((r) => r.status === 200);
    // The creator's pending seat counts: 4 more fit.
    expect(granted.length).toBe(4);
    for (const r of replies.filter((x) => x.status !== 200)) expect(r).toMatchObject({ status: 409, body: { code: CloseCode.RoomFull } });
    const joined = await Promise.all([host, ...granted.map((r) => r.body as never)].map((g, i) => c.join(g, `p${i}`)));
    expect(joined.every((j) => j.welcome.roomCode === host.room)).toBe(true);
    const owner = host.node === 'a' ? a : b;
    expect(owner.game.directory.rooms.get(host.room)!.size).toBe(5);
    expect((await postSeat(a, { room: host.room })).status).toBe(409);
  });

  it('quick play from many clients at once fills rooms in turn across both nodes, none over capacity', async () => {
    const a = await c.node({ nodeId: 'a', maxPlayers: 4 });
    const b = await c.node({ nodeId: 'b', maxPlayers: 4 });
    const grants = await Promise.all(Array.from({ length: 16 }, (_, i) => seat(i % 2 ? a : b)));
    const perRoom = new Map<string, number>();
    for (const g of grants) perRoom.set(g.room, (perRoom.get(g.room) ?? 0) + 1);
    expect([...perRoom.values()].every((n) => n <= 4)).toBe(true);
    expect(perRoom.size).toBe(4);
    const nodes = new Set(grants.map((g) => g.node));
    expect(nodes).toEqual(new Set(['a', 'b']));
    await Promise.all(grants.map((g, i) => c.join(g, `q${i}`)));
    for (const s of [a, b]) for (const room of s.game.directory.rooms.values()) expect(room.size).toBeLessThanOrEqual(4);
  });

  it('a create retried with the same request id gets the same room and ticket, never a second room', async () => {
    const a = await c.node({ nodeId: 'a' });
    const b = await c.node({ nodeId: 'b' });
    const id = 'req-0123456789';
    const [x, y] = await Promise.all([seat(a, CREATE_PRIVATE_ROOM, id), seat(b, CREATE_PRIVATE_ROOM, id)]);
    expect(y).toEqual(x);
    await c.join(x, 'creator');
    // After the ticket is used, a retry still gets that room (a new seat in it).
    const z = await seat(a, CREATE_PRIVATE_ROOM, id);
    expect(z.room).toBe(x.room);
    expect(z.ticket).not.toBe(x.ticket);
    const rooms = [...a.game.directory.rooms.keys(), ...b.game.directory.rooms.keys()];
    expect(rooms).toEqual([x.room]);
  });

  it('private room codes are unique across nodes even when both draw the same codes', async () => {
    // The same seed: both nodes' random codes come in the same order, so they collide.
    const a = await c.node({ nodeId: 'a', seed: 7 });
    const b = await c.node({ nodeId: 'b', seed: 7 });
    const codes: string[] = [];
    for (let i = 0; i < 10; i++) {
      for (const s of [a, b]) {
        const cl = c.client(s.port);
        codes.push((await cl.join(`c${i}`, CREATE_PRIVATE_ROOM)).roomCode);
      }
    }
    expect(new Set(codes).size).toBe(codes.length);
  });

  it('a new room goes to the node with the most room to spare, by players and not room count', async () => {
    const a = await c.node({ nodeId: 'a', maxPlayers: 8, maxRooms: 4 });
    const b = await c.node({ nodeId: 'b', maxPlayers: 8, maxRooms: 4 });
    // A: one room, 6 players. B: two rooms, 1 player each. B has more rooms and more spare.
    const code = (await c.client(a.port).join('a0', CREATE_PRIVATE_ROOM)).roomCode;
    for (let i = 1; i < 6; i++) await c.client(a.port).join(`a${i}`, code);
    await c.client(b.port).join('b0', CREATE_PRIVATE_ROOM);
    await c.client(b.port).join('b1', CREATE_PRIVATE_ROOM);
    // Once A's lease carries its load (the next refresh), a new room goes to B.
    await c.untilRedis((r) => r.hget(`${c.prefix()}node:a`, 'players'), (n) => n === '6', "A's lease to show 6 players");
    const placed = await seat(a, CREATE_PRIVATE_ROOM);
    expect(placed.node).toBe('b');
  });
});
