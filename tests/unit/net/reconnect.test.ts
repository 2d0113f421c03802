import { beforeEach, describe, expect, it } from 'vitest';
import {
  ClientKind,
  CloseCode,
  NO_BASELINE,
  ServerKind,
  decodeClientMessage,
  encodeServerMessage,
  quantizePos,
  type ClientMessage,
  type ServerMessage,
} from '../../../protocol/index.ts';
import { GameClient, type ReconnectAttempt } from '../../../game-client/src/net/client.ts';
import { Backoff, isRetryableClose } from '../../../game-client/src/net/reconnect.ts';
import { FakeClock, FakeSocket, loadArena } from './helpers.ts';

const map = loadArena();
const spawn = map.spawns[0]!;

const flush = (): Promise<void> => new Promise((r) => setImmediate(r));

function sent(sock: FakeSocket): ClientMessage[] {
  return sock.sent.map((b) => decodeClientMessage(b));
}

function deliver(sock: FakeSocket, msg: ServerMessage): void {
  sock.deliver(encodeServerMessage(msg));
}

function welcome(playerId: number, resumeToken: string, resumed: boolean): ServerMessage {
  return {
    kind: ServerKind.Welcome,
    playerId,
    tickRate: 30,
    snapshotRate: 30,
    serverTick: 100,
    serverTime: 5000,
    mapId: 'arena',
    roomCode: 'ABCD',
    resumeToken,
    resumed,
  };
}

function snapshot(tick: number, ackSeq: number): ServerMessage {
  return {
    kind: ServerKind.Snapshot,
    tick,
    serverTime: 5000 + tick,
    ackSeq,
    baseTick: NO_BASELINE,
    self: { x: quantizePos(spawn.x), y: quantizePos(spawn.y), vx: 0, vy: 0 },
    view: { cx0: 0, cy0: 0, cx1: 0, cy1: 0, cols: 6 },
    blocks: [],
  };
}

/** A GameClient with reconnect on, jitter fixed at the middle (random 0.5). */
async function playing(maxAttempts = 4) {
  FakeSocket.instances = [];
  const clock = new FakeClock(10_000);
  const client = new GameClient({
    url: 'ws://example.test/ws',
    name: 'Ann',
    WebSocket: FakeSocket,
    now: clock.now,
    map,
    reconnect: { baseDelayMs: 500, maxDelayMs: 4000, maxAttempts, random: () => 0.5 },
  });
  const attempts: ReconnectAttempt[] = [];
  const reconnected: boolean[] = [];
  const closes: [number, string][] = [];
  client.onReconnecting((a) => attempts.push(a));
  client.onReconnected((r) => reconnected.push(r));
  client.onClose((c, r) => closes.push([c, r]));
  const connecting = client.connect();
  const s1 = FakeSocket.instances[0]!;
  s1.open();
  deliver(s1, welcome(7, 'token-one', false));
  deliver(s1, { kind: ServerKind.Roster, players: [{ id: 7, name: 'Ann' }] });
  await flush();
  await connecting;
  client.setViewport(1000, 600);
  // Play a little: inputs 1..n go out.
  for (let i = 0; i < 10; i++) {
    clock.t += 1000 / 30;
    client.update();
  }
  deliver(s1, snapshot(110, 5));
  return { clock, client, s1, attempts, reconnected, closes };
}

describe('GameClient reconnection', () => {
  beforeEach(() => {
    FakeSocket.instances = [];
  });

  it('after a lost socket it waits out the backoff, resumes with the token, and restarts its input sequence', async () => {
    const { clock, client, s1, attempts, reconnected, closes } = await playing();
    const inputs1 = sent(s1).filter((m) => m.kind === ClientKind.Input);
    expect(inputs1.length).toBeGreaterThan(5);
    expect(inputs1[0]).toMatchObject({ seq: 1 });

    s1.serverClose(1006, '');
    expect(client.state).toBe('reconnecting');
    expect(client.reconnecting).toBe(true);
    // First retry: d = 500 ms, jitter 0.5 -> 250 + 125.
    expect(attempts).toEqual([{ attempt: 1, delayMs: 375, code: 1006, reason: '' }]);
    expect(closes).toEqual([]);

    clock.t += 374;
    client.update();
    expect(FakeSocket.instances).toHaveLength(1);
    clock.t += 1;
    client.update();
    expect(FakeSocket.instances).toHaveLength(2);
    const s2 = FakeSocket.instances[1]!;
    s2.open();
    expect(sent(s2)[0]).toEqual({ kind: ClientKind.Hello, version: expect.any(Number), name: 'Ann', room: '', roundSeconds: 0, resumeToken: 'token-one' });

    deliver(s2, welcome(7, 'token-two', true));
    await flush();
    expect(client.state).toBe('ready');
    expect(reconnected).toEqual([true]);
    expect(client.playerId).toBe(7);

    for (let i = 0; i < 5; i++) {
      clock.t += 1000 / 30;
      client.update();
    }
    const after = sent(s2);
    // The viewport is reported again (the new connection's server side knows nothing) ...
    expect(after.some((m) => m.kind === ClientKind.Viewport)).toBe(true);
    // ... and inputs start over at seq 1, the rule the server's InputQueue reset follows.
    const inputs2 = after.filter((m) => m.kind === ClientKind.Input);
    expect(inputs2.length).toBeGreaterThan(0);
    expect(inputs2.map((m) => (m as { seq: number }).seq)).toEqual(inputs2.map((_, i) => i + 1));
    // The next drop presents the newest token.
    s2.serverClose(1006, '');
    clock.t += 10_000;
    client.update();
    const s3 = FakeSocket.instances[2]!;
    s3.open();
    expect(sent(s3)[0]).toMatchObject({ resumeToken: 'token-two' });
    expect(closes).toEqual([]);
  });

  it('backs off exponentially with a cap, then gives up and reports the last close once', async () => {
    const { clock, client, s1, attempts, closes } = await playing(4);
    s1.serverClose(1006, '');
    for (let i = 0; i < 4; i++) {
      clock.t += attempts[attempts.length - 1]!.delayMs;
      client.update();
      const s = FakeSocket.instances[FakeSocket.instances.length - 1]!;
      expect(FakeSocket.instances).toHaveLength(2 + i);
      s.open();
      s.serverClose(CloseCode.ServerFull, 'busy');
    }
    // d = 500, 1000, 2000, 4000 (capped: 4000 again), each 0.75 d with jitter 0.5.
    expect(attempts.map((a) => a.delayMs)).toEqual([375, 750, 1500, 3000]);
    expect(attempts.map((a) => a.attempt)).toEqual([1, 2, 3, 4]);
    expect(client.state).toBe('closed');
    expect(closes).toEqual([[CloseCode.ServerFull, 'busy']]);
    clock.t += 60_000;
    client.update();
    expect(FakeSocket.instances).toHaveLength(5);
  });

  it('a refusal is final: no retry after Malformed, RateLimited or a close by the server with 1000', async () => {
    for (const code of [CloseCode.Malformed, CloseCode.RateLimited, CloseCode.Normal, CloseCode.VersionMismatch]) {
      const { clock, client, s1, attempts, closes } = await playing();
      s1.serverClose(code, 'no');
      expect(client.state).toBe('closed');
      expect(closes).toEqual([[code, 'no']]);
      clock.t += 60_000;
      client.update();
      expect(FakeSocket.instances).toHaveLength(1);
      expect(attempts).toEqual([]);
    }
  });

  it('a server restart (4010) is retried; when the new server refuses the token (4011) it joins afresh as a new player', async () => {
    const { clock, client, s1, attempts, reconnected, closes } = await playing();
    s1.serverClose(CloseCode.ServerShutdown, 'server restarting');
    expect(attempts[0]).toMatchObject({ code: CloseCode.ServerShutdown, reason: 'server restarting' });
    clock.t += 1000;
    client.update();
    const s2 = FakeSocket.instances[1]!;
    s2.open();
    expect(sent(s2)[0]).toMatchObject({ resumeToken: 'token-one' });
    s2.serverClose(CloseCode.ResumeRefused, 'unknown resume token');
    expect(client.state).toBe('reconnecting');
    expect(attempts[1]).toMatchObject({ delayMs: 0, code: CloseCode.ResumeRefused });
    client.update();
    const s3 = FakeSocket.instances[2]!;
    s3.open();
    const hello = sent(s3)[0]!;
    expect(hello.kind).toBe(ClientKind.Hello);
    expect('resumeToken' in hello).toBe(false);
    deliver(s3, welcome(42, 'token-new', false));
    await flush();
    expect(reconnected).toEqual([false]);
    expect(client.playerId).toBe(42);
    expect(client.state).toBe('ready');
    expect(closes).toEqual([]);
  });

  it('a ResumeRefused with no token to drop is final', async () => {
    const { clock, client, s1, closes } = await playing();
    s1.serverClose(1006, '');
    clock.t += 1000;
    client.update();
    const s2 = FakeSocket.instances[1]!;
    s2.open();
    s2.serverClose(CloseCode.ResumeRefused, 'expired');
    client.update();
    const s3 = FakeSocket.instances[2]!;
    s3.open();
    s3.serverClose(CloseCode.ResumeRefused, 'odd');
    expect(client.state).toBe('closed');
    expect(closes).toEqual([[CloseCode.ResumeRefused, 'odd']]);
  });

  it('an attempt that hangs is abandoned after the attempt timeout and retried', async () => {
    const { clock, client, s1, attempts } = await playing();
    s1.serverClose(1006, '');
    clock.t += 375;
    client.update();
    const s2 = FakeSocket.instances[1]!; // never opens
    clock.t += 10_001;
    client.update();
    expect(s2.closedWith).not.toBeNull();
    expect(client.state).toBe('reconnecting');
    expect(attempts).toHaveLength(2);
  });

  it('close() while waiting to retry ends it with 1000 and opens nothing more', async () => {
    const { clock, client, s1, closes } = await playing();
    s1.serverClose(1006, '');
    client.close('bye');
    expect(client.state).toBe('closed');
    expect(closes).toEqual([[CloseCode.Normal, 'bye']]);
    clock.t += 60_000;
    client.update();
    expect(FakeSocket.instances).toHaveLength(1);
  });

  it('without the reconnect option the first close is final (the default, which the bots use)', async () => {
    const clock = new FakeClock();
    const client = new GameClient({ url: 'ws://x/ws', name: 'b', WebSocket: FakeSocket, now: clock.now, map });
    const closes: number[] = [];
    client.onClose((c) => closes.push(c));
    const p = client.connect();
    const s = FakeSocket.instances[0]!;
    s.open();
    deliver(s, welcome(1, 'tok', false));
    await flush();
    await p;
    s.serverClose(1006, '');
    expect(client.state).toBe('closed');
    expect(closes).toEqual([1006]);
  });
});

describe('Backoff', () => {
  it('waits a random time in [d/2, d], d doubling from the base up to the cap', () => {
    const lo = new Backoff({ baseDelayMs: 100, maxDelayMs: 1000, random: () => 0 });
    expect([lo.next(), lo.next(), lo.next(), lo.next(), lo.next(), lo.next()]).toEqual([50, 100, 200, 400, 500, 500]);
    const hi = new Backoff({ baseDelayMs: 100, maxDelayMs: 1000, random: () => 0.999999 });
    const d = [hi.next(), hi.next(), hi.next(), hi.next(), hi.next()];
    [100, 200, 400, 800, 1000].forEach((v, i) => expect(d[i]).toBeCloseTo(v, 2));
    hi.reset();
    expect(hi.attempts).toBe(0);
    expect(hi.next()).toBeCloseTo(100, 2);
  });

  it('treats lost sockets, restarts and a busy server as retryable, refusals as final', () => {
    for (const c of [1006, 1001, CloseCode.ServerShutdown, CloseCode.ServerFull, CloseCode.SlowConsumer]) expect(isRetryableClose(c)).toBe(true);
    for (const c of [1000, CloseCode.VersionMismatch, CloseCode.Malformed, CloseCode.UnexpectedMessage, CloseCode.RoomFull, CloseCode.RoomNotFound, CloseCode.FrameTooLarge, CloseCode.RateLimited, CloseCode.HandshakeTimeout, CloseCode.ResumeRefused])
      expect(isRetryableClose(c)).toBe(false);
  });
});
