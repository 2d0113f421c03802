/**
 * Combat rules both sides need: the server judges shots with them, the client uses them
 * to draw its own shot at once (beam, muzzle flash) and to show cooldowns, health and
 * timers the way the server counts them.
 */
import { dequantizeAngle } from '../quantize.ts';
import { isSolidTile, type CollisionMap } from './map.ts';

/** Health of a fresh player; the wire carries health as a small integer 0..MAX_HEALTH. */
export const MAX_HEALTH = 100;
/** Damage of one blaster hit: four hits kill. */
export const BLASTER_DAMAGE = 25;
/** How far the blaster reaches, px (about half a 1280 px wide screen). */
export const BLASTER_RANGE = 640;
/** Time between two shots, ms; the server counts it in whole ticks (9 at 30 Hz). */
export const BLASTER_COOLDOWN_MS = 300;
/**
 * Lag compensation looks back at most this far, ms; the Welcome tells each client the
 * server's value. A shot's rewind is what separates the server's "now" when it judges
 * the shot from the moment its shooter was drawing: the snapshots' one-way trip down,
 * the interpolation delay, the Fire input's trip up, the server's input buffer and the
 * wait for the next tick. At 30 Hz (33 ms ticks), interpolation delay is at least two
 * snapshot intervals (67 ms) or one plus the jitter, and the input buffer with the tick
 * wait is about three ticks (100 ms), so for the network profiles the bench uses:
 *   LAN 0 ms:             0 + 67 + 100 = ~170 ms
 *   good 25 + 5 one way:  50..60 + 67 + 100 = ~230 ms
 *   typical 60 + 15:      120..150 + 67 + 100 = ~300 ms (beyond Overwatch's 250)
 *   bad 120 + 40:         240..320 + 73 + 100 = ~410..490 ms
 * 500 ms covers "bad" to its worst case, and more so as the server counts a shot's age
 * when its Fire arrives (the input buffer and the tick wait are the server's pacing, not
 * the shooter's view; the history kept covers them on top). What it costs the target: at MAX_SPEED (240
 * px/s) a player can still be hit up to 120 px after stepping behind cover, against 60
 * at Overwatch's 250 ms and 240 at Source's 1 s. Past that, fairness to the target wins:
 * a shot whose view is older is refused (hits no one), not judged at the limit against
 * positions its shooter never saw; the client shortens its interpolation delay to stay
 * inside the limit and says in F3 when the network alone exceeds it.
 */
export const MAX_REWIND_MS = 500;
/**
 * What a client keeps free of the limit, in ticks: room for error in its estimate of a
 * shot's age (clock offset, half the RTT) and for the uplink's jitter. The age is taken
 * when the Fire reaches the server, so the server's input queue is not part of it.
 */
export const REWIND_MARGIN_TICKS = 3;
/**
 * Shots are tested against circles this much (px) larger than a player's body, on the
 * server and in the client's shot predictor alike: the beam is drawn about this wide
 * either side of its line, so a beam that visibly touches a player hits it. Using the
 * same circle on both sides, they disagree only by what separates the shooter's picture
 * from the server's (remote positions on a 1/2 px grid with dead reckoning, viewTime
 * rounded to the ms: about 1 px at p99, the bots' ghost error), on a thin band of
 * grazing shots either way, instead of on every graze between 12 and 14 px one way.
 */
export const HIT_TOLERANCE = 2;
/** Time from death to respawn, ms. */
export const RESPAWN_DELAY_MS = 3000;
/** After a respawn (or joining) a player takes no damage for this long, ms, or until it fires. */
export const SPAWN_PROTECTION_MS = 2000;
/** Score for a kill. */
export const SCORE_PER_KILL = 1;
/** Health a pickup gives, up to MAX_HEALTH. */
export const PICKUP_HEAL = 40;
/** A player whose centre comes this close (px) to a pickup's centre takes it. */
export const PICKUP_REACH = 24;
/** A taken pickup comes back after this long, ms. */
export const PICKUP_RESPAWN_MS = 15000;

/** Ticks between shots at a tick rate: what the server enforces. */
export const blasterCooldownTicks = (tickRate: number): number =>
  Math.max(1, Math.round((BLASTER_COOLDOWN_MS * tickRate) / 1000));

/**
 * Distance along the unit ray (dx, dy) from (x0, y0) to the first solid tile it enters,
 * or maxDist if it reaches that far first; 0 if it starts inside one. A grid walk
 * (Amanatides & Woo): it visits exactly the tiles the ray crosses, so a shot cannot slip
 * between two walls that touch at a corner, and its cost follows the ray's length.
 */
export function raycastWalls(map: CollisionMap, x0: number, y0: number, dx: number, dy: number, maxDist: number): number {
  const ts = map.tileSize;
  let tx = Math.floor(x0 / ts);
  let ty = Math.floor(y0 / ts);
  if (isSolidTile(map, tx, ty)) return 0;
  const stepX = dx > 0 ? 1 : dx < 0 ? -1 : 0;
  const stepY = dy > 0 ? 1 : dy < 0 ? -1 : 0;
  // Distance along the ray to the next vertical / horizontal grid line, and between lines.
  const deltaX = stepX !== 0 ? ts / Math.abs(dx) : Infinity;
  const deltaY = stepY !== 0 ? ts / Math.abs(dy) : Infinity;
  let nextX = stepX > 0 ? ((tx + 1) * ts - x0) / dx : stepX < 0 ? (tx * ts - x0) / dx : Infinity;
  let nextY = stepY > 0 ? ((ty + 1) * ts - y0) / dy : stepY < 0 ? (ty * ts - y0) / dy : Infinity;
  for (;;) {
    let t: number;
    if (nextX < nextY) {
      t = nextX;
      tx += stepX;
      nextX += deltaX;
    } else {
      t = nextY;
      ty += stepY;
      nextY += deltaY;
    }
    if (t >= maxDist) return maxDist;
    if (isSolidTile(map, tx, ty)) return t;
  }
}

/**
 * Distance along the unit ray (dx, dy) from (x0, y0) to where it enters the circle at
 * (cx, cy) of radius r; 0 if it starts inside; Infinity if it misses or the circle is behind.
 */
export function rayCircle(x0: number, y0: number, dx: number, dy: number, cx: number, cy: number, r: number): number {
  const ox = cx - x0;
  const oy = cy - y0;
  const c = ox * ox + oy * oy - r * r;
  if (c <= 0) return 0;
  const along = ox * dx + oy * dy;
  if (along <= 0) return Infinity;
  const disc = along * along - c;
  if (disc < 0) return Infinity;
  return along - Math.sqrt(disc);
}

/** Something a shot can hit: a player's id and centre, px. */
export interface ShotTarget {
  id: number;
  x: number;
  y: number;
}

/** Where a shot stopped: its length (px) and the id of the player hit, or -1. */
export interface ShotResult {
  dist: number;
  hitId: number;
  /** Unit direction of the shot. */
  dx: number;
  dy: number;
}

/**
 * Trace one blaster shot from (x0, y0) along the aim byte: it stops at the first wall
 * tile or the nearest target circle (radius px) in range, whichever is closer. The
 * shooter itself must not be among the targets. Writes into and returns `out`.
 */
export function traceShot(
  map: CollisionMap,
  x0: number,
  y0: number,
  aim: number,
  targets: Iterable<ShotTarget>,
  radius: number,
  out: ShotResult = { dist: 0, hitId: -1, dx: 1, dy: 0 },
): ShotResult {
  const a = dequantizeAngle(aim);
  const dx = Math.cos(a);
  const dy = Math.sin(a);
  let best = raycastWalls(map, x0, y0, dx, dy, BLASTER_RANGE);
  let hit = -1;
  for (const t of targets) {
    const d = rayCircle(x0, y0, dx, dy, t.x, t.y, radius);
    if (d < best || (d === best && hit >= 0 && t.id < hit)) {
      best = d;
      hit = t.id;
    }
  }
  out.dist = best;
  out.hitId = hit;
  out.dx = dx;
  out.dy = dy;
  return out;
}
