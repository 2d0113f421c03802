/**
 * Join latency through the directory: from the first HTTP request (POST /api/seat on
 * the entry node) to the Welcome on the hosting node, one join at a time so what is timed
 * is the path, not a queue. Players stay in their rooms until the phase ends, so rooms
 * fill and new ones are opened at the rate quick play really opens them. Redis commands
 * per join come from INFO commandstats deltas, less what the nodes spend idle (lease
 * refreshes) over as long.
 */
import WebSocket from 'ws';
import { Redis } from 'ioredis';
import {
  ClientKind,
  PROTOCOL_VERSION,
  ServerKind,
  decodeServerMessage,
  encodeClientMessage,
  type ServerMessage,
} from '../protocol/index.ts';
import type { NodeProcess } from '../tests/integration/cluster/node-process.ts';

export interface Percentiles {
  n: number;
  p50: number;
  p99: number;
  max: number;
}

export function percentiles(samples: number[]): Percentiles {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number): number => s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? Number.NaN;
  const r = (x: number): number => Math.round(x * 100) / 100;
  return { n: s.length, p50: r(at(0.5)), p99: r(at(0.99)), max: r(s[s.length - 1] ?? Number.NaN) };
}

/** A WebSocket that resolves at the Welcome (or rejects on a close first). */
function helloAt(url: string, hello: Parameters<typeof encodeClientMessage>[0]): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    ws.binaryType = 'arraybuffer';
    ws.once('open', () => ws.send(encodeClientMessage(hello)));
    ws.on('message', (data: ArrayBuffer) => {
      const m: ServerMessage = decodeServerMessage(new Uint8Array(data));
      if (m.kind === ServerKind.Welcome) resolve(ws);
    });
    ws.once('close', (code, reason) => reject(new Error(`closed ${code} ${reason.toString()} before the Welcome`)));
    ws.once('error', reject);
  });
}

interface SeatAnswer {
  url: string;
  ticket: string;
  room: string;
  node: string;
}

/** POST /api/seat on `entry`, connect where it says, Hello with the ticket: ms to the Welcome. */
export async function seatJoin(entry: NodeProcess, name: string, room = ''): Promise<{ ms: number; ws: WebSocket; seat: SeatAnswer }> {
  const t0 = performance.now();
  const r = await fetch(`${entry.httpUrl}/api/seat`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ room }),
  });
  const seat = (await r.json()) as SeatAnswer;
  if (!r.ok) throw new Error(`seat refused: HTTP ${r.status} ${JSON.stringify(seat)}`);
  const ws = await helloAt(seat.url, { kind: ClientKind.Hello, version: PROTOCOL_VERSION, name, room: seat.room, ticket: seat.ticket });
  return { ms: performance.now() - t0, ws, seat };
}

/** The pre-cluster path: a Hello without a ticket straight to one node, ms to the Welcome. */
export async function directJoin(node: NodeProcess, name: string): Promise<{ ms: number; ws: WebSocket }> {
  const t0 = performance.now();
  const ws = await helloAt(`ws://127.0.0.1:${node.port}/ws`, { kind: ClientKind.Hello, version: PROTOCOL_VERSION, name, room: '' });
  return { ms: performance.now() - t0, ws };
}

/** Calls per command since the server started (INFO commandstats). */
export async function commandCalls(redis: Redis): Promise<Record<string, number>> {
  const text = await redis.info('commandstats');
  const calls: Record<string, number> = {};
  for (const m of text.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) calls[m[1]!] = Number(m[2]);
  return calls;
}

export function delta(after: Record<string, number>, before: Record<string, number>): Record<string, number> {
  const d: Record<string, number> = {};
  for (const [k, v] of Object.entries(after)) if (v - (before[k] ?? 0) > 0) d[k] = v - (before[k] ?? 0);
  return d;
}

export interface JoinFigures {
  path: string;
  joins: Percentiles;
}

/** `count` joins one after another; the sockets stay open until close() of the result. */
export async function timeJoins(
  count: number,
  join: (i: number) => Promise<{ ms: number; ws: WebSocket }>,
): Promise<{ ms: number[]; close(): void }> {
  const ms: number[] = [];
  const sockets: WebSocket[] = [];
  for (let i = 0; i < count; i++) {
    const j = await join(i);
    ms.push(j.ms);
    sockets.push(j.ws);
  }
  return { ms, close: () => sockets.forEach((ws) => ws.close(1000, 'bench done')) };
}
