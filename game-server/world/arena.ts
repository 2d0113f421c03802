/**
 * The rules of a match on top of movement: the blaster (hitscan, judged with lag
 * compensation), health, death, respawn, spawn protection, score and health pickups.
 * The room applies inputs and steps the sim; it tells the arena who fired, and once
 * everyone has moved, the arena settles the tick and reports what happened as events.
 */
import {
  BLASTER_DAMAGE,
  EventType,
  HIT_TOLERANCE,
  MAX_HEALTH,
  MAX_REWIND_MS,
  PICKUP_HEAL,
  PLAYER_RADIUS,
  RESPAWN_DELAY_MS,
  SCORE_PER_KILL,
  SPAWN_PROTECTION_MS,
  blasterCooldownTicks,
  traceShot,
  type CollisionMap,
  type GameEvent,
  type PlayerState,
  type ShotEvent,
  type ShotResult,
  type ShotTarget,
  type SpawnPoint,
} from '../../protocol/index.ts';
import { LagCompensator } from './lag-compensator.ts';
import { PickupField } from './pickups.ts';
import { chooseSpawnForGroup } from './spawns.ts';

/** A player's standing in the match. */
export interface Combatant {
  health: number;
  alive: boolean;
  score: number;
  /** The blaster fires again from this tick on. */
  nextFireTick: number;
  /** While dead: the loop time (ms) of the respawn. */
  respawnAt: number;
  /** Takes no damage before this loop time (ms). */
  protectedUntil: number;
  /** Shots refused because their view was older than the rewind limit, since joining. */
  shotsBeyondRewind: number;
}

/** Counters an arena adds to (shared by every room of a server, for /metrics). */
export interface ShotTotals {
  /** Shots whose viewTime was older than the rewind limit when judged: they hit no one. */
  shotsBeyondRewind: number;
}

export interface Fighter {
  readonly id: number;
  state: PlayerState;
  readonly combat: Combatant;
}

/**
 * Where the arena's events go. `near` events concern a place (the segment or point
 * x0,y0..x1,y1): those who can see it get them, and so do players a and b (-1: none).
 */
export interface EventSink {
  all(e: GameEvent): void;
  near(e: GameEvent, x0: number, y0: number, x1: number, y1: number, a: number, b: number): void;
  to(id: number, e: GameEvent): void;
}

interface PendingShot {
  shooter: Fighter;
  x: number;
  y: number;
  aim: number;
  viewTime: number;
  /** Loop time the Fire input reached the server. */
  arrival: number;
  /** The Input seq that fired it (-1: unknown), echoed in its Shot event. */
  seq: number;
}

export class Arena {
  readonly lag: LagCompensator;
  /** How old a view may be when its Fire arrives, ms (the Welcome's maxRewindMs). */
  readonly maxRewindMs: number;
  readonly pickups: PickupField;
  readonly cooldownTicks: number;
  private readonly shots: PendingShot[] = [];
  private readonly rewound: ShotTarget[] = [];
  /**
   * Told of every shot judged (the replay recorder's shot inspector): the shooter, its
   * view time, the beam, the others where the rewind put them, and the verdict.
   */
  shotObserver: ShotObserver | null = null;
  private readonly result: ShotResult = { dist: 0, hitId: -1, dx: 1, dy: 0 };
  /** Shots fired / that hit someone / refused as beyond the rewind limit, since the room opened. */
  shotsFired = 0;
  shotsHit = 0;
  shotsBeyondRewind = 0;
  /** Someone died or respawned in the tick being settled: its history frame is rewritten. */
  private livingChanged = false;

  constructor(
    readonly map: CollisionMap,
    tickRate: number,
    private readonly random: () => number,
    private readonly events: EventSink,
    private readonly totals: ShotTotals = { shotsBeyondRewind: 0 },
    maxRewindMs: number = MAX_REWIND_MS,
  ) {
    this.maxRewindMs = maxRewindMs;
    // History for the limit plus the longest an input can wait in its queue (one second).
    this.lag = new LagCompensator(maxRewindMs + INPUT_QUEUE_MS, 1000 / tickRate);
    this.pickups = new PickupField(map.pickups ?? []);
    this.cooldownTicks = blasterCooldownTicks(tickRate);
  }

  /** A fresh standing for a player joining now: full health, protected for a while. */
  newcomer(now: number): Combatant {
    return {
      health: MAX_HEALTH,
      alive: true,
      score: 0,
      nextFireTick: 0,
      respawnAt: 0,
      protectedUntil: now + SPAWN_PROTECTION_MS,
      shotsBeyondRewind: 0,
    };
  }

  /** Where p meets a small group, else the spawn point farthest from every living player (spawns.ts). */
  spawnPoint(players: Iterable<Fighter>): SpawnPoint {
    const living: { x: number; y: number }[] = [];
    for (const p of players) if (p.combat.alive) living.push({ x: p.state.x, y: p.state.y });
    return chooseSpawnForGroup(this.map.spawns, living, this.random);
  }

  /**
   * An applied input of p's has Fire: it fires if alive and its blaster is ready (the
   * cooldown is counted in server ticks, so no input rate fires faster). The shot is
   * judged in endTick, once everyone has moved.
   */
  fire(p: Fighter, aim: number, viewTime: number, tick: number, arrival: number = Number.NaN, seq = -1): void {
    const c = p.combat;
    if (!c.alive || tick < c.nextFireTick) return;
    c.nextFireTick = tick + this.cooldownTicks;
    // Shooting gives up spawn protection: no firing from behind a shield.
    c.protectedUntil = 0;
    this.shots.push({ shooter: p, x: p.state.x, y: p.state.y, aim, viewTime, arrival, seq });
  }

  /** Settle the tick at loop time `now` (ms), after every player has moved. */
  endTick(now: number, players: ReadonlyMap<number, Fighter>): void {
    this.lag.record(now, livingPositions(players.values()));
    this.livingChanged = false;
    for (const shot of this.shots) this.resolve(shot, now, players);
    this.shots.length = 0;
    for (const p of players.values()) {
      const c = p.combat;
      if (c.alive) {
        if (c.health < MAX_HEALTH) this.tryPickup(p, now);
      } else if (now >= c.respawnAt) {
        this.respawn(p, now, players);
      }
    }
    this.pickups.update(now, (pickup) => this.events.all({ type: EventType.PickupReady, pickup }));
    // The tick's frame says who its snapshot shows: the killed gone, the respawned there.
    // Recorded with a victim still in it, the scorecard's false hits were all shots at a
    // player killed a moment before: alive in this frame, gone from every screen.
    if (this.livingChanged) this.lag.amend(livingPositions(players.values()));
  }

  private resolve(shot: PendingShot, now: number, players: ReadonlyMap<number, Fighter>): void {
    const shooter = shot.shooter;
    this.shotsFired++;
    // Beyond the limit the shot is refused rather than judged at the limit: the positions
    // there are ones its shooter never saw, so any verdict would be a guess, and a hit
    // would reach a target further behind cover than the limit was chosen to allow. The
    // beam still flies (others see it, up to the first wall) but hits no one.
    // The age is the shooter's part: its view and the trip here. Time spent in the input
    // queue after that (a page that sends its inputs in bursts) is the server's pacing.
    const received = Number.isNaN(shot.arrival) ? now : Math.min(now, shot.arrival);
    const beyond = received - shot.viewTime > this.maxRewindMs;
    if (beyond) {
      this.shotsBeyondRewind++;
      this.totals.shotsBeyondRewind++;
      shooter.combat.shotsBeyondRewind++;
    }
    const targets = beyond ? NO_TARGETS : this.lag.rewind(shot.viewTime, this.rewound);
    // Life is judged at the view time as positions are: whoever was alive then (in the
    // rewound frame) stops the beam, as on the shooter's screen, even if another shot
    // killed them since; the dead take no damage below. Judging life now instead made
    // one shot in nine a false miss on the bad profile (the scorecard: the victim was
    // killed in the time the shot took to arrive, which its shooter could not know).
    const r = traceShot(this.map, shot.x, shot.y, shot.aim, othersHere(targets, shot.shooter.id, players), PLAYER_RADIUS + HIT_TOLERANCE, this.result);
    const x1 = shot.x + r.dx * r.dist;
    const y1 = shot.y + r.dy * r.dist;
    this.shotObserver?.(shooter.id, shot.viewTime, shot.x, shot.y, x1, y1, targets, r.hitId, beyond);
    const shotEvent: ShotEvent = { type: EventType.Shot, shooter: shooter.id, x0: Math.round(shot.x), y0: Math.round(shot.y), x1: Math.round(x1), y1: Math.round(y1) };
    if (shot.seq >= 0) {
      // The verdict, tied to its Fire: the shooter's scorecard compares it with its own view.
      shotEvent.seq = shot.seq;
      shotEvent.target = r.hitId;
      shotEvent.refused = beyond ? 1 : 0;
    }
    this.events.near(
      shotEvent,
      shot.x,
      shot.y,
      x1,
      y1,
      shooter.id,
      r.hitId,
    );
    if (r.hitId < 0) return;
    const victim = players.get(r.hitId);
    if (!victim || !victim.combat.alive || now < victim.combat.protectedUntil) return;
    this.shotsHit++;
    const v = victim.combat;
    const damage = Math.min(v.health, BLASTER_DAMAGE);
    v.health -= damage;
    this.events.near(
      { type: EventType.Hit, victim: victim.id, attacker: shooter.id, damage, health: v.health },
      victim.state.x,
      victim.state.y,
      victim.state.x,
      victim.state.y,
      victim.id,
      shooter.id,
    );
    if (v.health > 0) return;
    v.alive = false;
    this.livingChanged = true;
    v.respawnAt = now + RESPAWN_DELAY_MS;
    shooter.combat.score += SCORE_PER_KILL;
    this.events.all({ type: EventType.Kill, victim: victim.id, killer: shooter.id, killerScore: shooter.combat.score });
  }

  private tryPickup(p: Fighter, now: number): void {
    const i = this.pickups.within(p.state.x, p.state.y);
    if (i < 0) return;
    this.pickups.take(i, now);
    const c = p.combat;
    c.health = Math.min(MAX_HEALTH, c.health + PICKUP_HEAL);
    this.events.all({ type: EventType.Pickup, player: p.id, pickup: i, health: c.health });
  }

  private respawn(p: Fighter, now: number, players: ReadonlyMap<number, Fighter>): void {
    const at = this.spawnPoint(players.values());
    p.state = { x: at.x, y: at.y, vx: 0, vy: 0 };
    const c = p.combat;
    c.alive = true;
    this.livingChanged = true;
    c.health = MAX_HEALTH;
    c.protectedUntil = now + SPAWN_PROTECTION_MS;
    this.events.all({
      type: EventType.Respawn,
      player: p.id,
      x: Math.round(at.x),
      y: Math.round(at.y),
      health: c.health,
      protectMs: SPAWN_PROTECTION_MS,
    });
  }
}

const NO_TARGETS: readonly ShotTarget[] = [];

/** See Arena.shotObserver. targets: every player as rewound (the shooter included); hitId -1: none. */
export type ShotObserver = (
  shooter: number,
  viewTime: number,
  x0: number,
  y0: number,
  x1: number,
  y1: number,
  targets: readonly ShotTarget[],
  hitId: number,
  refused: boolean,
) => void;
/** The input queue holds at most one second of inputs (room.ts), so a Fire waits no longer. */
const INPUT_QUEUE_MS = 1000;

/** Living players' positions, one reused object (the lag compensator copies them). */
function* livingPositions(players: Iterable<Fighter>): Iterable<{ id: number; x: number; y: number }> {
  const o = { id: 0, x: 0, y: 0 };
  for (const p of players) {
    if (!p.combat.alive) continue;
    o.id = p.id;
    o.x = p.state.x;
    o.y = p.state.y;
    yield o;
  }
}

/** The rewound players but the shooter and any who left the room since. */
function* othersHere(targets: readonly ShotTarget[], shooter: number, players: ReadonlyMap<number, Fighter>): Iterable<ShotTarget> {
  for (const t of targets) {
    if (t.id === shooter) continue;
    if (players.has(t.id)) yield t;
  }
}
