/**
 * Spectating, for a whole server: which sessions are spectators of which room's feed,
 * the Watch message (its own path beside the lobby's Hello: it takes no seat and needs
 * nothing of the lobby), and the delay a spectator's clock runs behind.
 */
import { CloseCode, PROTOCOL_VERSION, ProtocolError, type WatchMsg } from '../../protocol/index.ts';
import type { ClientLink } from '../net/client-channel.ts';
import type { Session } from '../net/session.ts';
import type { Room } from '../room.ts';
import { SpectatorFeed, type SpectatorFeedOptions } from './spectator-feed.ts';

export class Spectators {
  private readonly feeds = new WeakMap<Room, SpectatorFeed>();
  private readonly watching = new Map<ClientLink, SpectatorFeed>();
  /** Private rooms whose creator lets spectators in. */
  private readonly allowed = new WeakSet<Room>();

  constructor(
    /** The server's rooms by code (the directory's). */
    private readonly rooms: () => ReadonlyMap<string, Room>,
    readonly opts: Omit<SpectatorFeedOptions, 'maxRewindMs'>,
  ) {}

  get count(): number {
    return this.watching.size;
  }

  /** The feed of a new room (its recorder feeds it). */
  feedFor(room: Room): SpectatorFeed {
    const f = new SpectatorFeed(room, { ...this.opts, maxRewindMs: room.arena.maxRewindMs });
    this.feeds.set(room, f);
    return f;
  }

  /** A Watch: the session spectates from here on, or a ProtocolError says why not. */
  watch(s: Session<unknown>, msg: WatchMsg): void {
    if (s.phase !== 'handshake') throw new ProtocolError(CloseCode.UnexpectedMessage, 'watch after hello or watch');
    if (msg.version !== PROTOCOL_VERSION)
      throw new ProtocolError(CloseCode.VersionMismatch, `protocol version ${msg.version} is not supported; this server speaks ${PROTOCOL_VERSION}`);
    const room = this.rooms().get(msg.room);
    const watchable = room && !room.closed && (room.isPublic || this.allowed.has(room));
    const feed = watchable ? this.feeds.get(room) : undefined;
    if (!feed) throw new ProtocolError(CloseCode.RoomNotFound, `no room ${msg.room} to watch (a private room needs its creator's leave)`);
    feed.add(s);
    s.phase = 'playing';
    this.watching.set(s, feed);
  }

  /**
   * AllowWatching from player `id`: only the room's creator decides, taken to be its
   * longest-present player (the one who created it, while it stays). Spectators already
   * watching stay either way; a public room is always watchable.
   */
  allow(room: Room, id: number, allow: boolean): void {
    const first = room.players.keys().next().value;
    if (first !== id) throw new ProtocolError(CloseCode.UnexpectedMessage, "only the room's creator may let spectators in");
    if (allow) this.allowed.add(room);
    else this.allowed.delete(room);
  }

  isSpectator(s: ClientLink): boolean {
    return this.watching.has(s);
  }

  /** How far behind the server's clock a session's view runs, ms (0 for a player). */
  delayFor(s: ClientLink): number {
    return this.watching.get(s)?.delayMs ?? 0;
  }

  left(s: ClientLink): void {
    const f = this.watching.get(s);
    if (!f) return;
    this.watching.delete(s);
    f.remove(s);
  }
}
