import type { SpawnPoint } from '../../protocol/index.ts';

/**
 * The spawn point farthest from every other player (ties broken by the seeded random
 * draw), so nobody appears on top of someone else.
 */
export function chooseSpawn(
  spawns: readonly SpawnPoint[],
  others: Iterable<{ x: number; y: number }>,
  random: () => number,
): SpawnPoint {
  const occupied = [...others];
  if (spawns.length === 0) throw new Error('map has no spawn points');
  const offset = Math.floor(random() * spawns.length);
  let best = spawns[offset]!;
  let bestDist = -1;
  for (let k = 0; k < spawns.length; k++) {
    const s = spawns[(offset + k) % spawns.length]!;
    let nearest = Infinity;
    for (const o of occupied) nearest = Math.min(nearest, (o.x - s.x) ** 2 + (o.y - s.y) ** 2);
    if (nearest > bestDist) {
      bestDist = nearest;
      best = s;
    }
  }
  return best;
}

/**
 * Up to this many other living players, a room is a small group: a newcomer or a
 * respawn is placed where it meets them instead of as far away as the map allows
 * (on the 3,072 px default arena, two players spawned apart never see each other).
 */
export const SMALL_GROUP = 3;
/** Nearer than this to someone is spawning on top of them (inside a fight). */
export const MEET_MIN_PX = 300;

/**
 * Small groups: the spawn point nearest to the others that is still at least
 * MEET_MIN_PX from each of them, so they are on screen or just off it (the client's
 * edge markers point there). None far enough: the farthest point, as for big rooms.
 */
export function chooseSpawnForGroup(
  spawns: readonly SpawnPoint[],
  others: Iterable<{ x: number; y: number }>,
  random: () => number,
): SpawnPoint {
  const occupied = [...others];
  if (occupied.length === 0 || occupied.length > SMALL_GROUP) return chooseSpawn(spawns, occupied, random);
  const min2 = MEET_MIN_PX * MEET_MIN_PX;
  let best: SpawnPoint | null = null;
  let bestDist = Infinity;
  for (const s of spawns) {
    let nearest = Infinity;
    for (const o of occupied) nearest = Math.min(nearest, (o.x - s.x) ** 2 + (o.y - s.y) ** 2);
    if (nearest >= min2 && nearest < bestDist) {
      bestDist = nearest;
      best = s;
    }
  }
  return best ?? chooseSpawn(spawns, occupied, random);
}
