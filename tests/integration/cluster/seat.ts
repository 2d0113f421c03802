/**
 * Joining through the directory as the wire contract says (protocol/README.md): ask any
 * node for a seat (POST /api/seat), open a WebSocket to the URL it names, and say Hello
 * with the ticket. The players of the chaos suite that must be watched frame by frame
 * (snapshot gaps, close codes) are harness TestClients seated this way.
 */
import { ClientKind, PROTOCOL_VERSION, type WelcomeMsg } from '../../../protocol/index.ts';
import { TestClient, waitFor } from '../harness.ts';

/** A seat as POST /api/seat answers it. */
export interface Seat {
  url: string;
  ticket: string;
  room: string;
  node: string;
  expiresInMs: number;
}

export class SeatRefused extends Error {
  constructor(
    readonly status: number,
    readonly body: { error?: string; code?: number },
  ) {
    super(`POST /api/seat refused: HTTP ${status} ${JSON.stringify(body)}`);
  }
}

/** Ask the node at httpUrl (http://HOST:PORT) for a seat; room '' is quick play. */
export async function requestSeat(httpUrl: string, room = ''): Promise<Seat> {
  const r = await fetch(`${httpUrl}/api/seat`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ room }),
    signal: AbortSignal.timeout(5000),
  });
  const body = (await r.json()) as Seat & { error?: string; code?: number };
  if (!r.ok) throw new SeatRefused(r.status, body);
  return body;
}

/** A TestClient on the seat's URL (always loopback here). */
export function clientFor(seat: Seat): TestClient {
  const u = new URL(seat.url);
  return new TestClient(Number(u.port), u.pathname);
}

export interface SeatedPlayer {
  client: TestClient;
  seat: Seat;
  welcome: WelcomeMsg;
}

/** Seat, connect, Hello with the ticket; resolves at the Welcome. */
export async function joinThroughDirectory(httpUrl: string, name: string, room = '', timeoutMs = 5000): Promise<SeatedPlayer> {
  const seat = await requestSeat(httpUrl, room);
  const client = clientFor(seat);
  await client.open();
  client.send({ kind: ClientKind.Hello, version: PROTOCOL_VERSION, name, room: seat.room, ticket: seat.ticket });
  const welcome = await waitFor(() => client.welcome() ?? (client.closeCode !== null && 'closed'), `welcome for ${name}`, timeoutMs);
  if (welcome === 'closed') throw new Error(`${name} was closed before its welcome: ${client.closeCode} ${client.closeReason}`);
  return { client, seat, welcome };
}

/** The largest gap between consecutive snapshot arrivals from index `from` on, ms. */
export function largestSnapshotGap(c: TestClient, from = 0): number {
  let gap = 0;
  const t = c.snapshotArrivals;
  for (let i = Math.max(1, from); i < t.length; i++) gap = Math.max(gap, t[i]! - t[i - 1]!);
  return gap;
}
