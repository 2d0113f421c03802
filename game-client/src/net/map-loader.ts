/** Where the client's collision map comes from when the options do not give one. */
import { parseTiledMap, type CollisionMap } from '../../../protocol/index.ts';

/** Default map loader: the server serves the repo's assets/ at /assets/. */
export async function fetchMap(wsUrl: string, mapId: string): Promise<CollisionMap> {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(mapId)) throw new Error(`refusing to load map with id "${mapId}"`);
  const u = new URL(wsUrl);
  u.protocol = u.protocol === 'wss:' ? 'https:' : 'http:';
  u.pathname = `/assets/maps/${mapId}.json`;
  u.search = '';
  u.hash = '';
  const res = await fetch(u);
  if (!res.ok) throw new Error(`could not load map ${mapId} from ${u.href}: HTTP ${res.status}`);
  return parseTiledMap(mapId, await res.json());
}
