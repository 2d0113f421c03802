import { describe, expect, it } from 'vitest';
import {
  BLASTER_DAMAGE,
  EventType,
  MAX_HEALTH,
  PICKUP_HEAL,
  PICKUP_RESPAWN_MS,
  RESPAWN_DELAY_MS,
  SPAWN_PROTECTION_MS,
  quantizeAngle,
  type CollisionMap,
} from '../../../protocol/index.ts';
import { Arena, type Fighter } from '../../../game-server/world/arena.ts';
import { RecordingEvents } from './recording-events.ts';
import { MEET_MIN_PX, SMALL_GROUP, chooseSpawn, chooseSpawnForGroup } from '../../../game-server/world/spawns.ts';
import { seededRandom } from '../../../protocol/random.ts';

const TS = 32;
const TICK_MS = 1000 / 30;

function openMap(spawns = [{ x: 80, y: 80 }, { x: 1200, y: 560 }, { x: 1200, y: 80 }], pickups = [{ x: 300, y: 500 }]): CollisionMap {
  const w = 40;
  const h = 20;
  const solid = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) solid[y * w + x] = x === 0 || y === 0 || x === w - 1 || y === h - 1 ? 1 : 0;
  return { id: 'open', width: w, height: h, tileSize: TS, solid, spawns, pickups };
}

function setup() {
  const events = new RecordingEvents();
  const arena = new Arena(openMap(), 30, seededRandom(3), events);
  const a: Fighter = { id: 1, state: { x: 100, y: 300, vx: 0, vy: 0 }, combat: arena.newcomer(0) };
  const b: Fighter = { id: 2, state: { x: 400, y: 300, vx: 0, vy: 0 }, combat: arena.newcomer(0) };
  const players = new Map<number, Fighter>([
    [1, a],
    [2, b],
  ]);
  let tick = 0;
  const now = (): number => tick * TICK_MS;
  /** One tick; a fires at b (along +x) with the present as its view if fire is set. */
  const step = (fire = false): void => {
    if (fire) arena.fire(a, quantizeAngle(0), Math.round(now()), tick);
    arena.endTick(now(), players);
    tick++;
  };
  const until = (ms: number, fire = false): void => {
    while (now() < ms) step(fire);
  };
  return { events, arena, a, b, players, step, until, now };
}

describe('arena rules', () => {
  it('spawn protection absorbs shots; then four hits kill, the killer scores, the victim respawns far away, protected', () => {
    const t = setup();
    t.until(SPAWN_PROTECTION_MS - 100, true);
    expect(t.events.of(EventType.Shot).length).toBeGreaterThan(0);
    expect(t.events.of(EventType.Hit)).toEqual([]);
    // a fired, which ended a's own protection (irrelevant here); b's runs out at 2000 ms.
    while (t.events.of(EventType.Kill).length === 0 && t.now() < 10_000) t.step(true);
    const hits = t.events.of(EventType.Hit);
    expect(hits.map((h) => h.health)).toEqual([75, 50, 25, 0]);
    expect(hits.every((h) => h.damage === BLASTER_DAMAGE)).toBe(true);
    expect(t.events.of(EventType.Kill)).toEqual([{ type: EventType.Kill, victim: 2, killer: 1, killerScore: 1 }]);
    expect(t.a.combat.score).toBe(1);
    const killedAt = t.now() - TICK_MS;
    expect(t.b.combat.alive).toBe(false);
    // Dead: no more hits however long a keeps firing.
    t.until(killedAt + RESPAWN_DELAY_MS - 2 * TICK_MS, true);
    expect(t.events.of(EventType.Hit)).toHaveLength(4);
    expect(t.events.of(EventType.Respawn)).toEqual([]);
    t.until(killedAt + RESPAWN_DELAY_MS + 2 * TICK_MS);
    const [respawn] = t.events.of(EventType.Respawn);
    expect(respawn).toMatchObject({ player: 2, health: MAX_HEALTH, protectMs: SPAWN_PROTECTION_MS });
    // A small group: the spawn point nearest to the only other living player (a at
    // 100, 300) that is at least MEET_MIN_PX from it; (80, 80) is too near.
    expect([respawn!.x, respawn!.y]).toEqual([1200, 80]);
    expect(t.b.state).toEqual({ x: 1200, y: 80, vx: 0, vy: 0 });
    expect(t.b.combat).toMatchObject({ alive: true, health: MAX_HEALTH });
    expect(t.b.combat.protectedUntil).toBeGreaterThan(t.now());
  });

  it('fires at most once per cooldown, however often asked in a tick or across ticks', () => {
    const t = setup();
    t.a.combat.nextFireTick = 0;
    for (let tick = 0; tick < 90; tick++) {
      // Two applied inputs with Fire in the same tick (the catch-up case), every tick.
      t.arena.fire(t.a, 0, Math.round(t.now()), tick);
      t.arena.fire(t.a, 0, Math.round(t.now()), tick);
      t.step();
    }
    // 90 ticks at 9 ticks per shot: 10 shots.
    expect(t.events.of(EventType.Shot)).toHaveLength(Math.ceil(90 / t.arena.cooldownTicks));
  });

  it('a hurt player walking onto a pickup heals (up to full) and the pickup comes back later', () => {
    const t = setup();
    t.b.combat.health = 50;
    t.b.state = { x: 310, y: 505, vx: 0, vy: 0 };
    t.step();
    expect(t.events.of(EventType.Pickup)).toEqual([{ type: EventType.Pickup, player: 2, pickup: 0, health: 50 + PICKUP_HEAL }]);
    expect(t.arena.pickups.taken()).toEqual([0]);
    // Gone meanwhile: another hurt player on it gets nothing.
    t.a.combat.health = 10;
    t.a.state = { x: 300, y: 500, vx: 0, vy: 0 };
    t.step();
    expect(t.events.of(EventType.Pickup)).toHaveLength(1);
    t.until(PICKUP_RESPAWN_MS + 100);
    expect(t.events.of(EventType.PickupReady)).toEqual([{ type: EventType.PickupReady, pickup: 0 }]);
    // a still stands on it and takes it as soon as it is back.
    expect(t.events.of(EventType.Pickup)[1]).toMatchObject({ player: 1, health: 50 });
  });

  it('a player at full health leaves the pickup for others', () => {
    const t = setup();
    t.b.state = { x: 300, y: 500, vx: 0, vy: 0 };
    t.step();
    expect(t.events.of(EventType.Pickup)).toEqual([]);
  });
});

describe('chooseSpawn', () => {
  const spawns = [
    { x: 100, y: 100 },
    { x: 900, y: 100 },
    { x: 100, y: 900 },
    { x: 900, y: 900 },
  ];
  it('picks the spawn point whose nearest enemy is farthest away', () => {
    const enemies = [
      { x: 120, y: 120 },
      { x: 880, y: 150 },
      { x: 150, y: 700 },
    ];
    for (let seed = 0; seed < 20; seed++) expect(chooseSpawn(spawns, enemies, seededRandom(seed))).toEqual({ x: 900, y: 900 });
  });

  it('never picks a point with an enemy standing on it while another is free', () => {
    const enemies = spawns.slice(0, 3);
    for (let seed = 0; seed < 20; seed++) expect(chooseSpawn(spawns, enemies, seededRandom(seed))).toEqual(spawns[3]);
  });
});

describe('life at the view time', () => {
  it('a target killed by an earlier shot of the same tick still stops a later one (named in its Shot, no Hit), as its shooter saw it alive', () => {
    const events = new RecordingEvents();
    const arena = new Arena(openMap(), 30, seededRandom(3), events);
    const a: Fighter = { id: 1, state: { x: 100, y: 300, vx: 0, vy: 0 }, combat: arena.newcomer(0) };
    const b: Fighter = { id: 2, state: { x: 400, y: 300, vx: 0, vy: 0 }, combat: arena.newcomer(0) };
    // c stands behind b on the same line: a beam through b would reach it.
    const c: Fighter = { id: 3, state: { x: 700, y: 300, vx: 0, vy: 0 }, combat: arena.newcomer(0) };
    const players = new Map<number, Fighter>([
      [1, a],
      [2, b],
      [3, c],
    ]);
    const t = 3000; // past spawn protection
    for (const f of [a, b, c]) f.combat.protectedUntil = 0;
    b.combat.health = BLASTER_DAMAGE;
    arena.endTick(t - TICK_MS, players); // a frame of history with everyone alive
    arena.fire(a, quantizeAngle(0), Math.round(t - TICK_MS), 100, t - 5, 11);
    arena.fire(a, quantizeAngle(0), Math.round(t - TICK_MS), 100, t - 5, 12); // cooldown: not fired
    // d, between a and b, joined after the frame the shots rewind to: not in a's way.
    const d: Fighter = { id: 4, state: { x: 250, y: 300, vx: 0, vy: 0 }, combat: arena.newcomer(0) };
    d.combat.protectedUntil = 0;
    players.set(4, d);
    arena.fire(d, quantizeAngle(0), Math.round(t - TICK_MS), 100, t - 5, 21);
    arena.endTick(t, players);
    expect(b.combat.alive).toBe(false);
    const shots = events.of(EventType.Shot);
    expect(shots.map((s) => [s.shooter, s.seq, s.target, s.refused])).toEqual([
      [1, 11, 2, 0],
      [4, 21, 2, 0],
    ]);
    // One Hit (the kill); the second beam stopped at b, not at c behind it.
    expect(events.of(EventType.Hit).map((h) => h.victim)).toEqual([2]);
    expect(shots[1]!.x1).toBeLessThan(400);
    expect(c.combat.health).toBe(MAX_HEALTH);
  });
});

describe('the history frame of a tick with a kill', () => {
  it("says what that tick's snapshot says: a shot rewound to just after the kill does not find the victim", () => {
    const t = setup();
    t.b.combat.protectedUntil = 0;
    t.b.combat.health = BLASTER_DAMAGE;
    t.until(3000);
    t.step(true); // kills b, in this tick
    expect(t.b.combat.alive).toBe(false);
    const killTick = t.now() - TICK_MS;
    for (let i = 0; i < 12; i++) t.step(); // past the cooldown
    // A view 10 ms after the kill tick: b is in no snapshot from that tick on.
    t.arena.fire(t.a, quantizeAngle(0), Math.round(killTick + 10), 10_000, Number.NaN, 77);
    t.step();
    const last = t.events.of(EventType.Shot).at(-1)!;
    expect(last).toMatchObject({ seq: 77, target: -1 });
  });
});

describe('chooseSpawnForGroup', () => {
  const spawns = [
    { x: 100, y: 100 },
    { x: 500, y: 100 },
    { x: 2500, y: 100 },
    { x: 2500, y: 2500 },
  ];
  it('a small group: the nearest spawn point at least MEET_MIN_PX from everyone', () => {
    for (let seed = 0; seed < 10; seed++) expect(chooseSpawnForGroup(spawns, [{ x: 120, y: 120 }], seededRandom(seed))).toEqual({ x: 500, y: 100 });
    expect(MEET_MIN_PX).toBeLessThan(380);
  });

  it('nobody else: any point; more than SMALL_GROUP others, or none far enough: the farthest', () => {
    const crowd = Array.from({ length: SMALL_GROUP + 1 }, (_, i) => ({ x: 100 + i, y: 100 }));
    expect(chooseSpawnForGroup(spawns, crowd, seededRandom(1))).toEqual({ x: 2500, y: 2500 });
    const tight = [{ x: 100, y: 100 }];
    expect(chooseSpawnForGroup([{ x: 110, y: 100 }, { x: 200, y: 100 }], tight, seededRandom(1))).toEqual({ x: 200, y: 100 });
    expect(spawns).toContainEqual(chooseSpawnForGroup(spawns, [], seededRandom(2)));
  });
});
