/**
 * POST /api/seat on a single process (no Redis): the seat points at this node and its
 * ticket works in a Hello; hostile bodies, sizes and rates get their documented answers.
 */
import { describe, expect, it } from 'vitest';
import { ClientKind, CloseCode, CREATE_PRIVATE_ROOM, PROTOCOL_VERSION } from '../../protocol/index.ts';
import type { SeatGrant } from '../../game-server/directory/room-directory.ts';
import { perTestServer, waitFor } from './harness.ts';

const t = perTestServer();

async function post(port: number, body: string, headers: Record<string, string> = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`http://127.0.0.1:${port}/api/seat`, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('POST /api/seat in one process', () => {
  it('answers a seat on this node whose ticket joins the room once', async () => {
    const s = await t.start();
    const r = await post(s.port, JSON.stringify({ room: '' }));
    expect(r.status).toBe(200);
    const g = r.body as unknown as SeatGrant;
    expect(g).toMatchObject({ url: `ws://127.0.0.1:${s.port}/ws`, node: s.game.directory.node.id });
    expect(g.ticket).toMatch(/^[A-Za-z0-9_-]{22}$/);
    const c = t.client();
    await c.open();
    c.send({ kind: ClientKind.Hello, version: PROTOCOL_VERSION, name: 'a', room: g.room, ticket: g.ticket });
    const w = await waitFor(() => c.welcome(), 'welcome');
    expect(w.roomCode).toBe(g.room);
    const again = t.client();
    await again.open();
    again.send({ kind: ClientKind.Hello, version: PROTOCOL_VERSION, name: 'b', room: g.room, ticket: g.ticket });
    expect((await again.closed()).code).toBe(CloseCode.SeatTicketRefused);
    // A code, and a private room, the same way; a retried create gets the same answer.
    expect((await post(s.port, JSON.stringify({ room: g.room }))).body['room']).toBe(g.room);
    const p1 = await post(s.port, JSON.stringify({ room: CREATE_PRIVATE_ROOM, requestId: 'abcdefgh12' }));
    const p2 = await post(s.port, JSON.stringify({ room: CREATE_PRIVATE_ROOM, requestId: 'abcdefgh12' }));
    expect(p2.body).toEqual(p1.body);
    expect(s.game.directory.rooms.get(String(p1.body['room']))!.isPublic).toBe(false);
    // /api/rooms entries name their node and URL.
    const rooms = (await (await fetch(`http://127.0.0.1:${s.port}/api/rooms`)).json()) as { rooms: unknown[] };
    expect(rooms.rooms).toContainEqual({ code: g.room, players: 1, capacity: 32, node: g.node, url: g.url });
  });

  it('limits seat requests per address to --max-connections-per-ip a second (429 with 4006)', async () => {
    const s = await t.start({ maxConnectionsPerIp: 2 });
    const t0 = performance.now();
    const replies = await Promise.all(Array.from({ length: 20 }, () => post(s.port, JSON.stringify({ room: '' }))));
    const seconds = (performance.now() - t0) / 1000;
    const ok = replies.filter((r) => r.status === 200).length;
    // A burst of 2, then 2 a second refilled while the requests were answered.
    expect(ok).toBeGreaterThanOrEqual(2);
    expect(ok).toBeLessThanOrEqual(2 + Math.ceil(seconds * 2));
    for (const r of replies.filter((x) => x.status !== 200)) expect(r).toMatchObject({ status: 429, body: { code: CloseCode.RateLimited } });
  });

  it('refuses bad JSON, unknown fields, bad codes, an unknown room and a big body', async () => {
    const s2 = await t.start({ maxConnectionsPerIp: 0 });
    expect(await post(s2.port, '{nope')).toMatchObject({ status: 400, body: { code: CloseCode.Malformed } });
    expect(await post(s2.port, '[]')).toMatchObject({ status: 400, body: { code: CloseCode.Malformed } });
    expect(await post(s2.port, JSON.stringify({ room: '', admin: true }))).toMatchObject({ status: 400 });
    expect(await post(s2.port, JSON.stringify({ room: 'abc' }))).toMatchObject({ status: 400, body: { code: CloseCode.Malformed } });
    expect(await post(s2.port, JSON.stringify({ room: 'ZZZZZ' }))).toMatchObject({ status: 404, body: { code: CloseCode.RoomNotFound } });
    expect(await post(s2.port, JSON.stringify({ room: '', requestId: 'x' }))).toMatchObject({ status: 400 });
    expect(await post(s2.port, JSON.stringify({ room: '', pad: 'x'.repeat(600) }))).toMatchObject({ status: 413, body: { code: CloseCode.FrameTooLarge } });
    const res = await fetch(`http://127.0.0.1:${s2.port}/api/seat`);
    expect(res.status).not.toBe(200);
  });

  it('a full room answers 409; pending tickets count as taken seats', async () => {
    const s = await t.start({ maxPlayers: 2 });
    const a = await post(s.port, JSON.stringify({ room: CREATE_PRIVATE_ROOM }));
    const code = String(a.body['room']);
    expect((await post(s.port, JSON.stringify({ room: code }))).status).toBe(200);
    expect(await post(s.port, JSON.stringify({ room: code }))).toMatchObject({ status: 409, body: { code: CloseCode.RoomFull } });
  });
});
