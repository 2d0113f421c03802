import { beforeEach, describe, expect, it } from 'vitest';
import {
  ClientKind,
  CloseCode,
  CREATE_PRIVATE_ROOM,
  ServerKind,
  decodeClientMessage,
  encodeServerMessage,
  type ClientMessage,
  type ServerMessage,
} from '../../../protocol/index.ts';
import type { ReconnectAttempt } from '../../../game-client/src/net/client-types.ts';
import { ReconnectingLink } from '../../../game-client/src/net/link.ts';
import type { ReconnectOptions } from '../../../game-client/src/net/reconnect.ts';
import { FakeClock, FakeSocket, welcomeMsg } from './helpers.ts';

function sent(sock: FakeSocket): ClientMessage[] {
  return sock.sent.map((b) => decodeClientMessage(b));
}

function deliver(sock: FakeSocket, msg: ServerMessage): void {
  sock.deliver(encodeServerMessage(msg));
}

const latest = (): FakeSocket => FakeSocket.instances[FakeSocket.instances.length - 1]!;

/** A link with a log of what it reported. */
function makeLink(reconnect: ReconnectOptions | null = { baseDelayMs: 500, maxDelayMs: 4000, maxAttempts: 3, random: () => 0.5 }, room = '') {
  const clock = new FakeClock(10_000);
  const log = {
    welcomes: [] as { playerId: number; arrival: number }[],
    messages: [] as number[],
    reconnecting: [] as ReconnectAttempt[],
    closed: [] as [number, string][],
  };
  const link = new ReconnectingLink(
    { url: 'ws://example.test/ws', WebSocket: () => FakeSocket, now: clock.now, name: 'Ann', room, reconnect },
    {
      welcome: (w, arrival) => log.welcomes.push({ playerId: w.playerId, arrival }),
      message: (m) => log.messages.push(m.kind),
      reconnecting: (a) => log.reconnecting.push(a),
      closed: (code, reason) => log.closed.push([code, reason]),
    },
  );
  return { clock, link, log };
}

/** Open the first connection and take its Welcome. */
function welcomed(env: ReturnType<typeof makeLink>, token = 'tok-1'): FakeSocket {
  env.link.open();
  const s = latest();
  s.open();
  deliver(s, welcomeMsg({ resumeToken: token }));
  return s;
}

describe('ReconnectingLink', () => {
  beforeEach(() => {
    FakeSocket.instances = [];
  });

  it('idle -> opening (Hello on open) -> open on the Welcome; sends only once welcomed', () => {
    const env = makeLink(null, 'abcd'.toUpperCase());
    expect(env.link.state).toBe('idle');
    env.link.open();
    expect(env.link.state).toBe('opening');
    const s = latest();
    s.open();
    expect(sent(s)).toEqual([{ kind: ClientKind.Hello, version: expect.any(Number), name: 'Ann', room: 'ABCD' }]);
    expect(env.link.send({ kind: ClientKind.Chat, text: 'early' })).toBe(false);
    deliver(s, { kind: ServerKind.Pong, clientTime: 1, serverTime: 2 });
    env.clock.t += 5;
    deliver(s, welcomeMsg());
    expect(env.link.state).toBe('open');
    expect(env.log.welcomes).toEqual([{ playerId: 7, arrival: 10_005 }]);
    expect(env.log.messages).toEqual([ServerKind.Pong]);
    expect(env.link.send({ kind: ClientKind.Chat, text: 'hi' })).toBe(true);
    expect(sent(s).at(-1)).toEqual({ kind: ClientKind.Chat, text: 'hi' });
    expect(() => env.link.open()).toThrow(/already/);
  });

  it('without reconnect the first close is final and reported once', () => {
    const env = makeLink(null);
    const s = welcomed(env);
    s.serverClose(1006, '');
    expect(env.link.state).toBe('closed');
    expect(env.log.closed).toEqual([[1006, '']]);
    expect(env.log.reconnecting).toEqual([]);
    expect(env.link.lastClose).toEqual({ code: 1006, reason: '' });
  });

  it('a loss before any Welcome is final even with reconnect: only a game that started is resumed', () => {
    const env = makeLink();
    env.link.open();
    latest().open();
    latest().serverClose(1006, '');
    expect(env.link.state).toBe('closed');
    expect(env.log.closed).toEqual([[1006, '']]);
  });

  it('open -> waiting -> opening at the due time, presenting the resume token; a hanging attempt is abandoned and retried', () => {
    const env = makeLink();
    const s1 = welcomed(env, 'tok-1');
    s1.serverClose(1006, 'gone');
    expect(env.link.state).toBe('waiting');
    expect(env.log.reconnecting).toEqual([{ attempt: 1, delayMs: 375, code: 1006, reason: 'gone' }]);
    env.clock.t += 374;
    env.link.update(env.clock.t);
    expect(env.link.state).toBe('waiting');
    expect(FakeSocket.instances).toHaveLength(1);
    env.clock.t += 1;
    env.link.update(env.clock.t);
    expect(env.link.state).toBe('opening');
    const s2 = latest();
    s2.open();
    expect(sent(s2)[0]).toMatchObject({ kind: ClientKind.Hello, resumeToken: 'tok-1' });
    // No Welcome within the attempt timeout (default 10 s): closed by this side, retried.
    env.clock.t += 10_000;
    env.link.update(env.clock.t);
    expect(env.link.state).toBe('opening');
    env.clock.t += 1;
    env.link.update(env.clock.t);
    expect(s2.closedWith).toEqual({ code: CloseCode.Normal, reason: 'reconnect attempt timed out' });
    expect(env.link.state).toBe('waiting');
    expect(env.log.reconnecting.map((a) => [a.attempt, a.delayMs])).toEqual([[1, 375], [2, 750]]);
    expect(env.log.closed).toEqual([]);
  });

  it('the first connection has no attempt timeout', () => {
    const env = makeLink();
    env.link.open();
    env.clock.t += 60_000;
    env.link.update(env.clock.t);
    expect(env.link.state).toBe('opening');
    expect(latest().closedWith).toBeNull();
  });

  it('restart() is retried whatever its code; reject() with the same code is final', () => {
    const a = makeLink();
    welcomed(a);
    a.link.restart(CloseCode.Malformed, 'snapshot out of sync');
    expect(a.link.state).toBe('waiting');
    expect(a.log.reconnecting[0]).toMatchObject({ code: CloseCode.Malformed, reason: 'snapshot out of sync' });

    FakeSocket.instances = [];
    const b = makeLink();
    welcomed(b);
    b.link.reject(CloseCode.Malformed, 'no');
    expect(b.link.state).toBe('closed');
    expect(b.log.closed).toEqual([[CloseCode.Malformed, 'no']]);
  });

  it('a second Welcome on one connection is refused with UnexpectedMessage, and that is final', () => {
    const env = makeLink();
    const s = welcomed(env);
    deliver(s, welcomeMsg());
    expect(s.closedWith?.code).toBe(CloseCode.UnexpectedMessage);
    expect(env.log.welcomes).toHaveLength(1);
    expect(env.link.state).toBe('closed');
    expect(env.log.closed).toEqual([[CloseCode.UnexpectedMessage, 'second welcome']]);
  });

  it('a created private room is rejoined by its code, not created again', () => {
    const env = makeLink(undefined, CREATE_PRIVATE_ROOM);
    env.link.open();
    const s1 = latest();
    s1.open();
    expect(sent(s1)[0]).toMatchObject({ room: CREATE_PRIVATE_ROOM });
    deliver(s1, welcomeMsg({ roomCode: 'QK7MZ' }));
    s1.serverClose(1006, '');
    env.clock.t += 1000;
    env.link.update(env.clock.t);
    latest().open();
    expect(sent(latest())[0]).toMatchObject({ room: 'QK7MZ' });
  });

  it('after a restart (4010, then 4011 for the token) a private room is rejoined by its code, and 4004 for it is final', () => {
    const env = makeLink(undefined, CREATE_PRIVATE_ROOM);
    env.link.open();
    const s1 = latest();
    s1.open();
    deliver(s1, welcomeMsg({ roomCode: 'QK7MZ', resumeToken: 'tok-1', resumed: false, privateRoom: true }));
    s1.serverClose(CloseCode.ServerShutdown, 'restarting');
    env.clock.t += 1000;
    env.link.update(env.clock.t);
    const s2 = latest();
    s2.open();
    expect(sent(s2)[0]).toMatchObject({ room: 'QK7MZ', resumeToken: 'tok-1' });
    s2.serverClose(CloseCode.ResumeRefused, 'unknown token');
    env.link.update(env.clock.t);
    const s3 = latest();
    s3.open();
    const hello = sent(s3)[0]!;
    expect(hello).toMatchObject({ room: 'QK7MZ' });
    expect(hello).not.toHaveProperty('resumeToken');
    s3.serverClose(CloseCode.RoomNotFound, 'no such room');
    expect(env.link.state).toBe('closed');
    expect(env.log.closed).toEqual([[CloseCode.RoomNotFound, 'no such room']]);
  });

  it('after a restart a public room, even one joined by its code, is left for quick play', () => {
    const env = makeLink(undefined, 'ABCD');
    env.link.open();
    const s1 = latest();
    s1.open();
    deliver(s1, welcomeMsg({ roomCode: 'ABCD', resumeToken: 'tok-1', resumed: false, privateRoom: false }));
    s1.serverClose(CloseCode.ServerShutdown, 'restarting');
    env.clock.t += 1000;
    env.link.update(env.clock.t);
    latest().open();
    latest().serverClose(CloseCode.ResumeRefused, 'unknown token');
    env.link.update(env.clock.t);
    latest().open();
    expect(sent(latest())[0]).toMatchObject({ kind: ClientKind.Hello, room: '' });
  });

  it('joined() starts the backoff over; without it the delays keep growing', () => {
    const env = makeLink({ baseDelayMs: 500, maxDelayMs: 4000, maxAttempts: 5, random: () => 0.5 });
    welcomed(env).serverClose(1006, '');
    for (const join of [false, true]) {
      env.clock.t += 10_000;
      env.link.update(env.clock.t);
      const s = latest();
      s.open();
      deliver(s, welcomeMsg());
      if (join) env.link.joined();
      s.serverClose(1006, '');
    }
    expect(env.log.reconnecting.map((a) => a.delayMs)).toEqual([375, 750, 375]);
  });

  it('gives up after maxAttempts and reports the last close once', () => {
    const env = makeLink();
    welcomed(env).serverClose(1006, '');
    for (let i = 0; i < 3; i++) {
      env.clock.t += 10_000;
      env.link.update(env.clock.t);
      latest().serverClose(CloseCode.ServerFull, 'busy');
    }
    expect(env.log.reconnecting).toHaveLength(3);
    expect(env.link.state).toBe('closed');
    expect(env.log.closed).toEqual([[CloseCode.ServerFull, 'busy']]);
  });

  it('close() between attempts ends at once with 1000; in idle it ends silently', () => {
    const env = makeLink();
    welcomed(env).serverClose(1006, '');
    env.link.close('bye');
    expect(env.link.state).toBe('closed');
    expect(env.log.closed).toEqual([[CloseCode.Normal, 'bye']]);
    expect(env.link.lastClose).toEqual({ code: CloseCode.Normal, reason: 'bye' });
    env.clock.t += 60_000;
    env.link.update(env.clock.t);
    expect(FakeSocket.instances).toHaveLength(1);

    const idle = makeLink();
    idle.link.close('never opened');
    expect(idle.link.state).toBe('closed');
    expect(idle.log.closed).toEqual([]);
  });

  it('counts bytes over every connection', () => {
    const env = makeLink();
    const s1 = welcomed(env);
    const first = env.link.bytesIn;
    expect(first).toBeGreaterThan(0);
    expect(env.link.bytesOut).toBe(s1.sent.reduce((n, b) => n + b.byteLength, 0));
    s1.serverClose(1006, '');
    expect(env.link.bytesIn).toBe(first);
    env.clock.t += 1000;
    env.link.update(env.clock.t);
    const s2 = latest();
    s2.open();
    deliver(s2, welcomeMsg());
    expect(env.link.bytesIn).toBeGreaterThan(first);
    expect(env.link.bytesOut).toBe([...s1.sent, ...s2.sent].reduce((n, b) => n + b.byteLength, 0));
  });
});
