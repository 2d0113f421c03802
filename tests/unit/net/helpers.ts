/** Shared fixtures for the netcode tests: the real arena map, a seeded RNG, a fake socket, message builders. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  NO_BASELINE,
  REMOTE_POS_SCALE,
  ServerKind,
  parseTiledMap,
  quantizePos,
  type CollisionMap,
  type SnapshotMsg,
  type WelcomeMsg,
} from '../../../protocol/index.ts';
import { seededRandom } from '../../../protocol/random.ts';
import type { WebSocketLike } from '../../../game-client/src/net/connection.ts';

export function loadArena(): CollisionMap {
  const path = fileURLToPath(new URL('../../../assets/maps/arena.json', import.meta.url));
  return parseTiledMap('arena', JSON.parse(readFileSync(path, 'utf8')));
}

/** Deterministic random numbers for reproducible input streams. */
export const rng = seededRandom;

/** A hand-driven clock. */
export class FakeClock {
  t: number;
  constructor(start = 1000) {
    this.t = start;
  }
  readonly now = (): number => this.t;
}

/**
 * An in-memory WebSocket: the test plays the server by calling open()/deliver()/
 * serverClose() and reading `sent`.
 */
export class FakeSocket implements WebSocketLike {
  static instances: FakeSocket[] = [];
  binaryType = 'blob';
  readyState = 0;
  sent: Uint8Array[] = [];
  closedWith: { code?: number; reason?: string } | null = null;
  onopen: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: ((ev: { code: number; reason: string }) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;

  constructor(readonly url: string) {
    FakeSocket.instances.push(this);
  }

  send(data: Uint8Array): void {
    if (this.readyState !== 1) throw new Error('send on a socket that is not open');
    this.sent.push(new Uint8Array(data)); // a copy (Buffer.slice would share memory)
  }
  close(code?: number, reason?: string): void {
    this.closedWith = { code, reason };
    this.readyState = 3;
  }

  // ---- the server's side ----
  open(): void {
    this.readyState = 1;
    this.onopen?.({});
  }
  deliver(bytes: Uint8Array | string): void {
    if (typeof bytes === 'string') this.onmessage?.({ data: bytes });
    else {
      // Like a real socket with binaryType 'arraybuffer': a fresh ArrayBuffer per frame.
      const copy = new Uint8Array(bytes);
      this.onmessage?.({ data: copy.buffer });
    }
  }
  serverClose(code: number, reason: string): void {
    this.readyState = 3;
    this.onclose?.({ code, reason });
  }
}

/** A Welcome for the arena map at 30 Hz; fields overridable. */
export function welcomeMsg(over: Partial<WelcomeMsg> = {}): WelcomeMsg {
  return {
    kind: ServerKind.Welcome,
    playerId: 7,
    tickRate: 30,
    snapshotRate: 30,
    serverTick: 100,
    serverTime: 5000,
    mapId: 'arena',
    roomCode: 'ABCD',
    ...over,
  };
}

/**
 * A full snapshot with the own player at (x, y) px at rest and, if given, others as
 * [id, x px, y px] in one cell of a one-column view (enough for the decoder).
 */
export function snapshotMsg(tick: number, ackSeq: number, x: number, y: number, others: [number, number, number][] = []): SnapshotMsg {
  // A full block's entries: id, x, y (1/REMOTE_POS_SCALE px), dx, dy, aim per player.
  const entries = others.flatMap(([id, ox, oy]) => [id, Math.round(ox * REMOTE_POS_SCALE), Math.round(oy * REMOTE_POS_SCALE), 0, 0, 0]);
  return {
    kind: ServerKind.Snapshot,
    tick,
    serverTime: 5000 + Math.round((tick - 100) * (1000 / 30)),
    ackSeq,
    baseTick: NO_BASELINE,
    self: { x: quantizePos(x), y: quantizePos(y), vx: 0, vy: 0 },
    view: { cx0: 0, cy0: 0, cx1: 0, cy1: 0, cols: 1 },
    blocks: others.length > 0 ? [{ cell: 0, full: true, entries }] : [],
  };
}
