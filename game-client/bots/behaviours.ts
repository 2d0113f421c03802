/**
 * How a bot plays: each behaviour turns the bot's own predicted position (and, for
 * fight, the other players it sees) into buttons and an aim, once per tick. They read
 * only the GameClient's public view, like the game scene does.
 *
 * - idle: stands still and looks around (still sends an input every tick, as a player
 *   who is AFK does).
 * - roam: walks to random reachable points along grid paths, re-planning when stuck,
 *   and aims around its heading.
 * - fight: chases the nearest player it can see, aims at it and holds Fire while it is
 *   in blaster range (the server decides what the shots hit).
 */
import { BLASTER_RANGE, Button } from '../../protocol/index.ts';
import type { GameClient } from '../src/net/client.ts';
import type { PathFinder } from './path-finder.ts';

export const BEHAVIOURS = ['roam', 'idle', 'fight'] as const;
export type BehaviourName = (typeof BEHAVIOURS)[number];

/** Printed by the CLI when --behaviour fight is chosen. */
export const FIGHT_NOTE =
  'fight: bots chase the nearest player they see and fire their blasters at it when in range (kills, deaths and respawns included)';

export interface BotControls {
  readonly client: GameClient;
  readonly paths: PathFinder;
  readonly random: () => number;
}

export interface Behaviour {
  readonly name: BehaviourName;
  /** Set this tick's buttons and aim. `now` is the worker clock, ms. */
  update(now: number): void;
}

export function createBehaviour(name: BehaviourName, bot: BotControls): Behaviour {
  switch (name) {
    case 'idle':
      return new Idle(bot);
    case 'roam':
      return new Roam(bot);
    case 'fight':
      return new Fight(bot);
  }
}

/** Within this distance (px) of a waypoint's centre, move on to the next. */
const ARRIVE_PX = 10;
/** A button is pressed only when the waypoint is more than this far along its axis, px. */
const DEAD_ZONE_PX = 3;
/** Roam targets are picked within this many tiles, mostly (a walk of a few seconds). */
const ROAM_RADIUS_TILES = 16;
/** No step closer to the waypoint for this long (ms): stuck (another player in the way), re-plan. */
const STUCK_MS = 1200;

/**
 * Follows a list of tile centres with 8-way buttons. Knows nothing of why it goes there.
 */
export class PathFollower {
  private path: number[] = [];
  private index = 0;
  private bestDist = Infinity;
  private lastProgress = 0;
  /** Direction of the last move, radians (for aiming along the way). */
  heading = 0;
  /** Re-plans because progress stopped. */
  stuckCount = 0;

  constructor(private readonly paths: PathFinder) {}

  get active(): boolean {
    return this.index < this.path.length;
  }

  /** The final tile of the current path, or -1. */
  get goal(): number {
    return this.path.length > 0 ? this.path[this.path.length - 1]! : -1;
  }

  set(path: number[], now: number): void {
    this.path = path;
    this.index = 0;
    this.bestDist = Infinity;
    this.lastProgress = now;
  }

  clear(): void {
    this.path = [];
    this.index = 0;
  }

  /**
   * Buttons that move toward the current waypoint from (x, y); 0 when the path is done.
   * Returns -1 when stuck (the caller re-plans).
   */
  steer(x: number, y: number, now: number): number {
    const pf = this.paths;
    while (this.index < this.path.length) {
      const t = this.path[this.index]!;
      const dx = pf.centerX(t) - x;
      const dy = pf.centerY(t) - y;
      const dist = Math.sqrt(dx * dx + dy * dy);
      if (dist < ARRIVE_PX) {
        this.index++;
        this.bestDist = Infinity;
        this.lastProgress = now;
        continue;
      }
      if (dist < this.bestDist - 1) {
        this.bestDist = dist;
        this.lastProgress = now;
      } else if (now - this.lastProgress > STUCK_MS) {
        this.stuckCount++;
        this.clear();
        return -1;
      }
      this.heading = Math.atan2(dy, dx);
      let b = 0;
      if (dx > DEAD_ZONE_PX) b |= Button.Right;
      else if (dx < -DEAD_ZONE_PX) b |= Button.Left;
      if (dy > DEAD_ZONE_PX) b |= Button.Down;
      else if (dy < -DEAD_ZONE_PX) b |= Button.Up;
      return b;
    }
    return 0;
  }
}

class Idle implements Behaviour {
  readonly name = 'idle';
  private readonly turnRate: number;
  constructor(private readonly bot: BotControls) {
    this.turnRate = (bot.random() - 0.5) * 0.002; // rad per ms, either way
  }
  update(now: number): void {
    this.bot.client.setButtons(0);
    this.bot.client.setAim(now * this.turnRate);
  }
}

class Roam implements Behaviour {
  readonly name: 'roam' | 'fight' = 'roam';
  protected readonly follow: PathFollower;
  private pauseUntil = 0;
  private readonly sweep: number;

  constructor(protected readonly bot: BotControls) {
    this.follow = new PathFollower(bot.paths);
    this.sweep = 0.002 + bot.random() * 0.003;
  }

  update(now: number): void {
    const c = this.bot.client;
    const s = c.predictedState;
    if (!s) return;
    if (now < this.pauseUntil) {
      c.setButtons(0);
      c.setAim(this.follow.heading + Math.sin(now * this.sweep) * 1.2);
      return;
    }
    if (!this.follow.active && !this.planRandom(s.x, s.y, now)) {
      c.setButtons(0);
      return;
    }
    const b = this.follow.steer(s.x, s.y, now);
    if (b <= 0) {
      // Arrived (look around a little before the next walk) or stuck (go elsewhere now).
      if (b === 0) this.pauseUntil = now + this.bot.random() * 1500;
      c.setButtons(0);
      return;
    }
    c.setButtons(b);
    // People look roughly where they go, with the mouse wandering.
    c.setAim(this.follow.heading + Math.sin(now * this.sweep) * 0.6);
  }

  protected planRandom(x: number, y: number, now: number): boolean {
    const pf = this.bot.paths;
    const from = pf.freeTileNear(x, y);
    const to = pf.randomReachable(from, this.bot.random, ROAM_RADIUS_TILES);
    const path = to >= 0 ? pf.findPath(from, to) : null;
    if (!path || path.length === 0) return false;
    this.follow.set(path, now);
    return true;
  }
}

/** Fight: re-targets the nearest visible player twice a second and walks at it. */
class Fight extends Roam {
  override readonly name = 'fight';
  private nextTarget = 0;
  private targetX = Number.NaN;
  private targetY = Number.NaN;

  override update(now: number): void {
    const c = this.bot.client;
    const s = c.predictedState;
    if (!s) return;
    if (now >= this.nextTarget) {
      this.nextTarget = now + 500;
      this.pickTarget(s.x, s.y, now);
    }
    if (Number.isNaN(this.targetX)) return super.update(now);
    const dx = this.targetX - s.x;
    const dy = this.targetY - s.y;
    c.setAim(Math.atan2(dy, dx));
    const d2 = dx * dx + dy * dy;
    const fire = d2 < (BLASTER_RANGE * 0.9) ** 2 ? Button.Fire : 0;
    // Close enough: hold position and keep shooting.
    if (d2 < 96 * 96) {
      c.setButtons(fire);
      return;
    }
    const b = this.follow.steer(s.x, s.y, now);
    c.setButtons((b > 0 ? b : 0) | fire);
  }

  private pickTarget(x: number, y: number, now: number): void {
    let best = Infinity;
    let bx = Number.NaN;
    let by = Number.NaN;
    for (const p of this.bot.client.remotePlayers()) {
      const d = (p.x - x) * (p.x - x) + (p.y - y) * (p.y - y);
      if (d < best) {
        best = d;
        bx = p.x;
        by = p.y;
      }
    }
    this.targetX = bx;
    this.targetY = by;
    if (Number.isNaN(bx)) return;
    const pf = this.bot.paths;
    const from = pf.freeTileNear(x, y);
    const to = pf.freeTileNear(bx, by);
    if (to === this.follow.goal && this.follow.active) return;
    const path = pf.findPath(from, to);
    if (path && path.length > 0) this.follow.set(path, now);
    else this.follow.clear();
  }
}
