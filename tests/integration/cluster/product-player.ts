/**
 * A player driven by the product's own client (GameClient, as the browser page and the
 * bots run it) with reconnect on, so what a test sees after a node dies is the real
 * rematch path: the lost socket, the backoff, a new seat asked of the node the player
 * entered through, and play on whichever node the directory names. update() runs on a
 * 30 Hz interval, as a page's frame loop would call it.
 */
import WebSocket from 'ws';
import { GameClient } from '../../../game-client/src/net/client.ts';
import type { WebSocketCtor } from '../../../game-client/src/net/connection.ts';
import { ServerKind, type WelcomeMsg } from '../../../protocol/index.ts';

export class ProductPlayer {
  readonly client: GameClient;
  readonly welcomes: WelcomeMsg[] = [];
  /** Arrival times (performance.now) of every Welcome, parallel to welcomes. */
  readonly welcomesAt: number[] = [];
  /** Arrival times (performance.now) of every snapshot. */
  readonly snapshotsAt: number[] = [];
  closed: { code: number; reason: string } | null = null;
  reconnects = 0;
  private readonly timer: NodeJS.Timeout;

  /** entryUrl: the node whose page the player opened (http://HOST:PORT); it is asked for every seat. */
  constructor(entryUrl: string, name: string, room = '') {
    const now = (): number => performance.now();
    this.client = new GameClient({
      url: entryUrl,
      seat: true,
      name,
      room,
      now,
      WebSocket: WebSocket as unknown as WebSocketCtor,
      reconnect: { baseDelayMs: 200, maxDelayMs: 1000, maxAttempts: 30 },
      interpolate: false,
    });
    this.client.onMessage((m) => {
      if (m.kind === ServerKind.Snapshot) this.snapshotsAt.push(performance.now());
      if (m.kind === ServerKind.Welcome) this.noteWelcome(m);
    });
    this.client.onReconnecting(() => void this.reconnects++);
    this.client.onClose((code, reason) => (this.closed = { code, reason }));
    this.timer = setInterval(() => this.client.update(now()), 1000 / 30);
  }

  async connect(): Promise<WelcomeMsg> {
    const w = await this.client.connect();
    this.noteWelcome(w);
    return w;
  }

  private noteWelcome(w: WelcomeMsg): void {
    if (this.welcomes.includes(w)) return;
    this.welcomes.push(w);
    this.welcomesAt.push(performance.now());
  }

  get roomCode(): string {
    return this.client.roomCode;
  }

  /** Snapshots received after `t` (performance.now). */
  snapshotsSince(t: number): number {
    let n = 0;
    for (let i = this.snapshotsAt.length - 1; i >= 0 && this.snapshotsAt[i]! > t; i--) n++;
    return n;
  }

  stop(): void {
    clearInterval(this.timer);
    this.client.close();
  }
}
