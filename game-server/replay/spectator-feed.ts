/**
 * One room's live spectators: the room's god-view stream (the frames its recorder
 * makes, see room-recorder.ts) sent to each of them `delayMs` late, so a spectator
 * cannot call out positions to a player in the match. A spectator that joins starts
 * from a keyframe: the feed asks the recorder for one when nobody was watching (and so
 * nothing was kept), and keeps, while anyone watches, everything from the latest
 * keyframe a newcomer could start from.
 *
 * Spectators take no seat: they are not players, not in the roster, and count against
 * their own limit per room. What they may send is the hub's business (4015).
 */
import { CloseCode, ProtocolError, ServerKind, encodeServerMessage } from '../../protocol/index.ts';
import type { ClientLink } from '../net/client-channel.ts';
import type { Room } from '../room.ts';

/** What the recorder hands a live audience (copies are the feed's to make). */
export interface LiveTap {
  tick(tick: number, serverTime: number, frames: readonly Uint8Array[]): void;
  keyframe(tick: number, serverTime: number, parts: readonly Uint8Array[]): void;
  /** Set when the next snapshot tick should be a keyframe (a newcomer waits for one). */
  readonly wantsKeyframe: boolean;
  finish(): void;
}

export interface SpectatorFeedOptions {
  tickRate: number;
  snapshotRate: number;
  delayMs: number;
  maxSpectators: number;
  maxRewindMs: number;
}

/** A spectator with more than this waiting in its socket is closed. */
const MAX_BUFFERED_BYTES = 1024 * 1024;

interface Entry {
  seq: number;
  time: number;
  key: boolean;
  frames: Uint8Array[];
}

interface Viewer {
  link: ClientLink;
  /** Seq of the next entry to send; -1 until it has had its keyframe. */
  next: number;
}

export class SpectatorFeed implements LiveTap {
  private readonly entries: Entry[] = [];
  private seq = 0;
  private readonly viewers = new Map<ClientLink, Viewer>();
  wantsKeyframe = false;
  private finished = false;
  /** The latest tick and server time seen (a newcomer's Welcome). */
  private lastTick = 0;
  private lastTime = 0;

  constructor(
    private readonly room: Room,
    private readonly opts: SpectatorFeedOptions,
  ) {}

  get size(): number {
    return this.viewers.size;
  }

  get delayMs(): number {
    return this.opts.delayMs;
  }

  /** A new spectator: welcomed now, its stream starts once a keyframe is `delayMs` old. */
  add(link: ClientLink): void {
    if (this.finished) throw new ProtocolError(CloseCode.RoomNotFound, `room ${this.room.code} has ended`);
    if (this.viewers.size >= this.opts.maxSpectators)
      throw new ProtocolError(CloseCode.RoomFull, `room ${this.room.code} has its ${this.opts.maxSpectators} spectators already`);
    if (this.viewers.size === 0) {
      // Nothing was kept while nobody watched.
      this.entries.length = 0;
      this.wantsKeyframe = true;
    }
    const delayTicks = Math.ceil((this.opts.delayMs * this.opts.tickRate) / 1000);
    link.send(
      encodeServerMessage({
        kind: ServerKind.Welcome,
        playerId: 0,
        tickRate: this.opts.tickRate,
        snapshotRate: this.opts.snapshotRate,
        serverTick: Math.max(0, this.lastTick - delayTicks),
        serverTime: Math.max(0, this.lastTime - this.opts.delayMs),
        mapId: this.room.map.id,
        roomCode: this.room.code,
        // Never accepted back: a spectator has no player to resume.
        resumeToken: 'spectator',
        resumed: false,
        privateRoom: !this.room.isPublic,
        maxRewindMs: this.opts.maxRewindMs,
      }),
    );
    this.viewers.set(link, { link, next: -1 });
  }

  remove(link: ClientLink): void {
    this.viewers.delete(link);
    if (this.viewers.size === 0) this.entries.length = 0;
  }

  tick(tick: number, serverTime: number, frames: readonly Uint8Array[]): void {
    this.lastTick = tick;
    this.lastTime = serverTime;
    if (this.viewers.size === 0) return;
    this.entries.push({ seq: this.seq++, time: serverTime, key: false, frames: frames.map((f) => f.slice()) });
    this.pump(serverTime);
  }

  keyframe(tick: number, serverTime: number, parts: readonly Uint8Array[]): void {
    this.wantsKeyframe = false;
    if (this.viewers.size === 0) return;
    this.lastTick = tick;
    this.entries.push({ seq: this.seq++, time: serverTime, key: true, frames: parts.map((f) => f.slice()) });
  }

  /** The room is over: every spectator is told so. */
  finish(): void {
    if (this.finished) return;
    this.finished = true;
    for (const v of [...this.viewers.values()]) v.link.close(CloseCode.Normal, 'the match ended');
    this.viewers.clear();
    this.entries.length = 0;
  }

  private pump(now: number): void {
    const cutoff = now - this.opts.delayMs;
    const entries = this.entries;
    // The latest keyframe a newcomer could start from now.
    let start = -1;
    for (let i = entries.length - 1; i >= 0; i--) {
      if (entries[i]!.key && entries[i]!.time <= cutoff) {
        start = i;
        break;
      }
    }
    for (const v of [...this.viewers.values()]) {
      // Spectators get no snapshot skipping: one that stops reading is let go.
      if (v.link.bufferedAmount() > MAX_BUFFERED_BYTES) {
        this.viewers.delete(v.link);
        v.link.close(CloseCode.SlowConsumer, 'spectator stopped reading');
        continue;
      }
      if (v.next < 0) {
        if (start < 0) continue;
        const k = entries[start]!;
        for (const f of k.frames) v.link.send(f);
        v.next = k.seq + 1;
      }
      for (const e of entries) {
        if (e.seq < v.next || e.key) continue;
        if (e.time > cutoff) break;
        for (const f of e.frames) v.link.send(f);
        v.next = e.seq + 1;
      }
    }
    // Older than the keyframe a newcomer would start from: sent to everyone already.
    if (start > 0) {
      const minNext = Math.min(...[...this.viewers.values()].map((v) => (v.next < 0 ? Infinity : v.next)));
      const unsent = entries.findIndex((e) => e.seq >= minNext);
      const keepFrom = Math.min(start, unsent < 0 ? entries.length : unsent);
      if (keepFrom > 0) entries.splice(0, keepFrom);
    }
  }
}
