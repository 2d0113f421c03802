/**
 * The collision view of a map, built from the Tiled JSON in assets/maps. Both the server
 * and the client build it from the same file, so both collide against the same walls.
 */

export interface SpawnPoint {
  x: number;
  y: number;
}

export interface CollisionMap {
  id: string;
  /** Size in tiles. */
  width: number;
  height: number;
  /** Tile edge, px. */
  tileSize: number;
  /** width*height, row-major; 1 where a tile blocks movement. */
  solid: Uint8Array;
  spawns: SpawnPoint[];
  /**
   * Health pickup markers (object layer "pickups"), px; a pickup's id on the wire is its
   * index here. Absent or empty: the map has none.
   */
  pickups?: SpawnPoint[];
}

/** The parts of a Tiled JSON map this reads; Tiled writes many more. */
interface TiledLayer {
  name?: unknown;
  type?: unknown;
  data?: unknown;
  width?: unknown;
  height?: unknown;
  objects?: unknown;
}

/** Name of the tile layer whose non-empty tiles block movement. */
export const WALL_LAYER = 'walls';
/** Name of the object layer holding spawn points. */
export const SPAWN_LAYER = 'spawns';
/** Name of the (optional) object layer holding health pickup markers. */
export const PICKUP_LAYER = 'pickups';

export function parseTiledMap(id: string, json: unknown): CollisionMap {
  const m = json as { width?: unknown; height?: unknown; tilewidth?: unknown; tileheight?: unknown; layers?: unknown };
  const { width, height, tilewidth, tileheight } = m;
  if (typeof width !== 'number' || typeof height !== 'number' || typeof tilewidth !== 'number')
    throw new Error(`map ${id}: width, height and tilewidth must be numbers`);
  if (tilewidth !== tileheight) throw new Error(`map ${id}: tiles must be square`);
  if (!Array.isArray(m.layers)) throw new Error(`map ${id}: no layers`);
  const layers = m.layers as TiledLayer[];
  const walls = layers.find((l) => l.type === 'tilelayer' && l.name === WALL_LAYER);
  if (!walls || !Array.isArray(walls.data) || walls.data.length !== width * height)
    throw new Error(`map ${id}: needs a ${width}x${height} tile layer named "${WALL_LAYER}" (uncompressed CSV/array data)`);
  const solid = new Uint8Array(width * height);
  for (let i = 0; i < solid.length; i++) solid[i] = (walls.data[i] as number) !== 0 ? 1 : 0;
  const spawns = points(layers, SPAWN_LAYER);
  if (spawns.length === 0) throw new Error(`map ${id}: needs at least one point in object layer "${SPAWN_LAYER}"`);
  return { id, width, height, tileSize: tilewidth, solid, spawns, pickups: points(layers, PICKUP_LAYER) };
}

/** The points of the object layer with this name, in file order ([] when there is none). */
function points(layers: TiledLayer[], name: string): SpawnPoint[] {
  const layer = layers.find((l) => l.type === 'objectgroup' && l.name === name);
  const out: SpawnPoint[] = [];
  if (layer && Array.isArray(layer.objects)) {
    for (const o of layer.objects as { x?: unknown; y?: unknown }[]) {
      if (typeof o.x === 'number' && typeof o.y === 'number') out.push({ x: o.x, y: o.y });
    }
  }
  return out;
}

/** True where a tile blocks movement; everything outside the map is solid. */
export function isSolidTile(map: CollisionMap, tx: number, ty: number): boolean {
  if (tx < 0 || ty < 0 || tx >= map.width || ty >= map.height) return true;
  return map.solid[ty * map.width + tx] === 1;
}

/** True if the point (px) lies in a solid tile or outside the map. */
export function isSolidAt(map: CollisionMap, x: number, y: number): boolean {
  return isSolidTile(map, Math.floor(x / map.tileSize), Math.floor(y / map.tileSize));
}
