import { describe, it, expect, beforeEach } from 'vitest';
import {
  Button,
  ClientKind,
  CloseCode,
  PROTOCOL_VERSION,
  INTEREST_CELL_SIZE,
  NO_BASELINE,
  REMOTE_AIM_SHIFT,
  REMOTE_POS_SCALE,
  ServerKind,
  cellId,
  decodeClientMessage,
  MAX_REWIND_MS,
  emptyCell,
  encodeFullCell,
  encodeServerMessage,
  quantizePos,
  quantizeVel,
  stepPlayer,
  type CellMembers,
  type ClientMessage,
  type CollisionMap,
  type PlayerState,
  type ServerMessage,
} from '../../../protocol/index.ts';
import { ConnectError, GameClient } from '../../../game-client/src/net/client.ts';
import { FakeClock, FakeSocket, loadArena, rng } from './helpers.ts';

const map = loadArena();
const TICK_RATE = 30;

/**
 * A minimal authoritative server on the far side of a FakeSocket, with a one-way
 * latency each direction: enough of the real protocol flow to drive a GameClient.
 */
class FakeServer {
  readonly sock: FakeSocket;
  private readonly toServer: { at: number; msg: ClientMessage }[] = [];
  private readonly toClient: { at: number; bytes: Uint8Array }[] = [];
  private read = 0;
  hello: ClientMessage | null = null;
  inputs: { seq: number; buttons: number }[] = [];
  queue: { seq: number; buttons: number; aim: number }[] = [];
  self: PlayerState = { x: map.spawns[0]!.x, y: map.spawns[0]!.y, vx: 0, vy: 0 };
  selfAim = 0;
  other: PlayerState = { x: map.spawns[1]!.x, y: map.spawns[1]!.y, vx: 0, vy: 0 };
  ack = 0;
  tick = 0;
  nextTickAt: number;
  running = false;

  constructor(
    private readonly clock: FakeClock,
    readonly latency: number,
  ) {
    this.sock = FakeSocket.instances[FakeSocket.instances.length - 1]!;
    this.nextTickAt = clock.t;
  }

  send(msg: ServerMessage, delay = this.latency): void {
    this.toClient.push({ at: this.clock.t + delay, bytes: encodeServerMessage(msg) });
  }

  /** Run the server and the link up to the clock's current time. */
  pump(): void {
    const t = this.clock.t;
    for (; this.read < this.sock.sent.length; this.read++)
      this.toServer.push({ at: t + this.latency, msg: decodeClientMessage(this.sock.sent[this.read]!) });
    while (this.toServer.length > 0 && this.toServer[0]!.at <= t) this.receive(this.toServer.shift()!.msg);
    while (this.running && this.nextTickAt <= t) this.step();
    while (this.toClient.length > 0 && this.toClient[0]!.at <= t) this.sock.deliver(this.toClient.shift()!.bytes);
  }

  private receive(msg: ClientMessage): void {
    switch (msg.kind) {
      case ClientKind.Hello:
        this.hello = msg;
        this.send({
          kind: ServerKind.Welcome,
          playerId: 1,
          tickRate: TICK_RATE,
          snapshotRate: TICK_RATE,
          serverTick: 0,
          serverTime: 0,
          mapId: 'arena',
          roomCode: 'ABCD',
          // As a version 5 server: the limit travels after the resume fields.
          resumeToken: 'tok',
          maxRewindMs: MAX_REWIND_MS,
        });
        this.send({ kind: ServerKind.Roster, players: [{ id: 1, name: msg.name }, { id: 2, name: 'Bob' }] });
        this.running = true;
        this.nextTickAt = this.clock.t;
        return;
      case ClientKind.Input:
        this.inputs.push({ seq: msg.seq, buttons: msg.buttons });
        this.queue.push(msg);
        return;
      case ClientKind.Ping:
        this.send({ kind: ServerKind.Pong, clientTime: msg.clientTime, serverTime: (this.tick * 1000) / TICK_RATE });
        return;
    }
  }

  private step(): void {
    this.tick++;
    const input = this.queue.shift();
    if (input) {
      this.self = stepPlayer(this.self, input.buttons, 1 / TICK_RATE, map);
      this.selfAim = input.aim;
      this.ack = input.seq;
    }
    // The other player walks right and left.
    const dir = Math.floor(this.tick / 45) % 2 === 0 ? Button.Right : Button.Left;
    this.other = stepPlayer(this.other, dir, 1 / TICK_RATE, map);
    // Every snapshot starts over (baseTick -1, full blocks): the delta format itself
    // is tested in tests/unit/protocol/delta.test.ts; this exercises the client.
    const cols = Math.ceil((map.width * map.tileSize) / INTEREST_CELL_SIZE);
    const rows = Math.ceil((map.height * map.tileSize) / INTEREST_CELL_SIZE);
    const cells = new Map<number, CellMembers>();
    const add = (id: number, s: PlayerState, aim: number): void => {
      const c = cellId(Math.floor(s.x / INTEREST_CELL_SIZE), Math.floor(s.y / INTEREST_CELL_SIZE), cols);
      const m = cells.get(c) ?? emptyCell();
      cells.set(c, m);
      m.ids.push(id);
      m.X.push(Math.round(s.x * REMOTE_POS_SCALE));
      m.Y.push(Math.round(s.y * REMOTE_POS_SCALE));
      m.dX.push(0);
      m.dY.push(0);
      m.aim.push(aim);
    };
    add(1, this.self, this.selfAim >> REMOTE_AIM_SHIFT);
    // Remote aims travel in 32 directions; 64 (a quarter turn) survives exactly.
    add(2, this.other, 64 >> REMOTE_AIM_SHIFT);
    this.send({
      kind: ServerKind.Snapshot,
      tick: this.tick,
      serverTime: Math.round((this.tick * 1000) / TICK_RATE),
      ackSeq: this.ack,
      baseTick: NO_BASELINE,
      self: { x: quantizePos(this.self.x), y: quantizePos(this.self.y), vx: quantizeVel(this.self.vx), vy: quantizeVel(this.self.vy) },
      view: { cx0: 0, cy0: 0, cx1: cols - 1, cy1: rows - 1, cols },
      blocks: [...cells].map(([cell, m]) => {
        const [, , entries] = encodeFullCell(cell, m) as [number, number, number[]];
        return { cell, full: true as const, entries };
      }),
    });
    this.nextTickAt += 1000 / TICK_RATE;
  }
}

function start(opts: { latency?: number; room?: string; map?: CollisionMap | ((id: string) => Promise<CollisionMap>) } = {}) {
  FakeSocket.instances = [];
  const clock = new FakeClock(10_000);
  const client = new GameClient({
    url: 'ws://example.test/ws',
    name: '  Alice\u0000 ',
    room: opts.room,
    WebSocket: FakeSocket,
    now: clock.now,
    map: opts.map ?? map,
  });
  const connecting = client.connect();
  const server = new FakeServer(clock, opts.latency ?? 50);
  return { clock, client, server, connecting };
}

/** Advance fake time in frames of `frameMs`, pumping server and client. */
async function run(env: ReturnType<typeof start>, ms: number, frameMs = 1000 / 60, each?: () => void) {
  const end = env.clock.t + ms;
  while (env.clock.t < end) {
    env.clock.t += frameMs;
    env.server.pump();
    await Promise.resolve(); // let connect()'s continuation run
    env.client.update(env.clock.t);
    each?.();
  }
}

describe('GameClient', () => {
  beforeEach(() => {
    FakeSocket.instances = [];
  });

  it('rejects connect() with the close code name and reason when closed before the welcome', async () => {
    const env = start({ room: 'zzzz' });
    env.server.sock.open();
    env.server.sock.serverClose(CloseCode.RoomNotFound, 'no room ZZZZ');
    const err = await env.connecting.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectError);
    expect((err as ConnectError).message).toContain('RoomNotFound');
    expect((err as ConnectError).message).toContain('4004');
    expect((err as ConnectError).message).toContain('no room ZZZZ');
    expect((err as ConnectError).code).toBe(CloseCode.RoomNotFound);
    expect(env.client.state).toBe('closed');
  });

  it('refuses an invalid room code before opening a socket', async () => {
    FakeSocket.instances = [];
    const client = new GameClient({ url: 'ws://x/ws', name: 'a', room: 'O0O0', WebSocket: FakeSocket, map });
    await expect(client.connect()).rejects.toThrow(/not a room code/);
    expect(FakeSocket.instances).toHaveLength(0);
  });

  it('says hello with the protocol version, a sanitized name and the room in upper case', async () => {
    const env = start({ room: 'abcd' });
    env.server.sock.open();
    await run(env, 200);
    const w = await env.connecting;
    expect(env.server.hello).toEqual({ kind: ClientKind.Hello, version: PROTOCOL_VERSION, name: 'Alice', room: 'ABCD' });
    expect(w.roomCode).toBe('ABCD');
    expect(env.client.playerId).toBe(1);
    expect(env.client.tickRate).toBe(TICK_RATE);
    expect(env.client.connected).toBe(true);
  });

  it('plays over a 100 ms RTT link: exact prediction, interpolated others with names, stats', async () => {
    const env = start({ latency: 50 });
    env.server.sock.open();
    await run(env, 300);
    await env.connecting;
    const random = rng(5);
    const dirs = [Button.Up, Button.Down | Button.Left, Button.Right, 0, Button.Up | Button.Right];
    let t0 = env.clock.t;
    const remoteXs: number[] = [];
    await run(env, 5000, 1000 / 60, () => {
      if (env.clock.t - t0 > 400) {
        env.client.setButtons(dirs[Math.floor(random() * dirs.length)]!);
        env.client.setAim(random() * 7);
        t0 = env.clock.t;
      }
      const bob = env.client.remotePlayers().find((p) => p.id === 2);
      if (bob) remoteXs.push(bob.x);
    });
    env.client.setButtons(0);
    await run(env, 1500);

    const s = env.client.stats;
    expect(s.corrections).toBe(0);
    expect(s.predictionError).toBe(0);
    // Inputs keep flowing (one per tick), a round trip's worth are in flight...
    expect(env.server.inputs.length - env.server.ack).toBeLessThan(8);
    // ...but with no buttons held for 1.5 s the player is at rest, so the prediction
    // and the server's state must be identical.
    expect(Math.hypot(env.server.self.x - map.spawns[0]!.x, env.server.self.y - map.spawns[0]!.y)).toBeGreaterThan(32);
    expect(env.server.self.vx).toBe(0);
    expect(env.server.self.vy).toBe(0);
    expect(env.client.predictedState).toEqual(env.server.self);
    const me = env.client.localPlayer()!;
    expect(me.x).toBe(env.server.self.x);
    expect(me.y).toBe(env.server.self.y);
    expect(me.name).toBe('Alice');
    // Seqs are consecutive from 1, and no more than 30 a second went out.
    env.server.inputs.forEach((inp, i) => expect(inp.seq).toBe(i + 1));
    expect(env.server.inputs.length).toBeLessThanOrEqual(Math.ceil((6.6 * 1000) / (1000 / 30)));

    const others = env.client.remotePlayers();
    expect(others.map((o) => [o.id, o.name])).toEqual([[2, 'Bob']]);
    // Drawn in the past: behind the server's latest position, on its path.
    expect(remoteXs.length).toBeGreaterThan(300);
    const moved = remoteXs.some((x, i) => i > 0 && x !== remoteXs[i - 1]);
    expect(moved).toBe(true);
    expect(others[0]!.aim).toBeCloseTo(Math.PI / 2, 12);

    expect(s.rtt).toBeGreaterThanOrEqual(100);
    expect(s.rtt).toBeLessThan(100 + 2 * (1000 / 60) + 1000 / 30);
    expect(s.snapshotRate).toBeGreaterThan(27);
    expect(s.snapshotRate).toBeLessThan(33);
    expect(s.bytesInPerSec).toBeGreaterThan(0);
    expect(s.bytesOutPerSec).toBeGreaterThan(0);
    expect(s.interpolationDelay).toBeGreaterThan(50);
    expect(s.interpolationDelay).toBeLessThan(200);
  });

  it('loads the map through a loader given the welcome mapId, and refuses a different map', async () => {
    const seen: string[] = [];
    const env = start({
      map: async (id) => {
        seen.push(id);
        return { ...map, id: 'other' };
      },
    });
    env.server.sock.open();
    const result = env.connecting.catch((e: unknown) => e);
    await run(env, 200);
    const err = await result;
    expect(seen).toEqual(['arena']);
    expect(String(err)).toMatch(/map "arena".*"other"/);
    expect(env.client.state).toBe('closed');
  });

  it('reports a close during play once, and stops sending after it', async () => {
    const env = start();
    env.server.sock.open();
    await run(env, 200);
    await env.connecting;
    const closes: [number, string][] = [];
    env.client.onClose((c, r) => closes.push([c, r]));
    env.server.sock.serverClose(CloseCode.ServerShutdown, 'restarting');
    const sent = env.server.sock.sent.length;
    await run(env, 200);
    expect(closes).toEqual([[CloseCode.ServerShutdown, 'restarting']]);
    expect(env.server.sock.sent.length).toBe(sent);
    expect(env.client.closeReason).toEqual({ code: CloseCode.ServerShutdown, reason: 'restarting' });
  });
});
