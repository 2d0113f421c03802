/**
 * The movement step: (state, input, dt, map) -> next state. Pure and deterministic:
 * only +, -, *, /, sqrt, floor and round, which IEEE-754 defines exactly, so every
 * JavaScript engine computes the same bits and client prediction matches the server.
 */
import { Button } from '../messages.ts';
import { VEL_SCALE, snapPos, snapVel } from '../quantize.ts';
import {
  ACCELERATION,
  DASH_COOLDOWN,
  DASH_DURATION,
  DASH_SPEED,
  FRICTION,
  MAX_SPEED,
  PLAYER_RADIUS,
  STOP_SPEED,
} from './constants.ts';
import { isSolidTile, type CollisionMap } from './map.ts';

export interface PlayerState {
  /** Centre, px, on the wire grid (multiples of 1/POS_SCALE). */
  x: number;
  y: number;
  /** Velocity, px/s, on the wire grid (multiples of 1/VEL_SCALE). */
  vx: number;
  vy: number;
  /**
   * Steps of dash burst still to run after this one (absent: 0). Whole steps, not
   * seconds, so the count is exact on both sides; present only while non-zero.
   */
  dash?: number;
  /** Steps until Dash works again (absent: 0); present only while non-zero. */
  dashCooldown?: number;
}

export const clonePlayerState = (s: PlayerState): PlayerState =>
  withDash({ x: s.x, y: s.y, vx: s.vx, vy: s.vy }, s.dash ?? 0, s.dashCooldown ?? 0);

/** The dash fields are left out while zero, so a state without dashing is just {x, y, vx, vy}. */
function withDash(s: PlayerState, dash: number, cooldown: number): PlayerState {
  if (dash > 0) s.dash = dash;
  if (cooldown > 0) s.dashCooldown = cooldown;
  return s;
}

/** Steps a dash burst lasts at step length dt (s): at least one. */
export const dashSteps = (dt: number): number => Math.max(1, Math.round(DASH_DURATION / dt));
/** Steps from one dash to the next at step length dt (s). */
export const dashCooldownSteps = (dt: number): number => Math.max(1, Math.round(DASH_COOLDOWN / dt));

/** Unit direction the buttons ask for; opposite buttons cancel. */
function inputDirection(buttons: number): [number, number] {
  let dx = 0;
  let dy = 0;
  if (buttons & Button.Left) dx -= 1;
  if (buttons & Button.Right) dx += 1;
  if (buttons & Button.Up) dy -= 1;
  if (buttons & Button.Down) dy += 1;
  if (dx !== 0 && dy !== 0) {
    dx *= Math.SQRT1_2;
    dy *= Math.SQRT1_2;
  }
  return [dx, dy];
}

/**
 * Advance one player by dt seconds under the given buttons. Returns a new state (the
 * input is not modified). The result is snapped to the wire grid.
 */
export function stepPlayer(s: PlayerState, buttons: number, dt: number, map: CollisionMap): PlayerState {
  const [dx, dy] = inputDirection(buttons);
  let vx = s.vx;
  let vy = s.vy;
  let dash = s.dash ?? 0;
  let cooldown = s.dashCooldown ?? 0;
  if (cooldown > 0) cooldown--;
  let cap = MAX_SPEED;
  if (dash > 0) {
    // Mid-burst: the velocity carries on (walls may have turned it); no steering.
    dash--;
    cap = DASH_SPEED;
  } else if ((buttons & Button.Dash) !== 0 && cooldown === 0 && (dx !== 0 || dy !== 0 || vx !== 0 || vy !== 0)) {
    // A dash goes where the player steers, or else where it is already moving.
    let ux = dx;
    let uy = dy;
    if (ux === 0 && uy === 0) {
      const speed = Math.sqrt(vx * vx + vy * vy);
      ux = vx / speed;
      uy = vy / speed;
    }
    vx = ux * DASH_SPEED;
    vy = uy * DASH_SPEED;
    dash = dashSteps(dt) - 1;
    cooldown = dashCooldownSteps(dt);
    cap = DASH_SPEED;
  } else if (dx !== 0 || dy !== 0) {
    // Approach the target velocity exponentially: quick to start, no overshoot.
    const k = Math.min(1, ACCELERATION * dt);
    vx += (dx * MAX_SPEED - vx) * k;
    vy += (dy * MAX_SPEED - vy) * k;
  } else {
    const k = Math.max(0, 1 - FRICTION * dt);
    vx *= k;
    vy *= k;
    if (vx * vx + vy * vy < STOP_SPEED * STOP_SPEED) {
      vx = 0;
      vy = 0;
    }
  }
  const speed2 = vx * vx + vy * vy;
  if (speed2 > cap * cap) {
    const f = cap / Math.sqrt(speed2);
    vx *= f;
    vy *= f;
  }

  let x = s.x;
  let y = s.y;
  // Sub-steps keep each move under half a radius, so no wall can be tunnelled through
  // whatever dt the server runs at.
  const travel = Math.max(Math.abs(vx * dt), Math.abs(vy * dt));
  const steps = Math.max(1, Math.ceil(travel / (PLAYER_RADIUS / 2)));
  const sdt = dt / steps;
  const v = { vx, vy };
  const p = { x, y };
  for (let i = 0; i < steps; i++) {
    p.x += v.vx * sdt;
    p.y += v.vy * sdt;
    resolveWalls(p, v, map);
  }
  x = p.x;
  y = p.y;
  let nvx = snapVel(v.vx);
  let nvy = snapVel(v.vy);
  // Rounding each axis to the nearest grid step can lift a full-speed diagonal over
  // MAX_SPEED (169.7056 -> 169.75 on both axes is 240.06 px/s), or DASH_SPEED during a
  // dash; round toward zero then.
  if (nvx * nvx + nvy * nvy > cap * cap) {
    nvx = Math.trunc(v.vx * VEL_SCALE) / VEL_SCALE;
    nvy = Math.trunc(v.vy * VEL_SCALE) / VEL_SCALE;
  }
  return withDash({ x: snapPos(x), y: snapPos(y), vx: nvx, vy: nvy }, dash, cooldown);
}

/**
 * Push the circle out of every solid tile it overlaps and remove the velocity component
 * into each wall, which is what makes a player slide along walls instead of sticking.
 * Two passes settle corners where a push out of one tile lands in its neighbour.
 */
function resolveWalls(p: { x: number; y: number }, v: { vx: number; vy: number }, map: CollisionMap): void {
  const r = PLAYER_RADIUS;
  const ts = map.tileSize;
  for (let pass = 0; pass < 2; pass++) {
    const tx0 = Math.floor((p.x - r) / ts);
    const tx1 = Math.floor((p.x + r) / ts);
    const ty0 = Math.floor((p.y - r) / ts);
    const ty1 = Math.floor((p.y + r) / ts);
    let moved = false;
    for (let ty = ty0; ty <= ty1; ty++) {
      for (let tx = tx0; tx <= tx1; tx++) {
        if (!isSolidTile(map, tx, ty)) continue;
        const left = tx * ts;
        const top = ty * ts;
        const cx = Math.min(Math.max(p.x, left), left + ts);
        const cy = Math.min(Math.max(p.y, top), top + ts);
        let nx = p.x - cx;
        let ny = p.y - cy;
        const d2 = nx * nx + ny * ny;
        if (d2 >= r * r) continue;
        let push: number;
        if (d2 > 1e-12) {
          const d = Math.sqrt(d2);
          nx /= d;
          ny /= d;
          push = r - d;
        } else {
          // Centre inside the tile: leave by the nearest face.
          const dl = p.x - left;
          const dr = left + ts - p.x;
          const dt = p.y - top;
          const db = top + ts - p.y;
          const m = Math.min(dl, dr, dt, db);
          nx = m === dl ? -1 : m === dr ? 1 : 0;
          ny = nx !== 0 ? 0 : m === dt ? -1 : 1;
          push = m + r;
        }
        p.x += nx * push;
        p.y += ny * push;
        const into = v.vx * nx + v.vy * ny;
        if (into < 0) {
          v.vx -= into * nx;
          v.vy -= into * ny;
        }
        moved = true;
      }
    }
    if (!moved) break;
  }
}
