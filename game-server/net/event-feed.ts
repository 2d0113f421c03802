/**
 * A room's events of one tick, on their way to its clients as one Events frame each.
 * Each event is encoded once; a client's frame is the events it should get, copied
 * together. Events of the whole room (kills, respawns, chat) go to everyone; shots and
 * hits only to those whose view (the same cells their snapshots cover) they touch, and
 * to the players involved, so a crowded map does not send every shot to every player.
 *
 * Joins and leaves ride the same feed (announce), so everything a client hears about a
 * tick arrives in tick order. Per tick, each client gets, in this order:
 *   1. PlayerJoined / PlayerLeft frames for the room's membership changes since the
 *      previous tick, in the order they happened (each frame as it always was);
 *   2. one Events frame with this tick's events for it, if there are any;
 *   3. its Snapshot of this tick, if one is due (the room sends it after deliver()),
 * all three in one write: the room corks each client's sends of a tick together.
 * A newcomer's Welcome, Roster and MatchState are sent to it alone when it joins, before
 * any of these; it is not told of changes its Roster already includes.
 */
import { encodeEvent, encodeEventsFrame, type GameEvent, type ViewRect } from '../../protocol/index.ts';
import type { EventSink } from '../world/arena.ts';
import type { InterestGrid } from './interest-grid.ts';

const ALL = 0;
const NEAR = 1;
const TO = 2;

/** One recipient: its player's id and where it looks from. */
export interface EventRecipient {
  readonly id: number;
  /** The cells it sees (as its snapshot will). */
  readonly view: ViewRect;
  /** Announcements stamped up to this are already in its roster. */
  readonly rosterStamp: number;
  send(bytes: Uint8Array): void;
}

export class EventFeed implements EventSink {
  private readonly encoded: Uint8Array[] = [];
  private readonly scope: number[] = [];
  // Per event: bounding box (px) and the two players involved (-1: none); for TO, a is the target.
  private readonly box: number[] = [];
  private readonly who: number[] = [];
  private readonly picked: Uint8Array[] = [];
  private readonly announcements: Uint8Array[] = [];
  private readonly stamps: number[] = [];
  /** Between prepare() and finish(): the tick, and its frame when everyone gets the same. */
  private tick = 0;
  private shared: Uint8Array | null = null;

  constructor(private readonly grid: InterestGrid) {}

  /** Events and announcements waiting for the next flush. */
  get pending(): number {
    return this.encoded.length + this.announcements.length;
  }

  /**
   * A whole frame (PlayerJoined, PlayerLeft) for every recipient whose roster predates
   * `stamp`, sent ahead of the next tick's events. Stamps increase with each change.
   */
  announce(frame: Uint8Array, stamp: number): void {
    this.announcements.push(frame);
    this.stamps.push(stamp);
  }

  all(e: GameEvent): void {
    this.push(e, ALL, 0, 0, 0, 0, -1, -1);
  }

  near(e: GameEvent, x0: number, y0: number, x1: number, y1: number, a: number, b: number): void {
    this.push(e, NEAR, Math.min(x0, x1), Math.min(y0, y1), Math.max(x0, x1), Math.max(y0, y1), a, b);
  }

  to(id: number, e: GameEvent): void {
    this.push(e, TO, 0, 0, 0, 0, id, -1);
  }

  /** Send this tick's events and start the next tick empty. */
  flush(tick: number, recipients: readonly EventRecipient[]): void {
    this.prepare(tick);
    for (const r of recipients) this.deliver(r);
    this.finish();
  }

  /**
   * The three steps of flush, for a room that sends each client its whole tick (these
   * frames and its snapshot) in one corked write: prepare once, deliver to each
   * recipient, then finish once.
   */
  prepare(tick: number): void {
    this.tick = tick;
    const n = this.encoded.length;
    let everyoneSame = n > 0;
    for (let i = 0; i < n; i++) if (this.scope[i] !== ALL) everyoneSame = false;
    this.shared = everyoneSame ? encodeEventsFrame(tick, this.encoded) : null;
  }

  /** The announcements and the Events frame due to one recipient (prepare() first). */
  deliver(r: EventRecipient): void {
    const frames = this.announcements;
    for (let i = 0; i < frames.length; i++) if (this.stamps[i]! > r.rosterStamp) r.send(frames[i]!);
    const n = this.encoded.length;
    if (n === 0) return;
    if (this.shared) {
      r.send(this.shared);
      return;
    }
    const cs = this.grid.cellSize;
    const picked = this.picked;
    const v = r.view;
    const left = v.cx0 * cs;
    const top = v.cy0 * cs;
    const right = (v.cx1 + 1) * cs;
    const bottom = (v.cy1 + 1) * cs;
    picked.length = 0;
    for (let i = 0; i < n; i++) {
      const s = this.scope[i];
      const a = this.who[2 * i];
      const b = this.who[2 * i + 1];
      if (s === ALL) picked.push(this.encoded[i]!);
      else if (s === TO) {
        if (a === r.id) picked.push(this.encoded[i]!);
      } else if (a === r.id || b === r.id) picked.push(this.encoded[i]!);
      else {
        const o = 4 * i;
        if (this.box[o + 2]! >= left && this.box[o]! < right && this.box[o + 3]! >= top && this.box[o + 1]! < bottom)
          picked.push(this.encoded[i]!);
      }
    }
    if (picked.length > 0) r.send(encodeEventsFrame(this.tick, picked));
  }

  /** Start the next tick empty. */
  finish(): void {
    this.announcements.length = 0;
    this.stamps.length = 0;
    this.encoded.length = 0;
    this.scope.length = 0;
    this.box.length = 0;
    this.who.length = 0;
    this.shared = null;
  }

  private push(e: GameEvent, scope: number, x0: number, y0: number, x1: number, y1: number, a: number, b: number): void {
    this.encoded.push(encodeEvent(e));
    this.scope.push(scope);
    this.box.push(x0, y0, x1, y1);
    this.who.push(a, b);
  }
}
