/**
 * What a room knows of one player's connection: a per-client channel. It owns what the
 * room tracks per client across ticks (the snapshot baseline, the view of this tick,
 * backpressure skips) and reaches the connection only through a ClientLink, so rooms
 * never depend on the session or the socket behind it. A new connection (a resume) gets
 * a new channel: a fresh baseline, since the new socket has received nothing yet.
 */
import { CloseCode, NO_BASELINE, type ViewRect } from '../../protocol/index.ts';
import type { ClientBudget } from './budget.ts';
import type { EventRecipient } from './event-feed.ts';
import type { ClientBaseline } from './snapshot-builder.ts';
import type { ViewPolicy } from './view-policy.ts';

/** The connection under a channel (net/session.ts's Session is one). */
export interface ClientLink {
  /** False once either side closed it: a kept player's link stays closed. */
  readonly isOpen: boolean;
  /** The area the client draws, world px (already clamped). */
  readonly viewWidth: number;
  readonly viewHeight: number;
  send(bytes: Uint8Array): void;
  close(code: number, reason: string): void;
  bufferedAmount(): number;
  /** Run fn with its sends leaving in one write (Transport.cork). */
  cork(fn: () => void): void;
  /** Snapshot bytes per second the client asked for in its Hello (0 or absent: no ask). */
  readonly askedBytesPerSecond?: number;
}

/** Over softLimitBytes buffered a snapshot is skipped; skipped for timeoutMs running, the client is closed. */
export interface Backpressure {
  softLimitBytes: number;
  timeoutMs: number;
}

const emptyRect = (): ViewRect => ({ cx0: 0, cy0: 0, cx1: -1, cy1: -1, cols: 1 });

export class ClientChannel implements EventRecipient {
  /** The last snapshot sent: what the next one deltas against. */
  readonly baseline: ClientBaseline = { tick: NO_BASELINE, view: null };
  /** The cells this client sees this tick (set by look(); events and the snapshot share it). */
  view: ViewRect;
  /**
   * The membership change (room-local stamp) this client's roster already reflects:
   * announcements up to it are not sent to it (see EventFeed.announce).
   */
  rosterStamp = 0;
  /** Snapshots not sent to this client because it was not reading. */
  snapshotsSkipped = 0;
  /** Loop time since which every snapshot was skipped; -1 when not. */
  private slowSince = -1;
  // Two rects, used in turn: the one the baseline refers to must not change under it.
  private readonly rectA = emptyRect();
  private readonly rectB = emptyRect();

  constructor(
    /** The player's id. */
    readonly id: number,
    readonly link: ClientLink,
    /** Its bandwidth budget and received-tick pacing (net/budget.ts): per connection, like the baseline. */
    readonly budget: ClientBudget,
  ) {
    this.view = this.rectA;
  }

  get open(): boolean {
    return this.link.isOpen;
  }

  send(bytes: Uint8Array): void {
    this.link.send(bytes);
  }

  /** Run fn with every frame it sends to this client leaving in one write. */
  cork(fn: () => void): void {
    this.link.cork(fn);
  }

  /** Work out this tick's view for a player at (x, y), px. */
  look(policy: ViewPolicy, x: number, y: number): ViewRect {
    const spare = this.baseline.view === this.rectA ? this.rectB : this.rectA;
    this.view = policy.view(x, y, this.link.viewWidth, this.link.viewHeight, spare);
    return this.view;
  }

  /**
   * Whether a snapshot may be sent now. A client that is not keeping up gets none rather
   * than an ever-growing buffer (the next one deltas against what it last received);
   * one stuck for longer than the timeout is closed with SlowConsumer.
   */
  admit(now: number, limits: Backpressure): boolean {
    if (this.link.bufferedAmount() <= limits.softLimitBytes) {
      this.slowSince = -1;
      return true;
    }
    this.snapshotsSkipped++;
    if (this.slowSince < 0) this.slowSince = now;
    else if (now - this.slowSince > limits.timeoutMs)
      this.link.close(
        CloseCode.SlowConsumer,
        `not reading: send buffer over ${limits.softLimitBytes} bytes for ${limits.timeoutMs} ms`,
      );
    return false;
  }

  /** The client reports it has received the snapshot of `tick` (Input.ackTick). */
  acked(tick: number, now: number): void {
    this.budget.feedback.acked(tick, now);
  }

  /** The snapshot of `tick` for this tick's view went out: later ones delta against it. */
  delivered(tick: number): void {
    this.baseline.tick = tick;
    this.baseline.view = this.view;
  }
}
