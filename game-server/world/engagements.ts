/**
 * Who is fighting whom, for the bandwidth budget: a player who shot at a client (its beam
 * passed within SHOT_NEAR_PX of it), hit it, or was hit by it is someone that client must
 * see at full rate for a while, wherever they stand (net/budget.ts never leaves their
 * cell out). Learned from the arena's own events on their way to the event feed, so
 * combat needs no hook of its own.
 */
import { EventType, type GameEvent } from '../../protocol/index.ts';
import type { ClientBudget } from '../net/budget.ts';
import type { EventSink } from './arena.ts';

/** A beam passing this close to a player counts as a shot at it, px. */
export const SHOT_NEAR_PX = 48;
/** How long a fight keeps its partners' cells at full rate, ms. */
export const ENGAGED_MS = 2000;

/** What the sink needs of a player. */
export interface Engageable {
  readonly id: number;
  readonly state: { readonly x: number; readonly y: number };
  readonly channel: { readonly budget: ClientBudget };
}

export class EngagementSink implements EventSink {
  constructor(
    private readonly inner: EventSink,
    private readonly players: ReadonlyMap<number, Engageable>,
    /** Loop time now, ms. */
    private readonly now: () => number,
  ) {}

  all(e: GameEvent): void {
    this.inner.all(e);
  }

  to(id: number, e: GameEvent): void {
    this.inner.to(id, e);
  }

  near(e: GameEvent, x0: number, y0: number, x1: number, y1: number, a: number, b: number): void {
    this.inner.near(e, x0, y0, x1, y1, a, b);
    if (e.type === EventType.Hit) this.link(e.attacker, e.victim);
    else if (e.type === EventType.Shot) this.shotAt(e.shooter, x0, y0, x1, y1);
  }

  private link(a: number, b: number): void {
    const until = this.now() + ENGAGED_MS;
    this.players.get(a)?.channel.budget.engage(b, until);
    this.players.get(b)?.channel.budget.engage(a, until);
  }

  /** Everyone the beam (x0, y0)-(x1, y1) passed near learns of its shooter. */
  private shotAt(shooter: number, x0: number, y0: number, x1: number, y1: number): void {
    const r = SHOT_NEAR_PX;
    const minX = Math.min(x0, x1) - r;
    const maxX = Math.max(x0, x1) + r;
    const minY = Math.min(y0, y1) - r;
    const maxY = Math.max(y0, y1) + r;
    const dx = x1 - x0;
    const dy = y1 - y0;
    const len2 = dx * dx + dy * dy;
    let until = 0;
    for (const p of this.players.values()) {
      const { x, y } = p.state;
      if (p.id === shooter || x < minX || x > maxX || y < minY || y > maxY) continue;
      const t = len2 > 0 ? Math.max(0, Math.min(1, ((x - x0) * dx + (y - y0) * dy) / len2)) : 0;
      const ex = x0 + t * dx - x;
      const ey = y0 + t * dy - y;
      if (ex * ex + ey * ey > r * r) continue;
      if (until === 0) until = this.now() + ENGAGED_MS;
      p.channel.budget.engage(shooter, until);
    }
  }
}
