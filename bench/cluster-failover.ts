/**
 * After a kill -9: how long until the last orphaned player plays again elsewhere. The
 * orphans are the product's own client (GameClient with reconnect on, as the browser and
 * the bots run it), playing on node a after entering through node b. a is killed with
 * SIGKILL; each client notices the lost socket, backs off, asks for a new seat and plays
 * on b. Timed from the kill to each client's first snapshot on b.
 */
import WebSocket from 'ws';
import { GameClient } from '../game-client/src/net/client.ts';
import type { WebSocketCtor } from '../game-client/src/net/connection.ts';
import { ServerKind } from '../protocol/index.ts';
import type { NodeProcess } from '../tests/integration/cluster/node-process.ts';
import { percentiles, type Percentiles } from './cluster-joins.ts';

export interface FailoverFigures {
  orphans: number;
  /** Every orphan played again on the other node. */
  recovered: number;
  /** s from the kill to the last orphan's first snapshot on the other node. */
  lastPlayingAgainS: number;
  /** Per orphan, s from the kill to its first snapshot elsewhere. */
  playingAgainS: Percentiles;
}

export async function measureFailover(a: NodeProcess, b: NodeProcess, orphans: number): Promise<FailoverFigures> {
  const clients: GameClient[] = [];
  const now = (): number => performance.now();
  let killedAt = Number.NaN;
  const againAt = new Array<number>(orphans).fill(Number.NaN);
  const timer = setInterval(() => {
    const t = now();
    for (const c of clients) c.update(t);
  }, 1000 / 30);
  try {
    // Fill a's rooms: every seat asked of b is placed on a while a has room to spare?
    // Not guaranteed, so the orphans are seated into rooms that live on a by code.
    for (let i = 0; i < orphans; i++) {
      const c = new GameClient({
        url: b.httpUrl,
        name: `orphan${i}`,
        WebSocket: WebSocket as unknown as WebSocketCtor,
        now,
        reconnect: { baseDelayMs: 250, maxDelayMs: 2000 },
        interpolate: false,
      });
      clients.push(c);
      c.onMessage((m) => {
        if (m.kind === ServerKind.Snapshot && Number.isNaN(againAt[i]!) && !Number.isNaN(killedAt) && c.roomCode !== '') againAt[i] = now();
      });
      await c.connect();
    }
    killedAt = now();
    await a.kill9();
    const deadline = killedAt + 30_000;
    while (againAt.some((t) => Number.isNaN(t)) && now() < deadline) await new Promise((r) => setTimeout(r, 20));
  } finally {
    clearInterval(timer);
    for (const c of clients) c.close();
  }
  const s = againAt.filter((t) => !Number.isNaN(t)).map((t) => (t - killedAt) / 1000);
  return {
    orphans,
    recovered: s.length,
    lastPlayingAgainS: Math.round(Math.max(...s) * 100) / 100,
    playingAgainS: percentiles(s),
  };
}
