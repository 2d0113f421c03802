/**
 * ReconnectingLink with a seat source (cluster matchmaking): ask where to play, connect
 * there with the ticket, rematch by itself on 4012/4013, resume on the player's node.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { ClientKind, CloseCode, decodeClientMessage, encodeServerMessage, type ClientMessage } from '../../../protocol/index.ts';
import { ReconnectingLink } from '../../../game-client/src/net/link.ts';
import { SeatRefused, httpSeat, seatEndpoint, type SeatAnswer } from '../../../game-client/src/net/seat.ts';
import { FakeClock, FakeSocket, welcomeMsg } from './helpers.ts';

const sent = (sock: FakeSocket): ClientMessage[] => sock.sent.map((b) => decodeClientMessage(b));
const latest = (): FakeSocket => FakeSocket.instances[FakeSocket.instances.length - 1]!;
const flush = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

/** A seat source the test answers by hand. */
function seats() {
  const asked: { room: string; requestId: string; resolve: (a: SeatAnswer) => void; reject: (e: Error) => void }[] = [];
  const ask = (room: string, requestId: string): Promise<SeatAnswer> =>
    new Promise((resolve, reject) => asked.push({ room, requestId, resolve, reject }));
  return { asked, ask };
}

function makeLink(room = '', reconnect = true) {
  const clock = new FakeClock(10_000);
  const s = seats();
  const log = { closed: [] as [number, string][], reconnecting: [] as number[], welcomes: 0 };
  const link = new ReconnectingLink(
    {
      url: 'ws://page.test/ws',
      WebSocket: () => FakeSocket,
      now: clock.now,
      name: 'Ann',
      room,
      reconnect: reconnect ? { baseDelayMs: 500, maxDelayMs: 4000, maxAttempts: 3, random: () => 0.5 } : null,
      seat: s.ask,
    },
    {
      welcome: () => void log.welcomes++,
      message: () => {},
      reconnecting: (a) => void log.reconnecting.push(a.code),
      closed: (code, reason) => void log.closed.push([code, reason]),
    },
  );
  return { clock, link, log, seats: s };
}

describe('ReconnectingLink with /api/seat', () => {
  beforeEach(() => {
    FakeSocket.instances = [];
  });

  it('asks for a seat, then connects to the node it names with the ticket in the Hello', async () => {
    const env = makeLink('');
    env.link.open();
    expect(env.link.state).toBe('seating');
    expect(FakeSocket.instances).toHaveLength(0);
    expect(env.seats.asked[0]).toMatchObject({ room: '' });
    expect(env.seats.asked[0]!.requestId).toMatch(/^[A-Za-z0-9]{20}$/);
    env.seats.asked[0]!.resolve({ url: 'ws://node-b.test/ws', ticket: 'tkt', room: 'QK7MZ' });
    await flush();
    const s = latest();
    expect(s.url).toBe('ws://node-b.test/ws');
    s.open();
    expect(sent(s)[0]).toMatchObject({ kind: ClientKind.Hello, room: 'QK7MZ', ticket: 'tkt' });
    expect((sent(s)[0] as { resumeToken?: string }).resumeToken).toBeUndefined();
    s.deliver(encodeServerMessage(welcomeMsg({ roomCode: 'QK7MZ' })));
    expect(env.link.state).toBe('open');
  });

  it('a refused ticket (4012), even before any Welcome, is answered by a new seat request at once', async () => {
    const env = makeLink('', false);
    env.link.open();
    env.seats.asked[0]!.resolve({ url: 'ws://b.test/ws', ticket: 't1', room: 'QK7MZ' });
    await flush();
    latest().open();
    latest().serverClose(CloseCode.SeatTicketRefused, 'expired');
    expect(env.link.state).toBe('seating');
    expect(env.seats.asked).toHaveLength(2);
    expect(env.log.closed).toEqual([]);
  });

  it('a node that lost its lease (4013): no resume on it, a new seat for the same private room', async () => {
    const env = makeLink('new');
    env.link.open();
    env.seats.asked[0]!.resolve({ url: 'ws://a.test/ws', ticket: 't1', room: 'PRVX7' });
    await flush();
    latest().open();
    latest().deliver(encodeServerMessage(welcomeMsg({ roomCode: 'PRVX7', privateRoom: true, resumeToken: 'tok' })));
    latest().serverClose(CloseCode.NodeLeaseLost, 'lease lost');
    expect(env.seats.asked).toHaveLength(2);
    expect(env.seats.asked[1]!.room).toBe('PRVX7');
    env.seats.asked[1]!.resolve({ url: 'ws://b.test/ws', ticket: 't2', room: 'PRVX7' });
    await flush();
    latest().open();
    expect(latest().url).toBe('ws://b.test/ws');
    expect(sent(latest())[0]).toMatchObject({ ticket: 't2', room: 'PRVX7' });
    expect((sent(latest())[0] as { resumeToken?: string }).resumeToken).toBeUndefined();
  });

  it('a dropped connection resumes on the player\'s node with its token, no seat; after 4011 it asks for a seat', async () => {
    const env = makeLink('');
    env.link.open();
    env.seats.asked[0]!.resolve({ url: 'ws://b.test/ws', ticket: 't1', room: 'QK7MZ' });
    await flush();
    latest().open();
    latest().deliver(encodeServerMessage(welcomeMsg({ roomCode: 'QK7MZ', resumeToken: 'tok' })));
    latest().serverClose(1006, 'gone');
    env.clock.t += 1000;
    env.link.update(env.clock.t);
    expect(latest().url).toBe('ws://b.test/ws');
    latest().open();
    expect(sent(latest())[0]).toMatchObject({ resumeToken: 'tok' });
    expect(env.seats.asked).toHaveLength(1);
    latest().serverClose(CloseCode.ResumeRefused, 'gone');
    env.link.update(env.clock.t);
    expect(env.link.state).toBe('seating');
    expect(env.seats.asked).toHaveLength(2);
  });

  it('a seat refusal ends the link with its code (4004 for a gone room); rematches stop after three in a row', async () => {
    const env = makeLink('ZZZZZ');
    env.link.open();
    env.seats.asked[0]!.reject(new SeatRefused(CloseCode.RoomNotFound, 'no room'));
    await flush();
    expect(env.log.closed).toEqual([[CloseCode.RoomNotFound, 'no room']]);
    const loop = makeLink('');
    loop.link.open();
    for (let i = 0; i < 4; i++) {
      loop.seats.asked[i]!.resolve({ url: 'ws://b.test/ws', ticket: `t${i}`, room: 'QK7MZ' });
      await flush();
      latest().open();
      latest().serverClose(CloseCode.SeatTicketRefused, 'no');
      loop.clock.t += 10_000;
      loop.link.update(loop.clock.t);
    }
    expect(loop.seats.asked).toHaveLength(4);
    expect(loop.log.closed).toEqual([[CloseCode.SeatTicketRefused, 'no']]);
  });
});

describe('httpSeat', () => {
  it('posts to the node\'s /api/seat and turns an error answer into SeatRefused with its code', async () => {
    expect(seatEndpoint('wss://play.example.com/ws')).toBe('https://play.example.com/api/seat');
    expect(seatEndpoint('ws://127.0.0.1:8080/ws')).toBe('http://127.0.0.1:8080/api/seat');
    const calls: { url: string; body: string }[] = [];
    const ok = httpSeat('ws://n.test/ws', async (url, init) => {
      calls.push({ url, body: init.body });
      return { status: 200, json: async () => ({ url: 'ws://b.test/ws', ticket: 't', room: 'QK7MZ', node: 'b', expiresInMs: 1 }) };
    });
    expect(await ok('', 'abcdefgh12')).toMatchObject({ url: 'ws://b.test/ws', ticket: 't' });
    expect(calls).toEqual([{ url: 'http://n.test/api/seat', body: '{"room":"","requestId":"abcdefgh12"}' }]);
    const busy = httpSeat('ws://n.test/ws', async () => ({ status: 503, json: async () => ({ error: 'down', code: 4014 }) }));
    await expect(busy('', 'abcdefgh12')).rejects.toMatchObject({ code: 4014, reason: 'down' });
    const bogus = httpSeat('ws://n.test/ws', async () => ({ status: 200, json: async () => ({ url: 'javascript:x', ticket: 't', room: 'A' }) }));
    await expect(bogus('', 'abcdefgh12')).rejects.toBeInstanceOf(SeatRefused);
    const down = httpSeat('ws://n.test/ws', async () => {
      throw new Error('ECONNREFUSED');
    });
    await expect(down('', 'abcdefgh12')).rejects.toMatchObject({ code: 1006 });
  });
});
