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
