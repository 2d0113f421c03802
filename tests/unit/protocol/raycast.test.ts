import { describe, expect, it } from 'vitest';
import {
  BLASTER_RANGE,
  quantizeAngle,
  rayCircle,
  raycastWalls,
  traceShot,
  type CollisionMap,
} from '../../../protocol/index.ts';

const TS = 32;
function mapFrom(rows: string[]): CollisionMap {
  const width = rows[0]!.length;
  const solid = new Uint8Array(width * rows.length);
  rows.forEach((row, y) => {
    for (let x = 0; x < width; x++) solid[y * width + x] = row[x] === '#' ? 1 : 0;
  });
  return { id: 't', width, height: rows.length, tileSize: TS, solid, spawns: [{ x: 48, y: 48 }] };
}

describe('raycastWalls (grid walk)', () => {
  const m = mapFrom([
    '##########',
    '#........#',
    '#....#...#',
    '#........#',
    '##########',
  ]);

  it('stops at the face of the first wall tile along the ray', () => {
    // From (48, 80) going right: the wall tile at column 5 (x 160..192) of row 2.
    expect(raycastWalls(m, 48, 80, 1, 0, 1000)).toBeCloseTo(160 - 48, 9);
    // Going left: the border at x = 32.
    expect(raycastWalls(m, 48, 80, -1, 0, 1000)).toBeCloseTo(16, 9);
    // Going up from row 3 past nothing to the border at y = 32.
    expect(raycastWalls(m, 48, 112, 0, -1, 1000)).toBeCloseTo(80, 9);
  });

  it('returns maxDist when nothing is closer, and 0 from inside a wall', () => {
    expect(raycastWalls(m, 48, 48, 1, 0, 50)).toBe(50);
    expect(raycastWalls(m, 170, 70, 1, 0, 100)).toBe(0);
  });

  it('does not slip between two walls that touch only at a corner', () => {
    const c = mapFrom(['#####', '#.#.#', '##..#', '#...#', '#####']);
    // Diagonal from the open tile (3,3) toward the corner where (2,1) and (1,2) meet.
    const d = Math.SQRT1_2;
    const t = raycastWalls(c, 3.5 * TS, 3.5 * TS, -d, -d, 1000);
    // It must stop no later than the shared corner at (64, 64).
    expect(t).toBeLessThanOrEqual(Math.hypot(3.5 * TS - 64, 3.5 * TS - 64) + 1e-9);
  });
});

describe('rayCircle', () => {
  it('enters a circle ahead at the near side, misses one beside or behind', () => {
    expect(rayCircle(0, 0, 1, 0, 100, 0, 12)).toBeCloseTo(88, 9);
    expect(rayCircle(0, 0, 1, 0, 100, 13, 12)).toBe(Infinity);
    expect(rayCircle(0, 0, 1, 0, -100, 0, 12)).toBe(Infinity);
    expect(rayCircle(0, 0, 1, 0, 5, 0, 12)).toBe(0);
  });
});

describe('traceShot', () => {
  const m = mapFrom(['#'.repeat(40), ...Array.from({ length: 10 }, () => `#${'.'.repeat(38)}#`), '#'.repeat(40)]);
  it('hits the nearest target in range before any wall; a wall in front stops it', () => {
    const aim = quantizeAngle(0);
    const r = traceShot(m, 100, 100, aim, [{ id: 2, x: 400, y: 100 }, { id: 3, x: 300, y: 100 }], 12);
    expect(r.hitId).toBe(3);
    expect(r.dist).toBeCloseTo(188, 6);
    const walled = mapFrom(['#'.repeat(40), ...Array.from({ length: 10 }, (_, y) => `#${'.'.repeat(5)}${y === 2 ? '#' : '.'}${'.'.repeat(32)}#`), '#'.repeat(40)]);
    const blocked = traceShot(walled, 100, 100, aim, [{ id: 3, x: 300, y: 100 }], 12);
    expect(blocked.hitId).toBe(-1);
    expect(blocked.dist).toBeCloseTo(6 * TS - 100, 6);
  });

  it('does not reach past BLASTER_RANGE', () => {
    const r = traceShot(m, 40, 100, 0, [{ id: 5, x: 40 + BLASTER_RANGE + 20, y: 100 }], 12);
    expect(r.hitId).toBe(-1);
    expect(r.dist).toBeLessThanOrEqual(BLASTER_RANGE);
  });
});
