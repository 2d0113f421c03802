import { describe, expect, it } from 'vitest';
import { stepPlayer, isSolidTile, PLAYER_RADIUS, type CollisionMap, type PlayerState } from '../../../protocol/index.ts';
import { PathFinder } from '../../../game-client/bots/path-finder.ts';
import { PathFollower } from '../../../game-client/bots/behaviours.ts';
import { seededRandom } from '../../../game-client/bots/random.ts';
import { loadArena } from '../net/helpers.ts';

/** A map from rows of '#' (wall) and '.' (floor), 32 px tiles. */
function mapOf(rows: string[]): CollisionMap {
  const height = rows.length;
  const width = rows[0]!.length;
  const solid = new Uint8Array(width * height);
  rows.forEach((r, y) => [...r].forEach((c, x) => (solid[y * width + x] = c === '#' ? 1 : 0)));
  return { id: 'test', width, height, tileSize: 32, solid, spawns: [{ x: 48, y: 48 }] };
}

// A wall down the middle with one gap at the bottom, and a sealed room on the right.
const WALLED = mapOf([
  '############',
  '#....#..####',
  '#....#..#..#',
  '#....#..#..#',
  '#.......####',
  '############',
]);
const tile = (pf: PathFinder, x: number, y: number): number => y * pf.width + x;

function assertWalkable(pf: PathFinder, from: number, path: number[]): void {
  let prev = from;
  for (const t of path) {
    const x = t % pf.width, y = Math.floor(t / pf.width);
    const px = prev % pf.width, py = Math.floor(prev / pf.width);
    expect(isSolidTile(pf.map, x, y)).toBe(false);
    // One step at a time, 8-way...
    expect(Math.max(Math.abs(x - px), Math.abs(y - py))).toBe(1);
    // ...and a diagonal never squeezes past a wall's corner.
    if (x !== px && y !== py) {
      expect(isSolidTile(pf.map, x, py)).toBe(false);
      expect(isSolidTile(pf.map, px, y)).toBe(false);
    }
    prev = t;
  }
}

describe('PathFinder', () => {
  it('routes around a wall through its gap, never through a solid tile', () => {
    const pf = new PathFinder(WALLED);
    const from = tile(pf, 1, 1);
    const to = tile(pf, 6, 1);
    const path = pf.findPath(from, to)!;
    expect(path).not.toBeNull();
    expect(path[path.length - 1]).toBe(to);
    assertWalkable(pf, from, path);
    // The only way is down through the gap in row 4.
    expect(path).toContain(tile(pf, 5, 4));
  });

  it('knows what cannot be reached', () => {
    const pf = new PathFinder(WALLED);
    const sealed = tile(pf, 9, 2);
    expect(pf.reachable(tile(pf, 1, 1), sealed)).toBe(false);
    expect(pf.findPath(tile(pf, 1, 1), sealed)).toBeNull();
    // Random targets come only from the start's own area.
    const rnd = seededRandom(5);
    for (let i = 0; i < 200; i++) expect(pf.reachable(tile(pf, 1, 1), pf.randomReachable(tile(pf, 1, 1), rnd))).toBe(true);
  });

  it('on the arena map, every path between random reachable tiles is walkable', () => {
    const pf = new PathFinder(loadArena());
    const rnd = seededRandom(9);
    const start = pf.freeTileNear(pf.map.spawns[0]!.x, pf.map.spawns[0]!.y);
    for (let i = 0; i < 100; i++) {
      const to = pf.randomReachable(start, rnd);
      const path = pf.findPath(start, to)!;
      expect(path).not.toBeNull();
      expect(path[path.length - 1]).toBe(to);
      assertWalkable(pf, start, path);
    }
  });

  it('a player steered along the path with the real movement step reaches a target behind a wall', () => {
    const pf = new PathFinder(WALLED);
    const follow = new PathFollower(pf);
    let s: PlayerState = { x: pf.centerX(tile(pf, 1, 1)), y: pf.centerY(tile(pf, 1, 1)), vx: 0, vy: 0 };
    const goal = tile(pf, 6, 1);
    follow.set(pf.findPath(tile(pf, 1, 1), goal)!, 0);
    let t = 0;
    let minWallGap = Infinity;
    for (; t < 10_000 && follow.active; t += 1000 / 30) {
      const b = follow.steer(s.x, s.y, t);
      expect(b).toBeGreaterThanOrEqual(0); // never stuck on this map
      s = stepPlayer(s, b, 1 / 30, WALLED);
      // Distance to the wall column x = 5 (px 160..192) while beside it.
      if (s.y < 4 * 32) minWallGap = Math.min(minWallGap, Math.min(Math.abs(s.x - 160), Math.abs(s.x - 192)));
    }
    expect(follow.active).toBe(false);
    expect(Math.hypot(s.x - pf.centerX(goal), s.y - pf.centerY(goal))).toBeLessThan(12);
    // It walked around the wall without ever pressing against it (the sim would hold a
    // player pushing into it at exactly the radius).
    expect(minWallGap).toBeGreaterThan(PLAYER_RADIUS + 1);
    expect(t).toBeLessThan(5000);
  });
});
