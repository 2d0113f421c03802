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
