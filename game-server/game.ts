/**
 * The game server's core, free of any socket library: sessions come in as Transports,
 * frames as bytes. server.ts connects uWS to it; tests could connect an in-memory pipe.
 */
import {
  CREATE_PRIVATE_ROOM,
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
  type HelloMsg,
} from '../protocol/index.ts';
import type { ServerConfig } from './config.ts';
import { RoomDirectory } from './directory/room-directory.ts';
import type { Logger } from './logger.ts';
import { FixedLoop, systemClock, type LoopClock, type TickInfo } from './loop.ts';
import { ServerMetrics } from './metrics.ts';
import { ResumeRegistry } from './net/resume.ts';
import { Session, newNetTotals, type NetTotals, type Transport } from './net/session.ts';
import { seededRandom } from '../protocol/random.ts';
import type { Player, Room } from './room.ts';
import { TickStats } from './tick-stats.ts';

/** Codes a browser sends when the player leaves on purpose: nothing to keep for. */
const CLIENT_LEFT = new Set<number>([CloseCode.Normal, 1001]);

export class Game {
  readonly loop: FixedLoop;
  readonly directory: RoomDirectory;
  readonly sessions = new Set<Session>();
  readonly tickStats = new TickStats();
  private readonly awaitingHello = new Set<Session>();
  private nextSessionId = 1;
  private nextPlayerId = 1;
  private readonly clock: LoopClock;
  private readonly log: Logger;
  /** Traffic of every session, for /metrics. */
  readonly totals: NetTotals = newNetTotals();
  readonly metrics: ServerMetrics;
  /** Players by resume token; a dropped player's room keeps it while its grace lasts. */
  private readonly resumable: ResumeRegistry<Room>;
  /** Snapshot counts of rooms already disposed (live rooms keep their own). */
  private retiredSnapshotsSent = 0;
  private retiredSnapshotsSkipped = 0;
  closesByCode = new Map<number, number>();

  constructor(
    private readonly config: ServerConfig,
    readonly map: CollisionMap,
    clock: LoopClock = systemClock,
  ) {
    this.clock = clock;
    this.log = config.logger;
    this.resumable = new ResumeRegistry<Room>();
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
    this.metrics = new ServerMetrics(
      {
        totals: this.totals,
        players: () => this.playerCount,
        keptPlayers: () => this.resumable.kept,
        rooms: () => this.directory.rooms.size,
        connections: () => this.sessions.size,
        tickOverruns: () => this.loop.overruns,
        snapshotsSent: () => this.sumRooms((r) => r.snapshotsSent) + this.retiredSnapshotsSent,
        snapshotsSkipped: () => this.sumRooms((r) => r.snapshotsSkipped) + this.retiredSnapshotsSkipped,
      },
      { defaultMetrics: config.processMetrics },
    );
  }

  /** Messages received from clients, of any kind, valid or not. */
  get messagesIn(): number {
    return this.totals.messagesIn;
  }

  /** Players whose connection dropped, kept for a resume. */
  get keptPlayers(): number {
    return this.resumable.kept;
  }

  private sumRooms(f: (r: Room) => number): number {
    let n = 0;
    for (const r of this.directory.rooms.values()) n += f(r);
    return n;
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
    const c = this.config;
    const perSecond = c.maxMessagesPerSecond ?? c.tickRate + 20;
    const s = new Session(this.nextSessionId++, remoteAddress, transport, this.loop.now(), perSecond, {
      inputsPerSecond: c.maxInputsPerSecond ?? c.tickRate + 10,
      chatPerSecond: c.maxChatPerSecond,
      totals: this.totals,
    });
    this.sessions.add(s);
    this.awaitingHello.add(s);
    return s;
  }

  /** A frame from a client. Any protocol violation closes only that client. */
  message(s: Session, bytes: Uint8Array, isBinary: boolean): void {
    if (s.phase === 'closed') return;
    s.received(bytes.byteLength);
    try {
      if (!isBinary) throw new ProtocolError(CloseCode.Malformed, 'text frames are not accepted; send binary MessagePack');
      if (bytes.byteLength > this.config.maxFrameBytes)
        throw new ProtocolError(CloseCode.FrameTooLarge, `frame of ${bytes.byteLength} bytes exceeds ${this.config.maxFrameBytes}`);
      if (!s.limiter.take(this.loop.now()))
        throw new ProtocolError(CloseCode.RateLimited, 'too many messages per second');
      this.handle(s, decodeClientMessage(bytes));
    } catch (err) {
      if (err instanceof ProtocolError) {
        this.reject(s, err.code, err.message);
      } else {
        // A bug of ours, not the client's fault; still only this client is affected.
        this.log.error({ err, session: s.id, addr: s.remoteAddress }, 'internal error handling a client message');
        this.reject(s, 1011, 'internal server error');
      }
    }
  }

  /**
   * The transport is gone (closed by either side). A player whose connection dropped is
   * kept for a resume; one that left, or that the server closed, is removed now.
   */
  closed(s: Session, code: number, reason: string): void {
    this.sessions.delete(s);
    this.awaitingHello.delete(s);
    const byServer = s.closedByServer;
    s.phase = 'closed';
    this.closesByCode.set(code, (this.closesByCode.get(code) ?? 0) + 1);
    this.metrics.disconnect(code);
    const p = s.player;
    let kept = false;
    let roomCode: string | undefined;
    if (p) {
      s.player = null;
      const room = p.room;
      roomCode = room.code;
      if (p.session === s) {
        kept =
          this.keepsForResume(byServer, code) &&
          this.resumable.detach(p.id, this.loop.now(), this.config.resumeGraceMs);
        if (kept) room.detach(p);
        else this.removePlayer(p, room);
      }
    }
    this.log.info(
      {
        session: s.id,
        addr: s.remoteAddress,
        code,
        codeName: closeCodeName(code),
        reason,
        by: byServer !== null ? 'server' : 'client',
        player: p?.id,
        name: p?.name,
        room: roomCode,
        kept,
      },
      kept ? 'disconnect: player kept for resume' : 'disconnect',
    );
  }

  /**
   * Keep the player for a resume only when the connection was lost, not ended on
   * purpose: the client left (1000/1001), or the server closed it for a reason a retry
   * would not fix. A slow consumer is the exception: its network may recover.
   */
  private keepsForResume(byServer: number | null, code: number): boolean {
    if (this.config.resumeGraceMs <= 0) return false;
    if (byServer !== null) return byServer === CloseCode.SlowConsumer;
    return !CLIENT_LEFT.has(code);
  }

  private removePlayer(p: Player, room: Room): void {
    this.resumable.forget(p.id);
    room.leave(p);
    if (room.size === 0) {
      this.retiredSnapshotsSent += room.snapshotsSent;
      this.retiredSnapshotsSkipped += room.snapshotsSkipped;
      this.directory.disposeIfEmpty(room);
    }
  }

  private reject(s: Session, code: number, reason: string): void {
    s.close(code, reason);
  }

  private handle(s: Session, msg: ClientMessage): void {
    switch (msg.kind) {
      case ClientKind.Hello:
        return this.hello(s, msg);
      case ClientKind.Input:
        if (s.phase !== 'playing' || !s.player)
          throw new ProtocolError(CloseCode.UnexpectedMessage, 'input before hello');
        if (!s.inputLimiter.take(this.loop.now()))
          throw new ProtocolError(CloseCode.RateLimited, 'too many inputs per second');
        s.player.inputs.push(msg);
        return;
      case ClientKind.Viewport:
        s.setViewport(msg.width, msg.height);
        return;
      case ClientKind.Ping:
        s.send(encodeServerMessage({ kind: ServerKind.Pong, clientTime: msg.clientTime, serverTime: this.loop.now() }));
        return;
      case ClientKind.Chat: {
        if (s.phase !== 'playing' || !s.player)
          throw new ProtocolError(CloseCode.UnexpectedMessage, 'chat before hello');
        const room = s.player.room;
        // Over the chat rate the line is dropped and the sender told, not disconnected:
        // an eager typist is not an attacker (the message limiter stops floods).
        if (s.chatLimiter.take(this.loop.now())) room.chat(s.player, msg.text);
        else room.chatRefused(s.player);
        return;
      }
    }
  }

  private hello(s: Session, msg: HelloMsg): void {
    const { version, name: rawName, room: code } = msg;
    if (s.phase !== 'handshake') throw new ProtocolError(CloseCode.UnexpectedMessage, 'hello sent twice');
    if (version !== PROTOCOL_VERSION)
      throw new ProtocolError(
        CloseCode.VersionMismatch,
        `protocol version ${version} is not supported; this server speaks ${PROTOCOL_VERSION}`,
      );
    if (msg.resumeToken !== undefined) return this.resume(s, msg.resumeToken);
    const room =
      code === ''
        ? this.directory.quickPlay()
        : code === CREATE_PRIVATE_ROOM
          ? this.directory.create(false)
          : this.directory.byCode(code);
    const id = this.nextPlayerId++;
    // Welcome first: the client must know its id before the roster and snapshots.
    this.welcome(s, id, room, false);
    s.player = room.join(id, sanitizeName(rawName), s);
    this.log.debug({ session: s.id, addr: s.remoteAddress, player: id, name: s.player.name, room: room.code }, 'player joined');
  }

  /** The session plays from now on: send its welcome, with a fresh resume token. */
  private welcome(s: Session, id: number, room: Room, resumed: boolean): void {
    s.phase = 'playing';
    this.awaitingHello.delete(s);
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
        // Every welcome issues a new token: an old copy is worth nothing from now on.
        resumeToken: this.resumable.issue(id, room),
        resumed,
      }),
    );
  }

  /** Hello with a resume token: the kept player comes back on this connection. */
  private resume(s: Session, token: string): void {
    const { key: id, value: room } = this.resumable.claim(token, this.loop.now());
    const player = room.players.get(id);
    if (!player) {
      this.resumable.forget(id);
      throw new ProtocolError(CloseCode.ResumeRefused, 'the player is gone');
    }
    this.welcome(s, id, room, true);
    room.resume(player, s);
    s.player = player;
    this.log.info({ session: s.id, addr: s.remoteAddress, player: id, name: player.name, room: room.code }, 'player resumed');
  }

  private onTick = (info: TickInfo): void => {
    const t0 = this.clock.now();
    this.expireHandshakes();
    this.expireKept();
    for (const room of this.directory.rooms.values()) room.tick(info);
    const ms = this.clock.now() - t0;
    this.tickStats.record(ms);
    this.metrics.observeTick(ms);
  };

  /** Kept players whose grace period ran out leave their rooms for good. */
  private expireKept(): void {
    if (this.resumable.kept === 0) return;
    for (const { key: id, value: room } of this.resumable.expire(this.loop.now())) {
      const p = room.players.get(id);
      if (!p) continue;
      this.removePlayer(p, room);
      this.log.info({ player: id, name: p.name, room: room.code }, 'kept player removed: resume grace expired');
    }
  }

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
