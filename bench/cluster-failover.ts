/**
 * After a kill -9: how long until the last orphaned player plays again elsewhere. The
 * orphans are the product's own client (GameClient with reconnect on, through
 * ProductPlayer: as the browser page and the bots run it), in a match on node a that
 * they entered through node b's page. a is killed with SIGKILL; each client notices the
 * lost socket, backs off, asks b for a new seat and plays on b. Timed from the kill to
 * each client's first snapshot in its new room.
 */
import WebSocket from 'ws';
import { ClientKind, PROTOCOL_VERSION, ServerKind, decodeServerMessage, encodeClientMessage } from '../protocol/index.ts';
import type { NodeProcess } from '../tests/integration/cluster/node-process.ts';
import { ProductPlayer } from '../tests/integration/cluster/product-player.ts';
import { percentiles, type Percentiles } from './cluster-joins.ts';

export interface FailoverFigures {
  orphans: number;
  /** Orphans that played again on the other node within the deadline. */
  recovered: number;
  /** s from the kill to the last orphan's first snapshot in its new room. */
  lastPlayingAgainS: number;
  /** Per orphan, s from the kill to its first snapshot in its new room. */
  playingAgainS: Percentiles;
  leaseMs: number;
}

/** A room on `node`, opened by a raw socket there: resolves with its code. */
function openRoomOn(node: NodeProcess): Promise<{ code: string; ws: WebSocket }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${node.port}/ws`);
    ws.binaryType = 'arraybuffer';
    ws.once('open', () => ws.send(encodeClientMessage({ kind: ClientKind.Hello, version: PROTOCOL_VERSION, name: 'host', room: '' })));
    ws.on('message', (d: ArrayBuffer) => {
      const m = decodeServerMessage(new Uint8Array(d));
      if (m.kind === ServerKind.Welcome) resolve({ code: m.roomCode, ws });
    });
    ws.once('error', reject);
  });
}

export async function measureFailover(a: NodeProcess, b: NodeProcess, orphans: number, leaseMs: number): Promise<FailoverFigures> {
  const { code, ws: host } = await openRoomOn(a);
  const players: ProductPlayer[] = [];
  try {
    for (let i = 0; i < orphans; i++) {
      const p = new ProductPlayer(b.httpUrl, `orphan${i}`, code);
      players.push(p);
      const w = await p.connect();
      if (w.roomCode !== code) throw new Error(`orphan ${i} landed in ${w.roomCode}, not a's room ${code}`);
    }
    const killedAt = performance.now();
    await a.kill9();
    host.terminate();
    const deadline = killedAt + 60_000;
    const again = (p: ProductPlayer): number => {
      // The first snapshot after the Welcome of the new room.
      const w = p.welcomes.length > 1 ? p.welcomesAt[p.welcomesAt.length - 1]! : Number.POSITIVE_INFINITY;
      return p.snapshotsAt.find((t) => t > w && t > killedAt) ?? Number.NaN;
    };
    while (players.some((p) => Number.isNaN(again(p))) && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const s = players.map(again).filter((t) => !Number.isNaN(t)).map((t) => (t - killedAt) / 1000);
    return {
      orphans,
      recovered: s.length,
      lastPlayingAgainS: Math.round(Math.max(...s) * 100) / 100,
      playingAgainS: percentiles(s),
      leaseMs,
    };
  } finally {
    for (const p of players) p.stop();
  }
}
