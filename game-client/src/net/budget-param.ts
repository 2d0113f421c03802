/**
 * The page's `?budget=` parameter: snapshot bytes per second to ask the server for at
 * most (Hello.maxBytesPerSecond), e.g. `?budget=16000` or `?budget=16k` (thousands) to
 * try the game as a slow or metered link would get it. Anything else is ignored (the
 * server's limit applies); the server also clamps what it is asked for.
 */
import { Limits } from '../../../protocol/index.ts';

export function budgetFromQuery(search: string): number | undefined {
  const raw = new URLSearchParams(search).get('budget')?.trim().toLowerCase();
  if (!raw) return undefined;
  const m = /^(\d{1,9})(k?)$/.exec(raw);
  if (!m) return undefined;
  const n = Number(m[1]) * (m[2] ? 1000 : 1);
  return n >= 1 && n <= Limits.MAX_BYTES_PER_SECOND ? n : undefined;
}
