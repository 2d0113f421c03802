/**
 * Fetches a replay from the server (GET /replays/ID) and reads it, once per ID: a seek
 * restarts the game scene, and must not download or parse the file again. The ID is
 * checked here as the server checks it, so a crafted link never makes a request for
 * anything else.
 */
import { ReplayError, readReplay, type Replay } from '../../../protocol/replay/index.ts';

export const REPLAY_ID = /^[0-9]{8}-[0-9]{6}-[A-Z0-9]{4,8}-[0-9]{1,9}$/;
/** Larger files are refused before download: a browser tab would not cope. */
const MAX_REPLAY_BYTES = 512 * 1024 * 1024;
/** Replays kept in memory (the one watched, and one before it). */
const KEEP = 2;

const cache = new Map<string, Promise<Replay>>();

export function loadReplay(id: string): Promise<Replay> {
  const hit = cache.get(id);
  if (hit) return hit;
  const p = fetchReplay(id);
  cache.set(id, p);
  p.catch(() => cache.delete(id));
  while (cache.size > KEEP) cache.delete(cache.keys().next().value!);
  return p;
}

async function fetchReplay(id: string): Promise<Replay> {
  if (!REPLAY_ID.test(id)) throw new ReplayError(`"${id.slice(0, 40)}" is not a replay id`);
  const res = await fetch(`/replays/${id}`);
  if (res.status === 404) throw new ReplayError('there is no such replay (it may have been deleted to keep the disk cap)');
  if (!res.ok) throw new ReplayError(`the server answered ${res.status} for this replay`);
  const length = Number(res.headers.get('content-length') ?? '0');
  if (length > MAX_REPLAY_BYTES) throw new ReplayError(`the replay is too large to play here (${Math.round(length / 1e6)} MB)`);
  const bytes = new Uint8Array(await res.arrayBuffer());
  if (bytes.length > MAX_REPLAY_BYTES) throw new ReplayError('the replay is too large to play here');
  return readReplay(bytes);
}
