/**
 * The game server's core, free of any socket library: sessions come in as Transports,
 * frames as bytes. server.ts connects uWS to it; tests could connect an in-memory pipe.
 */
import {
  ClientKind,
  CloseCode,
  PROTOCOL_VERSION,
  ProtocolError,
  ServerKind,
  closeCodeName,
  decodeClientMessage,
  encodeServerMessage,
  sanitizeName,
  type ClientMessage,
  type CollisionMap,
} from '../protocol/index.ts';
import type { ServerConfig } from './config.ts';
import { RoomDirectory } from './directory/room-directory.ts';
import { FixedLoop, systemClock, type LoopClock, type TickInfo } from './loop.ts';
import { Session, type Transport } from './net/session.ts';
import { seededRandom } from '../protocol/random.ts';
import type { Room } from './room.ts';
import { TickStats } from './tick-stats.ts';

export class Game {
  readonly loop: FixedLoop;
  readonly directory: RoomDirectory;
  readonly sessions = new Set<Session>();
  readonly tickStats = new TickStats();
  private readonly awaitingHello = new Set<Session>();
  private nextSessionId = 1;
  private nextPlayerId = 1;
  private readonly clock: LoopClock;
  messagesIn = 0;
  closesByCode = new Map<number, number>();

  constructor(
    private readonly config: ServerConfig,
    readonly map: CollisionMap,
    clock: LoopClock = systemClock,
  ) {
    this.clock = clock;
    this.loop = new FixedLoop(config.tickRate, this.onTick, clock);
    this.directory = new RoomDirectory(map, {
      tickRate: config.tickRate,
      snapshotRate: config.snapshotRate,
      capacity: config.maxPlayers,
      sendSoftLimitBytes: config.sendSoftLimitBytes,
      slowConsumerTimeoutMs: config.slowConsumerTimeoutMs,
      snapshotMode: config.snapshotMode,
      maxRooms: config.maxRooms,
      random: seededRandom(config.seed),
    });
  }

  start(): void {
    this.loop.start();
  }

  stop(): void {
    this.loop.stop();
  }

  get playerCount(): number {
    let n = 0;
    for (const r of this.directory.rooms.values()) n += r.size;
    return n;
  }

  open(transport: Transport, remoteAddress: string): Session {
    // Inputs at tick rate, pings, and headroom: anything faster is abuse.
    const perSecond = this.config.tickRate + 20;
    const s = new Session(this.nextSessionId++, remoteAddress, transport, this.loop.now(), perSecond);
    this.sessions.add(s);
    this.awaitingHello.add(s);
    return s;
  }

  /** A frame from a client. Any protocol violation closes only that client. */
  message(s: Session, bytes: Uint8Array, isBinary: boolean): void {
    if (s.phase === 'closed') return;
    s.bytesIn += bytes.byteLength;
    this.messagesIn++;
    try {
      if (!isBinary) throw new ProtocolError(CloseCode.Malformed, 'text frames are not accepted; send binary MessagePack');
      if (!s.limiter.take(this.loop.now()))
        throw new ProtocolError(CloseCode.RateLimited, 'too many messages per second');
      this.handle(s, decodeClientMessage(bytes));
    } catch (err) {
      if (err instanceof ProtocolError) {
        this.reject(s, err.code, err.message);
      } else {
        // A bug of ours, not the client's fault; still only this client is affected.
        this.config.log(`session ${s.id}: internal error: ${(err as Error).stack ?? String(err)}`);
        this.reject(s, 1011, 'internal server error');
      }
    }
  }

  /** The transport is gone (closed by either side). */
  closed(s: Session, code: number, reason: string): void {
    this.sessions.delete(s);
    this.awaitingHello.delete(s);
    s.phase = 'closed';
    this.closesByCode.set(code, (this.closesByCode.get(code) ?? 0) + 1);
    const p = s.player;
    if (p) {
      s.player = null;
      const room = this.takeRoomOf(p.id);
      if (room) {
        room.leave(p);
        this.directory.disposeIfEmpty(room);
      }
    }
    this.config.log(
      `session ${s.id} (${s.remoteAddress}) closed: ${code} ${closeCodeName(code)}${reason ? ` "${reason}"` : ''}`,
    );
  }

  private reject(s: Session, code: number, reason: string): void {
    s.close(code, reason);
  }

  private readonly playerRooms = new Map<number, Room>();

  private takeRoomOf(playerId: number): Room | undefined {
    const r = this.playerRooms.get(playerId);
    this.playerRooms.delete(playerId);
    return r;
  }

  private handle(s: Session, msg: ClientMessage): void {
    switch (msg.kind) {
      case ClientKind.Hello:
        return this.hello(s, msg.version, msg.name, msg.room);
      case ClientKind.Input:
        if (s.phase !== 'playing' || !s.player)
          throw new ProtocolError(CloseCode.UnexpectedMessage, 'input before hello');
        s.player.inputs.push(msg);
        return;
      case ClientKind.Viewport:
        s.setViewport(msg.width, msg.height);
        return;
      case ClientKind.Ping:
        s.send(encodeServerMessage({ kind: ServerKind.Pong, clientTime: msg.clientTime, serverTime: this.loop.now() }));
        return;
    }
  }

  private hello(s: Session, version: number, rawName: string, code: string): void {
    if (s.phase !== 'handshake') throw new ProtocolError(CloseCode.UnexpectedMessage, 'hello sent twice');
    if (version !== PROTOCOL_VERSION)
      throw new ProtocolError(
        CloseCode.VersionMismatch,
        `protocol version ${version} is not supported; this server speaks ${PROTOCOL_VERSION}`,
      );
    const room = code === '' ? this.directory.quickPlay() : this.directory.byCode(code);
    const id = this.nextPlayerId++;
    s.phase = 'playing';
    this.awaitingHello.delete(s);
    // Welcome first: the client must know its id before the roster and snapshots.
    s.send(
      encodeServerMessage({
        kind: ServerKind.Welcome,
        playerId: id,
        tickRate: this.config.tickRate,
        snapshotRate: this.config.snapshotRate,
        serverTick: this.loop.currentTick,
        serverTime: this.loop.now(),
        mapId: this.map.id,
        roomCode: room.code,
      }),
    );
    s.player = room.join(id, sanitizeName(rawName), s);
    this.playerRooms.set(id, room);
  }

  private onTick = (info: TickInfo): void => {
    const t0 = this.clock.now();
    this.expireHandshakes();
    for (const room of this.directory.rooms.values()) room.tick(info);
    this.tickStats.record(this.clock.now() - t0);
  };

  private expireHandshakes(): void {
    if (this.awaitingHello.size === 0) return;
    const now = this.loop.now();
    for (const s of this.awaitingHello) {
      if (now - s.openedAt > this.config.handshakeTimeoutMs) {
        this.awaitingHello.delete(s);
        this.reject(s, CloseCode.HandshakeTimeout, `no hello within ${this.config.handshakeTimeoutMs} ms`);
      }
    }
  }
}
