import { describe, expect, it } from 'vitest';
import {
  EventType,
  MAX_HEALTH,
  BLASTER_RANGE,
  MAX_REWIND_MS,
  quantizeAngle,
  type CollisionMap,
} from '../../../protocol/index.ts';
import { Arena, type Fighter } from '../../../game-server/world/arena.ts';
import { RecordingEvents } from './recording-events.ts';
import { LagCompensator } from '../../../game-server/world/lag-compensator.ts';
import { seededRandom } from '../../../protocol/random.ts';

const TS = 32;
const TICK_MS = 1000 / 30;

/** An open 40 x 20 tile room with a border wall. */
function openMap(): CollisionMap {
  const w = 40;
  const h = 20;
  const solid = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) solid[y * w + x] = x === 0 || y === 0 || x === w - 1 || y === h - 1 ? 1 : 0;
  return { id: 'open', width: w, height: h, tileSize: TS, solid, spawns: [{ x: 80, y: 80 }, { x: 1200, y: 560 }] };
}

function fighter(arena: Arena, id: number, x: number, y: number): Fighter {
  const f: Fighter = { id, state: { x, y, vx: 0, vy: 0 }, combat: arena.newcomer(-1e9) };
  return f;
}

/**
 * A shooter at (100, 300) aiming along +x; a target that stands on the line at
 * (500, 300) until `leaveAt` ms, then steps 100 px down, out of the line of fire.
 */
function scenario(leaveAt: number) {
  const events = new RecordingEvents();
  const arena = new Arena(openMap(), 30, seededRandom(1), events);
  const shooter = fighter(arena, 1, 100, 300);
  const target = fighter(arena, 2, 500, 300);
  const players = new Map<number, Fighter>([
    [1, shooter],
    [2, target],
  ]);
  let tick = 0;
  const step = (): number => {
    const now = tick * TICK_MS;
    if (now >= leaveAt) target.state = { x: 500, y: 400, vx: 0, vy: 0 };
    return now;
  };
  const run = (untilMs: number): number => {
    let now = 0;
    while ((now = tick * TICK_MS) < untilMs) {
      step();
      arena.endTick(now, players);
      tick++;
    }
    return tick;
  };
  const shoot = (viewTime: number): void => {
    const now = step();
    arena.fire(shooter, quantizeAngle(0), viewTime, tick);
    arena.endTick(now, players);
    tick++;
  };
  return { events, arena, shooter, target, run, shoot, now: () => tick * TICK_MS };
}

describe('lag compensation', () => {
  it('hits a target where the shooter saw it, though it has since moved out of the line of fire', () => {
    const s = scenario(200);
    s.run(300);
    // At 300 ms the target stands at y = 400; the shooter is drawing the world at 150 ms.
    s.shoot(150);
    const hits = s.events.of(EventType.Hit);
    expect(hits).toEqual([{ type: EventType.Hit, victim: 2, attacker: 1, damage: 25, health: MAX_HEALTH - 25 }]);
    const shot = s.events.of(EventType.Shot)[0]!;
    // The beam ends on the target's rewound circle, not at the wall.
    expect(shot.x1).toBeGreaterThan(470);
    expect(shot.x1).toBeLessThan(500);
  });

  it('the same shot judged at the present misses', () => {
    const s = scenario(200);
    s.run(300);
    s.shoot(s.now());
    expect(s.events.of(EventType.Hit)).toEqual([]);
    expect(s.events.of(EventType.Shot)[0]!.x1).toBe(100 + BLASTER_RANGE); // nothing in range
  });

  it(`refuses a shot whose view is older than the ${MAX_REWIND_MS} ms limit, and counts it; one just within it is judged`, () => {
    // The target never leaves the line of fire: judged at the limit, as before, it would
    // be hit. Refused, nobody is hit, and the beam still flies (up to the range).
    const totals = { shotsBeyondRewind: 0 };
    const events = new RecordingEvents();
    const arena = new Arena(openMap(), 30, seededRandom(1), events, totals);
    const shooter = fighter(arena, 1, 100, 300);
    const target = fighter(arena, 2, 500, 300);
    const players = new Map<number, Fighter>([
      [1, shooter],
      [2, target],
    ]);
    let tick = 0;
    const until = (ms: number): void => {
      while (tick * TICK_MS < ms) arena.endTick(tick++ * TICK_MS, players);
    };
    until(MAX_REWIND_MS + 400);
    const now = tick * TICK_MS;
    arena.fire(shooter, quantizeAngle(0), Math.floor(now - MAX_REWIND_MS - 1), tick);
    arena.endTick(now, players);
    tick++;
    expect(events.of(EventType.Hit)).toEqual([]);
    expect(events.of(EventType.Shot)).toHaveLength(1);
    expect(events.of(EventType.Shot)[0]!.x1).toBe(100 + BLASTER_RANGE);
    expect(arena.shotsBeyondRewind).toBe(1);
    expect(totals.shotsBeyondRewind).toBe(1);
    expect(shooter.combat.shotsBeyondRewind).toBe(1);
    // The same shot at exactly the limit is judged: a hit, nothing more counted.
    until(tick * TICK_MS + 400);
    const later = tick * TICK_MS;
    arena.fire(shooter, quantizeAngle(0), Math.ceil(later - MAX_REWIND_MS), tick);
    arena.endTick(later, players);
    expect(events.of(EventType.Hit)).toHaveLength(1);
    expect(totals.shotsBeyondRewind).toBe(1);
  });

  it('the age is taken when the Fire arrived: time it then waited in the input queue is not held against it', () => {
    const s = scenario(400);
    s.run(400 + MAX_REWIND_MS + 200);
    const now = s.now();
    // Seen at 340 ms, arrived 400 ms later, applied 300+ ms after that: within the limit on arrival.
    s.arena.fire(s.shooter, quantizeAngle(0), 340, Math.round(now / TICK_MS), 740);
    s.arena.endTick(now, new Map([[1, s.shooter], [2, s.target]]));
    expect(s.events.of(EventType.Hit)).toHaveLength(1);
    expect(s.arena.shotsBeyondRewind).toBe(0);
  });

  it('within the limit, a long rewind finds the target where it stood, though it left long since', () => {
    const s = scenario(400);
    s.run(400 + MAX_REWIND_MS - 100);
    s.shoot(340);
    expect(s.events.of(EventType.Hit)).toHaveLength(1);
  });

  it('a view time in the future is judged at the present', () => {
    const s = scenario(200);
    s.run(300);
    s.shoot(s.now() + 5000);
    expect(s.events.of(EventType.Hit)).toEqual([]);
  });
});

describe('LagCompensator', () => {
  it('interpolates between the two ticks around the time, as clients draw players', () => {
    const lc = new LagCompensator(250, 100);
    lc.record(0, [{ id: 1, x: 0, y: 0 }]);
    lc.record(100, [{ id: 1, x: 100, y: 50 }, { id: 2, x: 7, y: 7 }]);
    lc.record(200, [{ id: 1, x: 300, y: 50 }, { id: 2, x: 9, y: 9 }]);
    expect(lc.rewind(150, [])).toEqual([
      { id: 1, x: 200, y: 50 },
      { id: 2, x: 8, y: 8 },
    ]);
    // At 50 ms player 2 had not joined (absent from the earlier tick): left out.
    expect(lc.rewind(50, [])).toEqual([{ id: 1, x: 50, y: 25 }]);
    // Older than the cap (200 - 250 < 0 is fine here), and past the present: clamped.
    expect(lc.rewind(1000, [])).toEqual([
      { id: 1, x: 300, y: 50 },
      { id: 2, x: 9, y: 9 },
    ]);
  });

  it('never looks back further than the cap, however old the time asked for', () => {
    const lc = new LagCompensator(250, 100);
    for (let t = 0; t <= 1000; t += 100) lc.record(t, [{ id: 1, x: t, y: 0 }]);
    expect(lc.clampTime(0)).toBe(750);
    expect(lc.rewind(0, [])).toEqual([{ id: 1, x: 750, y: 0 }]);
  });
});
