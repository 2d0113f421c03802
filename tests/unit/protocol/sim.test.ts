import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import {
  Button,
  MAX_SPEED,
  PLAYER_RADIUS,
  POS_SCALE,
  VEL_SCALE,
  isSolidAt,
  isSolidTile,
  parseTiledMap,
  stepPlayer,
  type CollisionMap,
  type PlayerState,
} from '../../../protocol/index.ts';
import { makeRng, pick, randInt } from './prng.ts';

const arenaJson: unknown = JSON.parse(readFileSync(new URL('../../../assets/maps/arena.json', import.meta.url), 'utf8'));
const arena = parseTiledMap('arena', arenaJson);

const TS = 32;
const DT = 1 / 30;
/** Tick lengths a server might run at, plus a very long one to stress sub-stepping. */
const DTS = [1 / 60, 1 / 30, 1 / 20, 1 / 10, 0.25];

/** A collision map from rows of '#' (wall) and '.' (floor). */
function mapFrom(rows: string[]): CollisionMap {
  const width = rows[0]?.length ?? 0;
  const solid = new Uint8Array(width * rows.length);
  rows.forEach((row, y) => {
    expect(row).toHaveLength(width);
    for (let x = 0; x < width; x++) solid[y * width + x] = row[x] === '#' ? 1 : 0;
  });
  return { id: 'test', width, height: rows.length, tileSize: TS, solid, spawns: [{ x: 48, y: 48 }] };
}

/** An open w x h room with a one-tile border. */
const openRoom = (w: number, h: number): CollisionMap =>
  mapFrom(Array.from({ length: h }, (_, y) => (y === 0 || y === h - 1 ? '#'.repeat(w) : `#${'.'.repeat(w - 2)}#`)));

const at = (tx: number, ty: number, vx = 0, vy = 0): PlayerState => ({ x: tx * TS + TS / 2, y: ty * TS + TS / 2, vx, vy });

/** How far the player's circle reaches into the nearest solid tile, px (negative: clear of all). */
function wallOverlap(map: CollisionMap, s: PlayerState): number {
  let worst = -Infinity;
  const r = PLAYER_RADIUS + 1;
  for (let ty = Math.floor((s.y - r) / TS); ty <= Math.floor((s.y + r) / TS); ty++) {
    for (let tx = Math.floor((s.x - r) / TS); tx <= Math.floor((s.x + r) / TS); tx++) {
      if (!isSolidTile(map, tx, ty)) continue;
      const cx = Math.min(Math.max(s.x, tx * TS), tx * TS + TS);
      const cy = Math.min(Math.max(s.y, ty * TS), ty * TS + TS);
      worst = Math.max(worst, PLAYER_RADIUS - Math.hypot(s.x - cx, s.y - cy));
    }
  }
  return worst;
}

const onGrid = (s: PlayerState): boolean =>
  Number.isInteger(s.x * POS_SCALE) &&
  Number.isInteger(s.y * POS_SCALE) &&
  Number.isInteger(s.vx * VEL_SCALE) &&
  Number.isInteger(s.vy * VEL_SCALE);

/** A random free tile centre. */
function randomFreeStart(map: CollisionMap, rng: () => number): PlayerState {
  for (;;) {
    const tx = randInt(rng, 0, map.width - 1);
    const ty = randInt(rng, 0, map.height - 1);
    if (!isSolidTile(map, tx, ty)) return at(tx, ty);
  }
}

/**
 * Long runs of held-then-changed random buttons (as a player presses them) at random tick
 * lengths; calls check after every step.
 */
function randomRuns(
  map: CollisionMap,
  seed: number,
  runs: number,
  steps: number,
  check: (s: PlayerState, step: number) => void,
): void {
  const rng = makeRng(seed);
  for (let run = 0; run < runs; run++) {
    let s = randomFreeStart(map, rng);
    let buttons = 0;
    for (let i = 0; i < steps; i++) {
      if (rng() < 0.08) buttons = randInt(rng, 0, 15);
      s = stepPlayer(s, buttons, pick(rng, DTS), map);
      check(s, i);
    }
  }
}

const maps: Record<string, CollisionMap> = {
  arena,
  'thin 1-tile walls': mapFrom([
    '############',
    '#....#.....#',
    '#....#..#..#',
    '#....#..#..#',
    '#.......#..#',
    '#.######...#',
    '#..........#',
    '############',
  ]),
  'corners and pillars': mapFrom([
    '##########',
    '#........#',
    '#.###.#..#',
    '#.#...#..#',
    '#.#.#.##.#',
    '#...#....#',
    '##.....#.#',
    '##########',
  ]),
  'diagonal gaps and checkerboard': mapFrom([
    '##########',
    '#.#.#....#',
    '#..#.#...#',
    '#.#.#.#..#',
    '#..#...#.#',
    '#...#.#..#',
    '#........#',
    '##########',
  ]),
  'one-tile corridors': mapFrom([
    '#########',
    '#.#.#.#.#',
    '#.......#',
    '#.#.#.#.#',
    '#.......#',
    '#########',
  ]),
};

describe('stepPlayer: determinism and the wire grid', () => {
  it('gives bit-identical states for the same inputs over 10,000 random steps', () => {
    const run = (): PlayerState[] => {
      const rng = makeRng(2024);
      let s: PlayerState = { x: arena.spawns[0]!.x, y: arena.spawns[0]!.y, vx: 0, vy: 0 };
      const trace: PlayerState[] = [];
      for (let i = 0; i < 10_000; i++) {
        s = stepPlayer(s, randInt(rng, 0, 15), pick(rng, DTS), arena);
        trace.push(s);
      }
      return trace;
    };
    const a = run();
    const b = run();
    for (let i = 0; i < a.length; i++) {
      const [p, q] = [a[i]!, b[i]!];
      expect(Object.is(p.x, q.x) && Object.is(p.y, q.y) && Object.is(p.vx, q.vx) && Object.is(p.vy, q.vy), `step ${i}`).toBe(
        true,
      );
    }
    // The run went somewhere: a trace standing still would prove nothing.
    const moved = new Set(a.map((s) => `${s.x},${s.y}`));
    expect(moved.size).toBeGreaterThan(1000);
  });

  it('replaying from a saved mid-run state reproduces the rest of the run (what reconciliation does)', () => {
    const rng = makeRng(7);
    const inputs = Array.from({ length: 600 }, () => randInt(rng, 0, 15));
    let s = at(48, 48);
    const states: PlayerState[] = [];
    for (const b of inputs) states.push((s = stepPlayer(s, b, DT, arena)));
    let replay = { ...states[299]! };
    for (let i = 300; i < inputs.length; i++) replay = stepPlayer(replay, inputs[i]!, DT, arena);
    expect(replay).toEqual(states[states.length - 1]);
  });

  it('does not modify the state it is given', () => {
    const s = Object.freeze(at(48, 48, 100, -50));
    const next = stepPlayer(s, Button.Right, DT, arena);
    expect(s).toEqual(at(48, 48, 100, -50));
    expect(next).not.toBe(s);
  });

  it('always returns positions and velocities on the wire grid (x*8, vx*8 integers)', () => {
    let steps = 0;
    randomRuns(arena, 11, 5, 2000, (s, i) => {
      steps++;
      if (!onGrid(s)) expect.fail(`off grid at step ${i}: ${JSON.stringify(s)}`);
    });
    // also from an off-grid start and with odd tick lengths
    const off = stepPlayer({ x: 1500.123, y: 1500.987, vx: 33.3333, vy: -1.01 }, Button.Up, 1 / 7, arena);
    expect(onGrid(off)).toBe(true);
    expect(steps).toBe(10_000);
  });
});

describe('stepPlayer: walls', () => {
  it.each(Object.keys(maps))('on "%s", over long random runs, the centre never enters a wall and the circle overlaps one by ≤ 0.1 px', (name) => {
    const map = maps[name]!;
    let worst = -Infinity;
    let touched = 0;
    randomRuns(map, 99, 20, 2500, (s, i) => {
      if (isSolidAt(map, s.x, s.y)) expect.fail(`centre inside a wall at step ${i}: ${JSON.stringify(s)}`);
      const o = wallOverlap(map, s);
      if (o > 0.1) expect.fail(`overlaps a wall by ${o} px at step ${i}: ${JSON.stringify(s)}`);
      if (o > -0.5) touched++;
      worst = Math.max(worst, o);
    });
    // The runs really pressed against walls, or the bound above was never tested.
    expect(touched).toBeGreaterThan(1000);
  });

  it('a player charging a 1-tile wall at any tick length never comes out the other side', () => {
    const map = mapFrom(['#######', '#..#..#', '#..#..#', '#..#..#', '#######']);
    for (const dt of [...DTS, 0.5, 1]) {
      let s = at(1, 2, MAX_SPEED, 0);
      for (let i = 0; i < 200; i++) s = stepPlayer(s, Button.Right, dt, map);
      expect(s.x, `dt ${dt}`).toBe(3 * TS - PLAYER_RADIUS);
      expect(s.vx).toBe(0);
    }
  });

  it('a player cannot squeeze between two wall tiles that meet only at a corner', () => {
    // A diagonal line of tiles touching corner to corner splits the room in two.
    const rows = Array.from({ length: 12 }, (_, y) =>
      Array.from({ length: 12 }, (_, x) => (x === 0 || y === 0 || x === 11 || y === 11 || x === y ? '#' : '.')).join(''),
    );
    const map = mapFrom(rows);
    const rng = makeRng(5);
    for (let run = 0; run < 10; run++) {
      let s = at(2, 8);
      let buttons = 0;
      for (let i = 0; i < 3000; i++) {
        // mostly press toward the diagonal (up-right), where the gaps are
        if (rng() < 0.1) buttons = rng() < 0.6 ? Button.Up | Button.Right : randInt(rng, 0, 15);
        s = stepPlayer(s, buttons, pick(rng, DTS), map);
        const tx = Math.floor(s.x / TS);
        const ty = Math.floor(s.y / TS);
        if (!(tx < ty)) expect.fail(`crossed the diagonal at run ${run} step ${i}: ${JSON.stringify(s)}`);
      }
    }
  });

  it('a player fits through a one-tile gap', () => {
    const map = mapFrom(['#######', '#######', '#.....#', '#######', '#######']);
    let s = at(1, 2);
    for (let i = 0; i < 60; i++) s = stepPlayer(s, Button.Right, DT, map);
    expect(s.x).toBe(6 * TS - PLAYER_RADIUS);
    expect(s.y).toBe(2 * TS + TS / 2);
  });

  it('running straight into a wall stops the normal velocity and keeps the tangential one (sliding)', () => {
    const map = openRoom(20, 20);
    // Pressed against the right wall, moving right and down.
    let s: PlayerState = { x: 19 * TS - PLAYER_RADIUS - 2, y: 5 * TS, vx: 150, vy: 150 };
    const y0 = s.y;
    for (let i = 0; i < 30; i++) {
      s = stepPlayer(s, Button.Right | Button.Down, DT, map);
      expect(s.vx, `step ${i}`).toBe(0);
      expect(s.x).toBe(19 * TS - PLAYER_RADIUS);
    }
    expect(s.vy).toBeGreaterThan(0.95 * MAX_SPEED * Math.SQRT1_2);
    expect(s.y - y0).toBeGreaterThan(100);
  });

  it('hitting a wall with momentum and no input also zeroes only the component into the wall', () => {
    const map = openRoom(20, 20);
    const s = stepPlayer({ x: TS + PLAYER_RADIUS + 1, y: 10 * TS, vx: -200, vy: 120 }, 0, DT, map);
    expect(s.vx).toBe(0);
    expect(s.vy).toBeGreaterThan(0);
    expect(s.x).toBe(TS + PLAYER_RADIUS);
  });
});

describe('stepPlayer: speed', () => {
  const straightAndDiagonal = (dt: number, steps: number) => {
    const map = openRoom(200, 200);
    let st = at(100, 100);
    let dg = at(100, 100);
    for (let i = 0; i < steps; i++) {
      st = stepPlayer(st, Button.Right, dt, map);
      dg = stepPlayer(dg, Button.Right | Button.Down, dt, map);
    }
    const start = at(100, 100);
    return {
      straight: Math.hypot(st.x - start.x, st.y - start.y),
      diagonal: Math.hypot(dg.x - start.x, dg.y - start.y),
      st,
      dg,
    };
  };

  it('diagonal input is not faster than straight input at the default 30 Hz tick', () => {
    const { straight, diagonal, dg } = straightAndDiagonal(DT, 60);
    expect(Math.hypot(dg.vx, dg.vy)).toBeLessThanOrEqual(MAX_SPEED);
    expect(diagonal).toBeLessThanOrEqual(straight);
    // normalized, not the √2 of adding two axes
    expect(diagonal).toBeGreaterThan(0.97 * straight);
  });

  it('at any tick length, diagonal beats straight by no more than the 1/8 px position grid rounding', () => {
    // Positions are snapped to 1/8 px every step, so a constant displacement is rounded the
    // same way every step: up to 1/16 px per axis per step of drift. At 60 Hz this makes a
    // diagonal about 1.6% faster than straight; the bound below is that rounding, no more.
    for (const dt of DTS) {
      const steps = Math.round(2 / dt);
      const { straight, diagonal, dg } = straightAndDiagonal(dt, steps);
      expect(Math.hypot(dg.vx, dg.vy), `dt ${dt}`).toBeLessThanOrEqual(MAX_SPEED);
      expect(diagonal, `dt ${dt}`).toBeLessThanOrEqual(straight + steps * Math.SQRT2 * (0.5 / POS_SCALE) + 0.1);
      expect(diagonal, `dt ${dt}`).toBeGreaterThan(0.97 * straight);
    }
  });

  it('speed never exceeds MAX_SPEED, whatever the input, tick length or walls', () => {
    let fastest = 0;
    for (const [name, map] of Object.entries(maps)) {
      randomRuns(map, 3, 10, 2000, (s, i) => {
        const speed = Math.hypot(s.vx, s.vy);
        if (speed > MAX_SPEED) expect.fail(`${name} step ${i}: speed ${speed}`);
        fastest = Math.max(fastest, speed);
      });
    }
    expect(fastest).toBeGreaterThan(0.99 * MAX_SPEED);
  });

  it('a player given more than MAX_SPEED (e.g. a knockback) is clamped to it in one step', () => {
    for (const buttons of [0, Button.Left, Button.Right | Button.Down]) {
      const s = stepPlayer(at(100, 100, 3000, -2000), buttons, DT, openRoom(200, 200));
      expect(Math.hypot(s.vx, s.vy)).toBeLessThanOrEqual(MAX_SPEED);
    }
  });

  it('opposite buttons cancel: Left+Right and Up+Down act like no input', () => {
    const map = openRoom(200, 200);
    const moving = at(100, 100, 120, -80);
    expect(stepPlayer(moving, Button.Left | Button.Right, DT, map)).toEqual(stepPlayer(moving, 0, DT, map));
    expect(stepPlayer(moving, Button.Up | Button.Down, DT, map)).toEqual(stepPlayer(moving, 0, DT, map));
  });

  it('with no input the player comes to a full stop (velocity exactly 0) and stays put', () => {
    const map = openRoom(200, 200);
    for (const dt of DTS) {
      let s = at(100, 100, MAX_SPEED * Math.SQRT1_2, -MAX_SPEED * Math.SQRT1_2);
      let steps = 0;
      while ((s.vx !== 0 || s.vy !== 0) && steps < 1000) {
        s = stepPlayer(s, 0, dt, map);
        steps++;
      }
      expect(steps * dt, `dt ${dt}`).toBeLessThan(1.5);
      const rest = stepPlayer(s, 0, dt, map);
      expect(rest).toEqual(s);
    }
  });

  it('accelerates to near top speed within half a second from rest', () => {
    const map = openRoom(200, 200);
    let s = at(100, 100);
    for (let i = 0; i < 15; i++) s = stepPlayer(s, Button.Up, DT, map);
    expect(s.vx).toBe(0);
    expect(-s.vy).toBeGreaterThan(0.95 * MAX_SPEED);
  });
});

describe('parseTiledMap', () => {
  it('reads the arena: 96x96 tiles of 32 px, walls on the border, spawns on open floor', () => {
    expect(arena.id).toBe('arena');
    expect([arena.width, arena.height, arena.tileSize]).toEqual([96, 96, 32]);
    expect(arena.solid).toHaveLength(96 * 96);
    expect(arena.spawns.length).toBeGreaterThanOrEqual(1);
    for (let i = 0; i < 96; i++) {
      expect(isSolidTile(arena, i, 0) && isSolidTile(arena, i, 95) && isSolidTile(arena, 0, i) && isSolidTile(arena, 95, i)).toBe(true);
    }
    const open = arena.solid.reduce((n, v) => n + (v === 0 ? 1 : 0), 0);
    expect(open).toBeGreaterThan(96 * 96 * 0.5);
    for (const sp of arena.spawns) {
      expect(isSolidAt(arena, sp.x, sp.y), JSON.stringify(sp)).toBe(false);
      expect(wallOverlap(arena, { x: sp.x, y: sp.y, vx: 0, vy: 0 }), JSON.stringify(sp)).toBeLessThan(0);
    }
  });

  it('treats everything outside the map as solid', () => {
    expect(isSolidTile(arena, -1, 5)).toBe(true);
    expect(isSolidTile(arena, 96, 5)).toBe(true);
    expect(isSolidAt(arena, 10, -0.5)).toBe(true);
  });

  const base = () => JSON.parse(JSON.stringify(arenaJson)) as { layers: { name: string; type: string; data?: number[]; objects?: unknown[] }[]; tileheight: number };

  it('throws a clear error when the walls layer is missing or the wrong size', () => {
    const noWalls = base();
    noWalls.layers = noWalls.layers.filter((l) => l.name !== 'walls');
    expect(() => parseTiledMap('broken', noWalls)).toThrow(/broken.*"walls"/);
    const short = base();
    short.layers.find((l) => l.name === 'walls')!.data!.pop();
    expect(() => parseTiledMap('broken', short)).toThrow(/"walls"/);
  });

  it('throws a clear error when there are no spawn points', () => {
    const noSpawns = base();
    noSpawns.layers = noSpawns.layers.filter((l) => l.name !== 'spawns');
    expect(() => parseTiledMap('broken', noSpawns)).toThrow(/broken.*"spawns"/);
    const empty = base();
    empty.layers.find((l) => l.name === 'spawns')!.objects = [];
    expect(() => parseTiledMap('broken', empty)).toThrow(/"spawns"/);
  });

  it('throws on non-square tiles, missing sizes and missing layers', () => {
    const rect = base();
    rect.tileheight = 16;
    expect(() => parseTiledMap('m', rect)).toThrow(/square/);
    expect(() => parseTiledMap('m', {})).toThrow(/width/);
    expect(() => parseTiledMap('m', { width: 2, height: 2, tilewidth: 32, tileheight: 32 })).toThrow(/layers/);
  });
});
