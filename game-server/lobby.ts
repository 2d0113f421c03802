/**
 * Where a connection becomes a player: Hello (a new player in a room found through the
 * directory, or a kept one resumed by its token), the Welcome, and the player's end
 * (kept for a resume, or removed). It talks to rooms through a RoomDirectory, in memory
 * or shared by several nodes on Redis.
 *
 * A Hello is answered at once when the directory can (one process, a local room), and
 * asynchronously when it must ask Redis (a seat ticket, a new room's code). Meanwhile the
 * session stays in its handshake: a second Hello is refused, and if the socket closes
 * before the answer, nobody joins for it (and a room made for it alone goes again).
 */
import { roundLengthMs } from './world/rounds.ts';
import {
  CREATE_PRIVATE_ROOM,
  CloseCode,
  PROTOCOL_VERSION,
  ProtocolError,
  ServerKind,
  encodeServerMessage,
  sanitizeName,
  type HelloMsg,
} from '../protocol/index.ts';
import type { RoomDirectory } from './directory/room-directory.ts';
import type { Logger } from './logger.ts';
import { ResumeRegistry } from './net/resume.ts';
import type { Session } from './net/session.ts';
import type { Player, Room } from './room.ts';

/** A connection as the lobby sees it: its slot holds the player once it has one. */
export type PlayerSession = Session<Player>;

/** Codes a browser sends when the player leaves on purpose: nothing to keep for. */
const CLIENT_LEFT = new Set<number>([CloseCode.Normal, 1001]);

/** The loop's clock as the Welcome needs it (FixedLoop is one). */
export interface LobbyClock {
  /** Loop time, ms. */
  now(): number;
  /** The next tick to run. */
  readonly currentTick: number;
}

export interface LobbyOptions {
  tickRate: number;
  snapshotRate: number;
  mapId: string;
  /** A dropped player is kept this long for a resume, ms (0: never kept). */
  resumeGraceMs: number;
}

/** How a player's connection ended, for the hub's log line. */
export interface Departure {
  player: Player | null;
  kept: boolean;
}

export class Lobby {
  private nextPlayerId = 1;
  /** Sessions whose Hello waits for the directory. */
  private readonly pending = new Set<PlayerSession>();
  /** Players by resume token; a dropped player's room keeps it while its grace lasts. */
  private readonly resumable = new ResumeRegistry<Room>();

  constructor(
    readonly directory: RoomDirectory,
    private readonly opts: LobbyOptions,
    private readonly clock: LobbyClock,
    private readonly log: Logger,
  ) {}

  /** Players whose connection dropped, kept for a resume. */
  get keptPlayers(): number {
    return this.resumable.kept;
  }

  /** Players in rooms, connected or kept. */
  get playerCount(): number {
    let n = 0;
    for (const r of this.directory.rooms.values()) n += r.size;
    return n;
  }

  /**
   * A Hello: the session plays from here on, or a ProtocolError says why not. A Promise
   * when the directory must be asked; it rejects with the ProtocolError to close with.
   */
  hello(s: PlayerSession, msg: HelloMsg): void | Promise<void> {
    const { version, name: rawName, room: code } = msg;
    if (s.phase !== 'handshake' || this.pending.has(s)) throw new ProtocolError(CloseCode.UnexpectedMessage, 'hello sent twice');
    if (version !== PROTOCOL_VERSION)
      throw new ProtocolError(
        CloseCode.VersionMismatch,
        `protocol version ${version} is not supported; this server speaks ${PROTOCOL_VERSION}`,
      );
    if (msg.resumeToken !== undefined) return this.resume(s, msg.resumeToken);
    const directory = this.directory;
    if (msg.ticket !== undefined) {
      if (code === '' || code === CREATE_PRIVATE_ROOM)
        throw new ProtocolError(CloseCode.SeatTicketRefused, 'a seat ticket goes with the room code its seat answer named');
      return this.later(s, directory.redeem(msg.ticket, code), rawName, msg.roundSeconds);
    }
    const room =
      code === '' ? directory.quickPlay() : code === CREATE_PRIVATE_ROOM ? directory.create(false) : directory.byCode(code);
    if (room instanceof Promise) return this.later(s, room, rawName, msg.roundSeconds);
    this.seat(s, room, rawName, msg.roundSeconds);
  }

  /** A Hello of this session waits on the directory: it must not also become a spectator. */
  helloPending(s: PlayerSession): boolean {
    return this.pending.has(s);
  }

  /** The directory answers later: seat the session then, if it is still there to seat. */
  private async later(s: PlayerSession, found: Promise<Room>, rawName: string, roundSeconds: number | undefined): Promise<void> {
    this.pending.add(s);
    let room: Room;
    try {
      room = await found;
    } finally {
      this.pending.delete(s);
    }
    if (s.phase !== 'handshake') {
      // The socket closed (or timed out) while we waited: no player for it.
      if (room.size === 0 && !room.closed) this.directory.remove(room);
      return;
    }
    this.seat(s, room, rawName, roundSeconds);
  }

  private seat(s: PlayerSession, room: Room, rawName: string, roundSeconds: number | undefined): void {
    if (room.closed) throw new ProtocolError(CloseCode.RoomNotFound, `room ${room.code} is closed`);
    if (room.isFull) throw new ProtocolError(CloseCode.RoomFull, `room ${room.code} is full (${room.capacity} players)`);
    // Rounds (issue 13): a private room takes the round length of the Hello that opens it
    // (room "new", or the ticket of a seat asked for "new"); later joiners cannot change it.
    if (roundSeconds !== undefined && !room.isPublic && room.size === 0) room.useRounds(roundLengthMs(roundSeconds));
    const id = this.nextPlayerId++;
    // Welcome first: the client must know its id before the roster and snapshots.
    this.welcome(s, id, room, false);
    try {
      s.slot = room.join(id, sanitizeName(rawName), s);
    } catch (err) {
      // No player came of it: its token must not outlive the failed join.
      this.resumable.forget(id);
      throw err;
    }
    this.log.debug({ session: s.id, addr: s.remoteAddress, player: id, name: s.slot.name, room: room.code }, 'player joined');
  }

  /** The session plays from now on: send its welcome, with a fresh resume token. */
  private welcome(s: PlayerSession, id: number, room: Room, resumed: boolean): void {
    s.phase = 'playing';
    s.send(
      encodeServerMessage({
        kind: ServerKind.Welcome,
        playerId: id,
        tickRate: this.opts.tickRate,
        snapshotRate: this.opts.snapshotRate,
        serverTick: this.clock.currentTick,
        serverTime: this.clock.now(),
        mapId: this.opts.mapId,
        roomCode: room.code,
        // After a restart the client rejoins a private room by its code, a public one by quick play.
        privateRoom: !room.isPublic,
        // Every welcome issues a new token: an old copy is worth nothing from now on.
        resumeToken: this.resumable.issue(id, room),
        resumed,
        // The limit this room's arena really judges by: the client keeps its view inside it.
        maxRewindMs: room.arena.maxRewindMs,
      }),
    );
  }

  /** Hello with a resume token: the kept player comes back on this connection. */
  private resume(s: PlayerSession, token: string): void {
    const { key: id, value: room } = this.resumable.claim(token, this.clock.now());
    const player = room.closed ? undefined : room.players.get(id);
    if (!player) {
      this.resumable.forget(id);
      throw new ProtocolError(CloseCode.ResumeRefused, 'the player is gone');
    }
    this.welcome(s, id, room, true);
    room.resume(player, s);
    s.slot = player;
    this.log.info({ session: s.id, addr: s.remoteAddress, player: id, name: player.name, room: room.code }, 'player resumed');
  }

  /**
   * The session's transport is gone. A player whose connection dropped is kept for a
   * resume; one that left, or that the server closed, is removed now.
   */
  disconnected(s: PlayerSession, code: number): Departure {
    const p = s.slot;
    s.slot = null;
    if (!p) return { player: null, kept: false };
    const room = p.room;
    // Only the player's current connection decides its fate (not a stale earlier one).
    if (p.channel.link !== s) return { player: p, kept: false };
    if (room.closed) {
      this.resumable.forget(p.id);
      return { player: p, kept: false };
    }
    const kept =
      this.keepsForResume(s.closedByServer, code) &&
      this.resumable.detach(p.id, this.clock.now(), this.opts.resumeGraceMs);
    if (kept) room.detach(p);
    else this.remove(p, room);
    return { player: p, kept };
  }

  /**
   * Keep the player for a resume only when the connection was lost, not ended on
   * purpose: the client left (1000/1001), or the server closed it for a reason a retry
   * would not fix. A slow consumer is the exception: its network may recover.
   */
  private keepsForResume(byServer: number | null, code: number): boolean {
    if (this.opts.resumeGraceMs <= 0) return false;
    if (byServer !== null) return byServer === CloseCode.SlowConsumer;
    return !CLIENT_LEFT.has(code);
  }

  private remove(p: Player, room: Room): void {
    this.resumable.forget(p.id);
    room.leave(p);
    // Empty rooms go as soon as the last player leaves.
    if (room.size === 0) this.directory.remove(room);
  }

  /** Kept players whose grace period ran out leave their rooms for good. */
  expireKept(now: number): void {
    if (this.resumable.kept === 0) return;
    for (const { key: id, value: room } of this.resumable.expire(now)) {
      const p = room.players.get(id);
      if (!p) continue;
      this.remove(p, room);
      this.log.info({ player: id, name: p.name, room: room.code }, 'kept player removed: resume grace expired');
    }
  }

  /**
   * Close a room for good (its tick failed): it leaves the directory, its connected
   * players are closed with `code`, and its kept players' tokens stop working.
   */
  closeRoom(room: Room, code: number, reason: string): void {
    this.directory.remove(room);
    for (const id of room.players.keys()) this.resumable.forget(id);
    room.shut(code, reason);
  }

  /** Close every room this node hosts (its directory lease was lost: 4013). */
  closeAllRooms(code: number, reason: string): void {
    for (const room of [...this.directory.rooms.values()]) this.closeRoom(room, code, reason);
  }
}
