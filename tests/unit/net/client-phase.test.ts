import { beforeEach, describe, expect, it } from 'vitest';
import {
  ClientKind,
  CloseCode,
  decodeClientMessage,
  encodeServerMessage,
  type CollisionMap,
  type ServerMessage,
} from '../../../protocol/index.ts';
import { GameClient } from '../../../game-client/src/net/client.ts';
import type { NetSession } from '../../../game-client/src/net/net-session.ts';
import { FakeClock, FakeSocket, loadArena, snapshotMsg, welcomeMsg } from './helpers.ts';

const map = loadArena();
const spawn = map.spawns[0]!;
const flush = (): Promise<void> => new Promise((r) => setImmediate(r));
const deliver = (sock: FakeSocket, msg: ServerMessage): void => sock.deliver(encodeServerMessage(msg));
const latest = (): FakeSocket => FakeSocket.instances[FakeSocket.instances.length - 1]!;

/** A client whose map loads only when the test says so. */
function gatedClient() {
  const clock = new FakeClock(10_000);
  const gates: ((m: CollisionMap) => void)[] = [];
  const client = new GameClient({
    url: 'ws://example.test/ws',
    name: 'Ann',
    WebSocket: FakeSocket,
    now: clock.now,
    map: () => new Promise<CollisionMap>((resolve) => gates.push(resolve)),
    reconnect: { baseDelayMs: 100, maxDelayMs: 100, random: () => 1 },
  });
  return { clock, client, gates };
}

function sessionOf(client: GameClient): NetSession {
  const p = client.phase;
  if (p.phase !== 'playing') throw new Error(`not playing but ${p.phase}`);
  return p.session;
}

describe('GameClient phases', () => {
  beforeEach(() => {
    FakeSocket.instances = [];
  });

  it('idle -> connecting -> loading (snapshots wait) -> playing with a whole session', async () => {
    const { client, gates } = gatedClient();
    expect(client.phase).toEqual({ phase: 'idle' });
    const connected = client.connect();
    expect(client.phase.phase).toBe('connecting');
    expect(client.state).toBe('connecting');
    const s = latest();
    s.open();
    deliver(s, welcomeMsg({ resumeToken: 't1' }));
    deliver(s, snapshotMsg(100, 0, spawn.x, spawn.y));
    deliver(s, snapshotMsg(101, 0, spawn.x, spawn.y));
    const loading = client.phase;
    expect(loading.phase).toBe('loading');
    if (loading.phase !== 'loading') return;
    expect(loading.welcome.playerId).toBe(7);
    expect(loading.early.map((e) => e.snap.tick)).toEqual([100, 101]);
    expect(client.state).toBe('loading');
    expect(client.localPlayer()).toBeNull();
    expect(client.predictedState).toBeNull();
    expect(client.playerId).toBe(7);
    expect(client.stats.snapshotsReceived).toBe(0); // refreshed by update() while playing

    gates.shift()!(map);
    const w = await connected;
    expect(w.playerId).toBe(7);
    expect(client.state).toBe('ready');
    const session = sessionOf(client);
    // The waiting snapshots were taken in: the own player is known at once.
    expect(session.reconciler.state).toMatchObject({ x: spawn.x, y: spawn.y });
    expect(session.interpolator.bufferedCount).toBe(2);
    expect(client.localPlayer()).toMatchObject({ id: 7, name: 'Ann', x: spawn.x, y: spawn.y });
    client.update();
    expect(client.stats.snapshotsReceived).toBe(2);
  });

  it('each Welcome builds a new session; while reconnecting the last one is still drawn; a resume keeps the clock, a fresh join does not', async () => {
    const { clock, client, gates } = gatedClient();
    const reconnected: boolean[] = [];
    client.onReconnected((r) => reconnected.push(r));
    const connected = client.connect();
    const s1 = latest();
    s1.open();
    deliver(s1, welcomeMsg({ resumeToken: 't1' }));
    gates.shift()!(map);
    await connected;
    deliver(s1, snapshotMsg(102, 0, spawn.x, spawn.y));
    const first = sessionOf(client);
    for (let i = 0; i < 5; i++) {
      clock.t += 1000 / 30;
      client.update();
    }
    expect(first.inputs.lastSeq).toBeGreaterThan(0);

    s1.serverClose(1006, '');
    const lost = client.phase;
    expect(lost.phase).toBe('reconnecting');
    if (lost.phase !== 'reconnecting') return;
    expect(lost.last).toBe(first);
    expect(lost.attempt).toMatchObject({ attempt: 1, code: 1006 });
    expect(client.localPlayer()).toMatchObject({ x: spawn.x, y: spawn.y });

    clock.t += 100;
    client.update();
    const s2 = latest();
    s2.open();
    deliver(s2, welcomeMsg({ resumeToken: 't2', resumed: true }));
    // The map is cached: no second load.
    await flush();
    expect(gates).toHaveLength(0);
    const second = sessionOf(client);
    expect(second).not.toBe(first);
    expect(second.clock).toBe(first.clock);
    expect(second.inputs.lastSeq).toBe(0);
    expect(second.reconciler.state).toBeNull();
    expect(reconnected).toEqual([true]);

    s2.serverClose(1006, '');
    clock.t += 100;
    client.update();
    const s3 = latest();
    s3.open();
    deliver(s3, welcomeMsg({ playerId: 9, resumeToken: 't3', resumed: false }));
    await flush();
    const third = sessionOf(client);
    expect(third.clock).not.toBe(second.clock);
    expect(client.playerId).toBe(9);
    expect(reconnected).toEqual([true, false]);
  });

  it('closed keeps the last session for drawing and the close that ended it', async () => {
    const { client, gates } = gatedClient();
    const connected = client.connect();
    const s = latest();
    s.open();
    deliver(s, welcomeMsg());
    gates.shift()!(map);
    await connected;
    const session = sessionOf(client);
    s.serverClose(CloseCode.RateLimited, 'slow down');
    expect(client.phase).toEqual({ phase: 'closed', close: { code: CloseCode.RateLimited, reason: 'slow down' }, last: session });
    expect(client.connected).toBe(false);
    expect(client.sendChat('hello')).toBe(false);
  });

  it('a connection that closes while the map loads never starts a session', async () => {
    const { client, gates } = gatedClient();
    const connected = client.connect().catch((e: unknown) => e);
    const s = latest();
    s.open();
    deliver(s, welcomeMsg());
    s.serverClose(1006, '');
    gates.shift()!(map);
    await flush();
    expect(client.phase).toMatchObject({ phase: 'reconnecting', last: null });
    client.close('bye');
    expect(client.phase).toEqual({ phase: 'closed', close: { code: CloseCode.Normal, reason: 'bye' }, last: null });
    expect(await connected).toMatchObject({ code: CloseCode.Normal });
  });

  it('a snapshot before the Welcome is refused with UnexpectedMessage', async () => {
    const { client } = gatedClient();
    const connected = client.connect().catch((e: unknown) => e);
    const s = latest();
    s.open();
    deliver(s, snapshotMsg(100, 0, spawn.x, spawn.y));
    expect(s.closedWith).toEqual({ code: CloseCode.UnexpectedMessage, reason: 'snapshot before welcome' });
    expect(client.state).toBe('closed');
    expect(await connected).toMatchObject({ code: CloseCode.UnexpectedMessage });
  });

  it('a stream out of sync while playing reconnects (a new connection starts from full snapshots)', async () => {
    const { clock, client, gates } = gatedClient();
    const connected = client.connect();
    const s = latest();
    s.open();
    deliver(s, welcomeMsg({ resumeToken: 't' }));
    gates.shift()!(map);
    await connected;
    const bad = snapshotMsg(105, 0, spawn.x, spawn.y);
    bad.baseTick = 104;
    deliver(s, bad);
    expect(s.closedWith?.code).toBe(CloseCode.Malformed);
    expect(client.phase.phase).toBe('reconnecting');
    clock.t += 100;
    client.update();
    expect(FakeSocket.instances).toHaveLength(2);
    latest().open();
    expect(decodeClientMessage(latest().sent[0]!)).toMatchObject({ kind: ClientKind.Hello, resumeToken: 't' });
  });
});
