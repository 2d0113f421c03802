/**
 * Every limit a host can set, each refused with its documented answer, and nothing else
 * in the room affected; hostile frame contents; the WebSocket upgrade's own refusals.
 */
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { pack } from 'msgpackr';
import {
  ClientKind,
  CloseCode,
  EventType,
  Limits,
  Notice,
  PROTOCOL_VERSION,
  ServerKind,
  encodeClientMessage,
  type GameEvent,
  type RosterMsg,
  type ServerMessage,
} from '../../protocol/index.ts';
import type { DustupServer } from '../../game-server/server.ts';
import { TestClient, perTestServer, waitFor } from './harness.ts';

const fx = perTestServer();
let server: DustupServer | null = null;
const client = (opts?: WebSocket.ClientOptions): TestClient => {
  const c = fx.client(opts);
  c.ws.on('error', () => {}); // refused upgrades are asserted through upgradeStatus
  return c;
};

async function expectClosedWith(c: TestClient, code: number, timeoutMs = 3000): Promise<string> {
  const { code: got, reason } = await c.closed(timeoutMs);
  expect(got, `close reason: ${reason}`).toBe(code);
  return reason;
}

/** 101 when the upgrade succeeds (the socket is then closed), else the HTTP status. */
function upgradeStatus(port: number, opts: WebSocket.ClientOptions = {}): Promise<{ status: number; ws: WebSocket }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, opts);
    ws.on('open', () => resolve({ status: 101, ws }));
    ws.on('unexpected-response', (_req, res) => {
      resolve({ status: res.statusCode ?? 0, ws });
      res.resume();
      ws.terminate();
    });
    ws.on('error', () => {});
  });
}

/** A bystander that joined and keeps receiving snapshots: proof nothing else was affected. */
async function expectStillPlaying(c: TestClient): Promise<void> {
  const n = c.snapshots().length;
  await waitFor(() => c.snapshots().length >= n + 5, 'the bystander to keep receiving snapshots');
  expect(c.closeCode).toBeNull();
}

describe('limits', () => {
  it('--max-frame-bytes: a frame over it is refused with FrameTooLarge (4005)', async () => {
    server = await fx.start({ maxFrameBytes: 64 });
    const bystander = client();
    const w = await bystander.join('bystander');
    const c = client();
    await c.open();
    // A well-formed hello, 70-odd bytes: valid under the protocol's 512, over this host's 64.
    c.send({ kind: ClientKind.Hello, version: PROTOCOL_VERSION, name: 'x'.repeat(60), room: w.roomCode });
    await expectClosedWith(c, CloseCode.FrameTooLarge);
    await expectStillPlaying(bystander);
  });

  it('a frame past the transport limit (16 KiB) is cut by the WebSocket layer; the server keeps running', async () => {
    server = await fx.start();
    const bystander = client();
    await bystander.join('bystander');
    const c = client();
    await c.open();
    c.sendRaw(new Uint8Array(20_000).fill(0x91));
    const { code } = await c.closed();
    expect([1006, 1009]).toContain(code);
    await expectStillPlaying(bystander);
  });

  it('--max-inputs-per-second: a burst past it is refused with RateLimited (4006)', async () => {
    server = await fx.start({ maxInputsPerSecond: 10 });
    const bystander = client();
    const w = await bystander.join('bystander');
    const c = client();
    await c.join('fast', w.roomCode);
    // Burst allowance is two seconds' worth: 20 inputs. 25 at once are too many.
    for (let seq = 1; seq <= 25; seq++) c.send({ kind: ClientKind.Input, seq, buttons: 0, aim: 0 });
    const reason = await expectClosedWith(c, CloseCode.RateLimited);
    expect(reason).toContain('inputs');
    await expectStillPlaying(bystander);
  });

  it('inputs at the tick rate are never limited by the default', async () => {
    server = await fx.start();
    const c = client();
    await c.join('steady');
    const started = Date.now();
    let seq = 0;
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        // Catch up to where a 30 Hz sender should be, as the real client does.
        const due = Math.floor(((Date.now() - started) * 30) / 1000);
        while (seq < due) c.send({ kind: ClientKind.Input, seq: ++seq, buttons: 0, aim: 0 });
        if (Date.now() - started > 2500) {
          clearInterval(timer);
          resolve();
        }
      }, 10);
    });
    await waitFor(() => c.lastSnapshot()!.ackSeq >= seq - 4, 'inputs to be acknowledged');
    expect(c.closeCode).toBeNull();
  });

  it('--max-messages-per-second: pings past it are refused with RateLimited (4006)', async () => {
    server = await fx.start({ maxMessagesPerSecond: 5 });
    const c = client();
    await c.open();
    for (let i = 0; i < 11; i++) c.send({ kind: ClientKind.Ping, clientTime: i });
    await expectClosedWith(c, CloseCode.RateLimited);
  });

  it('--max-chat-per-second: lines past it are dropped with a notice to the sender, who stays connected', async () => {
    server = await fx.start({ maxChatPerSecond: 1 });
    const watcher = client();
    const w = await watcher.join('watcher');
    const c = client();
    await c.join('chatty', w.roomCode);
    // The burst allowance is 3 lines (at least 3, or two seconds' worth).
    for (let i = 1; i <= 6; i++) c.send({ kind: ClientKind.Chat, text: `line ${i}` });
    const chats = (m: ServerMessage[]): GameEvent[] =>
      m.flatMap((x) => (x.kind === ServerKind.Events ? x.events : [])).filter((e) => e.type === EventType.Chat);
    const notices = (m: ServerMessage[]): GameEvent[] =>
      m.flatMap((x) => (x.kind === ServerKind.Events ? x.events : [])).filter((e) => e.type === EventType.Notice);
    await waitFor(() => notices(c.messages).length === 3, 'three notices to the sender');
    await waitFor(() => chats(watcher.messages).length === 3, 'three lines to the room');
    expect(chats(watcher.messages).map((e) => (e as { text: string }).text)).toEqual(['line 1', 'line 2', 'line 3']);
    expect(notices(c.messages).every((e) => (e as { notice: number }).notice === Notice.ChatRateLimited)).toBe(true);
    expect(c.closeCode).toBeNull();
  });

  it('chat lines cannot carry control characters or unbounded length; too long a line is refused with Malformed', async () => {
    server = await fx.start();
    const watcher = client();
    const w = await watcher.join('watcher');
    const c = client();
    await c.join('typist', w.roomCode);
    c.send({ kind: ClientKind.Chat, text: `<b>hi</b>\u0000\u202e\u200b\r\n${'x'.repeat(200)}` });
    const line = await waitFor(
      () =>
        watcher.messages
          .flatMap((x) => (x.kind === ServerKind.Events ? x.events : []))
          .find((e): e is Extract<GameEvent, { type: typeof EventType.Chat }> => e.type === EventType.Chat),
      'the chat line',
    );
    expect(line.text.startsWith('<b>hi</b> xxx')).toBe(true);
    expect([...line.text].length).toBeLessThanOrEqual(Limits.MAX_CHAT_LENGTH);
    expect(/[\p{Cc}\p{Cf}]/u.test(line.text)).toBe(false);
    c.send({ kind: ClientKind.Chat, text: 'y'.repeat(Limits.MAX_RAW_CHAT + 1) });
    await expectClosedWith(c, CloseCode.Malformed);
    await expectStillPlaying(watcher);
  });

  it('--max-connections-per-ip: the upgrade past it is refused with HTTP 429; a closed one frees its slot', async () => {
    server = await fx.start({ maxConnectionsPerIp: 2 });
    const a = await upgradeStatus(server.port);
    const b = await upgradeStatus(server.port);
    expect([a.status, b.status]).toEqual([101, 101]);
    const c = await upgradeStatus(server.port);
    expect(c.status).toBe(429);
    a.ws.close(1000);
    await waitFor(() => server!.game.sessions.size === 1, 'the first socket to close');
    const d = await upgradeStatus(server.port);
    expect(d.status).toBe(101);
    b.ws.terminate();
    d.ws.terminate();
  });

  it('--allowed-origins: a browser from another origin is refused with HTTP 403; listed ones and non-browsers get in', async () => {
    server = await fx.start({ allowedOrigins: ['https://play.example.com'] });
    expect((await upgradeStatus(server.port, { origin: 'https://evil.example.net' })).status).toBe(403);
    expect((await upgradeStatus(server.port, { origin: 'https://play.example.com.evil.net' })).status).toBe(403);
    const ok = await upgradeStatus(server.port, { origin: 'https://play.example.com' });
    expect(ok.status).toBe(101);
    ok.ws.terminate();
    // No Origin header: not a browser (a bot, a native client), which could send any Origin anyway.
    const bot = await upgradeStatus(server.port);
    expect(bot.status).toBe(101);
    bot.ws.terminate();
  });

  it('without --allowed-origins any origin may connect', async () => {
    server = await fx.start();
    const r = await upgradeStatus(server.port, { origin: 'https://anywhere.example' });
    expect(r.status).toBe(101);
    r.ws.terminate();
  });

  it('--handshake-timeout: no hello in time is closed with HandshakeTimeout (4007)', async () => {
    server = await fx.start({ handshakeTimeoutMs: 300 });
    const c = client();
    await c.open();
    const t0 = Date.now();
    await expectClosedWith(c, CloseCode.HandshakeTimeout);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
  });

  it('--max-rooms: quick play when every room is full and no room may be opened is refused with ServerFull (4009)', async () => {
    server = await fx.start({ maxRooms: 1, maxPlayers: 1 });
    const a = client();
    await a.join('first');
    const b = client();
    await b.open();
    b.send({ kind: ClientKind.Hello, version: PROTOCOL_VERSION, name: 'second', room: '' });
    await expectClosedWith(b, CloseCode.ServerFull);
    await expectStillPlaying(a);
  });

  it('--max-players: a room at its seat limit refuses a join by code with RoomFull (4003)', async () => {
    server = await fx.start({ maxPlayers: 2 });
    const a = client();
    const w = await a.join('a');
    const b = client();
    await b.join('b', w.roomCode);
    const c = client();
    await c.open();
    c.send({ kind: ClientKind.Hello, version: PROTOCOL_VERSION, name: 'c', room: w.roomCode });
    await expectClosedWith(c, CloseCode.RoomFull);
  });

  it('--idle-timeout: a socket that answers nothing, not even pings, is dropped; one that answers pings stays', async () => {
    server = await fx.start({ idleTimeoutS: 8, handshakeTimeoutMs: 60_000 });
    const silent = client({ autoPong: false });
    const alive = client();
    await silent.open();
    await alive.join('alive');
    const t0 = Date.now();
    // uWS keeps time in 4 s steps: a ping after about half the timeout, the drop at the
    // next step if nothing came back.
    const { code } = await silent.closed(14_000);
    expect(code).toBe(1006);
    expect(Date.now() - t0).toBeGreaterThan(3000);
    expect(alive.closeCode).toBeNull();
  }, 20_000);
});

describe('hostile frame contents', () => {
  const cases: [string, Uint8Array][] = [
    ['NaN as a sequence number', pack([ClientKind.Input, Number.NaN, 0, 0])],
    ['Infinity as a ping time', pack([ClientKind.Ping, Number.POSITIVE_INFINITY])],
    ['a negative ping time', pack([ClientKind.Ping, -1])],
    ['a float where an integer belongs', pack([ClientKind.Viewport, 1280.5, 720])],
    ['a 64-bit integer', new Uint8Array([0x92, 0x03, 0xcf, 0, 0, 0, 0, 0, 0, 0, 1])],
    ['an array32 header claiming 4 billion elements', new Uint8Array([0xdd, 0xff, 0xff, 0xff, 0xff, 0x01])],
    ['an array16 header claiming 65535 elements', new Uint8Array([0xdc, 0xff, 0xff, 0x01])],
    ['a fixarray claiming more elements than sent', new Uint8Array([0x9f, 0x01])],
    ['nesting 500 levels deep', new Uint8Array([...new Array(500).fill(0x91), 0x01])],
    ['a map', pack({ kind: 1 })],
    ['an extension type', new Uint8Array([0x92, 0x03, 0xd4, 0x01, 0x00])],
    ['trailing bytes after the value', new Uint8Array([0x92, 0x03, 0x01, 0x01])],
    ['an unknown kind', pack([99, 1, 2])],
    ['an empty frame', new Uint8Array(0)],
    ['a hello with a 65-character name', pack([ClientKind.Hello, PROTOCOL_VERSION, 'n'.repeat(65), ''])],
    ['a hello with a resume token of the wrong alphabet', pack([ClientKind.Hello, PROTOCOL_VERSION, 'n', '', 'a+b/c='])],
  ];
  for (const [what, bytes] of cases) {
    it(`${what} is refused with Malformed (4001) and the room plays on`, async () => {
      server = await fx.start();
      const bystander = client();
      const w = await bystander.join('bystander');
      const c = client();
      await c.join('hostile', w.roomCode);
      c.sendRaw(bytes);
      await expectClosedWith(c, CloseCode.Malformed);
      await expectStillPlaying(bystander);
      expect((await fetch(`http://127.0.0.1:${server.port}/healthz`)).status).toBe(200);
    });
  }

  it('names cannot carry markup tricks, control characters or unbounded length', async () => {
    server = await fx.start();
    const a = client();
    const w = await a.join('watcher');
    const b = client();
    await b.join('<img src=x onerror=alert(1)>\u202e\u0007\u200b\nadmin' + 'z'.repeat(20), w.roomCode);
    const joined = await waitFor(
      () => a.messages.find((m) => m.kind === ServerKind.PlayerJoined) as { name: string } | undefined,
      'the join',
    );
    // Kept as text (clients draw names with textContent / canvas text, never as HTML) but
    // without control or invisible characters, and at most 16 code points.
    expect(joined.name).toBe('<img src=x onerr');
    expect(/[\p{Cc}\p{Cf}]/u.test(joined.name)).toBe(false);
    const roster = b.messages.find((m) => m.kind === ServerKind.Roster) as RosterMsg;
    expect(roster.players.map((p) => p.name)).toContain(joined.name);
  });

  it('an input before hello is refused with UnexpectedMessage (4002), even when it is perfectly formed', async () => {
    server = await fx.start();
    const c = client();
    await c.open();
    c.sendRaw(encodeClientMessage({ kind: ClientKind.Input, seq: 1, buttons: 0, aim: 0 }));
    await expectClosedWith(c, CloseCode.UnexpectedMessage);
  });
});
