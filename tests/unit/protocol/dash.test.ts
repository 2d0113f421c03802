import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import {
  Button,
  DASH_SPEED,
  MAX_SPEED,
  PLAYER_RADIUS,
  dashCooldownSteps,
  dashSteps,
  isSolidTile,
  parseTiledMap,
  stepPlayer,
  type CollisionMap,
  type PlayerState,
} from '../../../protocol/index.ts';
import { makeRng, randInt } from './prng.ts';

const TS = 32;
const DT = 1 / 30;

function mapFrom(rows: string[]): CollisionMap {
  const width = rows[0]!.length;
  const solid = new Uint8Array(width * rows.length);
  rows.forEach((row, y) => {
    for (let x = 0; x < width; x++) solid[y * width + x] = row[x] === '#' ? 1 : 0;
  });
  return { id: 'test', width, height: rows.length, tileSize: TS, solid, spawns: [{ x: 48, y: 48 }] };
}
const open = (w: number, h: number): CollisionMap =>
  mapFrom(Array.from({ length: h }, (_, y) => (y === 0 || y === h - 1 ? '#'.repeat(w) : `#${'.'.repeat(w - 2)}#`)));
const speed = (s: PlayerState): number => Math.hypot(s.vx, s.vy);

describe('dash (shared sim)', () => {
  const map = open(40, 12);
  const start: PlayerState = { x: 5 * TS, y: 6 * TS, vx: 0, vy: 0 };

  it('bursts at DASH_SPEED in the steering direction for dashSteps, then is capped back to MAX_SPEED', () => {
    expect(dashSteps(DT)).toBe(6);
    expect(dashCooldownSteps(DT)).toBe(45);
    let s = stepPlayer(start, Button.Right | Button.Dash, DT, map);
    expect(s.vx).toBe(DASH_SPEED);
    expect(s.vy).toBe(0);
    expect(s.dash).toBe(5);
    expect(s.dashCooldown).toBe(45);
    const x0 = start.x;
    for (let i = 0; i < 5; i++) {
      s = stepPlayer(s, Button.Right, DT, map);
      expect(speed(s)).toBeCloseTo(DASH_SPEED, 6);
    }
    expect(s.dash).toBeUndefined();
    expect(s.x - x0).toBeCloseTo(DASH_SPEED * 6 * DT, 3); // 144 px in 6 steps
    s = stepPlayer(s, Button.Right, DT, map);
    expect(speed(s)).toBeLessThanOrEqual(MAX_SPEED);
  });

  it('cannot dash again until the cooldown has run out, counted in steps', () => {
    let s = stepPlayer(start, Button.Down | Button.Dash, DT, map);
    let dashes = 1;
    let steps = 1;
    for (; steps < 100; steps++) {
      const before = s.dash ?? 0;
      s = stepPlayer(s, Button.Left | Button.Dash, DT, map);
      if ((s.dash ?? 0) > before) {
        dashes++;
        break;
      }
    }
    expect(dashes).toBe(2);
    expect(steps).toBe(45);
  });

  it('with no direction held, dashes along the current motion; standing still, does nothing and keeps the dash', () => {
    const moving: PlayerState = { ...start, vx: 0, vy: -120 };
    const s = stepPlayer(moving, Button.Dash, DT, map);
    expect(s.vx).toBe(0);
    expect(s.vy).toBe(-DASH_SPEED);
    const still = stepPlayer(start, Button.Dash, DT, map);
    expect(still).toEqual(start);
  });

  it('a state that never dashed keeps exactly the four movement fields', () => {
    const s = stepPlayer(start, Button.Up | Button.Left, DT, map);
    expect(Object.keys(s).sort()).toEqual(['vx', 'vy', 'x', 'y']);
  });

  it('is deterministic and never goes through a wall, dashing into walls at random', () => {
    const arena = parseTiledMap('arena', JSON.parse(readFileSync(new URL('../../../assets/maps/arena.json', import.meta.url), 'utf8')));
    const rng = makeRng(99);
    for (let run = 0; run < 20; run++) {
      let s: PlayerState = { x: arena.spawns[run]!.x, y: arena.spawns[run]!.y, vx: 0, vy: 0 };
      let replay = { ...s };
      const inputs: number[] = [];
      for (let i = 0; i < 300; i++) {
        const b = randInt(rng, 0, 15) | (rng() < 0.2 ? Button.Dash : 0);
        inputs.push(b);
        s = stepPlayer(s, b, DT, arena);
        // The centre never enters a wall tile and the body never overlaps one.
        expect(isSolidTile(arena, Math.floor(s.x / TS), Math.floor(s.y / TS))).toBe(false);
        for (const [ox, oy] of [[1, 0], [-1, 0], [0, 1], [0, -1]] as const) {
          const px = s.x + ox * (PLAYER_RADIUS - 0.01);
          const py = s.y + oy * (PLAYER_RADIUS - 0.01);
          expect(isSolidTile(arena, Math.floor(px / TS), Math.floor(py / TS))).toBe(false);
        }
        expect(speed(s)).toBeLessThanOrEqual(DASH_SPEED + 1e-9);
      }
      for (const b of inputs) replay = stepPlayer(replay, b, DT, arena);
      expect(replay).toEqual(s);
    }
  });

  it('dashing into a wall stops at the wall', () => {
    const m = mapFrom(['#########', '#.......#', '#.......#', '#########']);
    let s: PlayerState = { x: 5 * TS, y: 1.5 * TS, vx: 0, vy: 0 };
    for (let i = 0; i < 10; i++) s = stepPlayer(s, Button.Right | Button.Dash, DT, m);
    expect(s.x).toBeLessThanOrEqual(8 * TS - PLAYER_RADIUS + 1e-9);
    expect(s.vx).toBeLessThanOrEqual(MAX_SPEED);
  });
});
