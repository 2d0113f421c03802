/**
 * Asking a node where to play: POST /api/seat on the node the page (or bot) was given,
 * which answers with the WebSocket URL of the node hosting the room and a seat ticket
 * for the Hello (protocol README §14). In one process the answer points at that same
 * node, so a client can always ask.
 */
import { CloseCode } from '../../../protocol/index.ts';

/** A granted seat: connect to `url`, Hello with `room` and `ticket`. */
export interface SeatAnswer {
  url: string;
  ticket: string;
  room: string;
  node?: string;
}

/** The node refused the seat: `code` is the close code the answer carried (4004, 4003, 4014 ...). */
export class SeatRefused extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
  ) {
    super(reason);
    this.name = 'SeatRefused';
  }
}

/** `room`: "" quick play, "new", or a code; `requestId`: the same for a retry of one request. */
export type SeatAsk = (room: string, requestId: string) => Promise<SeatAnswer>;

type FetchFn = (url: string, init: { method: string; headers: Record<string, string>; body: string }) => Promise<{
  status: number;
  json(): Promise<unknown>;
}>;

/** The node's /api/seat for a ws(s):// or http(s):// URL of it. */
export function seatEndpoint(nodeUrl: string): string {
  const u = new URL(nodeUrl);
  u.protocol = u.protocol === 'wss:' || u.protocol === 'https:' ? 'https:' : 'http:';
  u.pathname = '/api/seat';
  u.search = '';
  u.hash = '';
  return u.toString();
}

const isAnswer = (v: unknown): v is SeatAnswer => {
  const o = v as Record<string, unknown> | null;
  return (
    typeof o === 'object' && o !== null && typeof o['url'] === 'string' && /^wss?:\/\//.test(o['url']) &&
    typeof o['ticket'] === 'string' && typeof o['room'] === 'string'
  );
};

/** A SeatAsk over HTTP to this node (fetch: the page's, or Node's). */
export function httpSeat(nodeUrl: string, fetchFn: FetchFn = globalThis.fetch as unknown as FetchFn): SeatAsk {
  const endpoint = seatEndpoint(nodeUrl);
  return async (room, requestId) => {
    let res: Awaited<ReturnType<FetchFn>>;
    try {
      res = await fetchFn(endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ room, requestId }),
      });
    } catch (err) {
      throw new SeatRefused(1006, `seat request failed: ${err instanceof Error ? err.message : String(err)}`);
    }
    let body: unknown = null;
    try {
      body = await res.json();
    } catch {
      body = null;
    }
    if (res.status === 200 && isAnswer(body)) return body;
    const o = (body ?? {}) as { error?: unknown; code?: unknown };
    const code = typeof o.code === 'number' ? o.code : res.status === 429 ? CloseCode.RateLimited : 1006;
    throw new SeatRefused(code, typeof o.error === 'string' ? o.error : `seat request answered HTTP ${res.status}`);
  };
}

/** A request id: random enough that two clients never share one. */
export function newRequestId(random: () => number = Math.random): string {
  const abc = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let s = '';
  for (let i = 0; i < 20; i++) s += abc[Math.floor(random() * abc.length)];
  return s;
}
