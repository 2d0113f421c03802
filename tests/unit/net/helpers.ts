/** Shared fixtures for the netcode tests: the real arena map, a seeded RNG, a fake socket. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseTiledMap, type CollisionMap } from '../../../protocol/index.ts';
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
