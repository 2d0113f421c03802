/**
 * When a connection pings: a burst of fast pings first, so RTT and the clock offset are
 * good within a second of joining, then a slow steady rate. Per connection: a new one
 * starts with the burst again.
 */
import { ClientKind, type ClientMessage, type PingMsg } from '../../../protocol/index.ts';

export interface PingOptions {
  /** Ping every this many ms once synced (default 1000). */
  pingIntervalMs?: number;
  /** The first this many pings go out fast (default 5) ... */
  fastPings?: number;
  /** ... this many ms apart (default 200). */
  fastPingIntervalMs?: number;
}

export class Pinger {
  private nextAt: number;
  private sent = 0;
  private readonly msg: PingMsg = { kind: ClientKind.Ping, clientTime: 0 };
  private readonly fast: number;
  private readonly fastInterval: number;
  private readonly interval: number;

  /** The first ping goes out at `start` (local ms). */
  constructor(start: number, opts: PingOptions = {}) {
    this.nextAt = start;
    this.fast = opts.fastPings ?? 5;
    this.fastInterval = opts.fastPingIntervalMs ?? 200;
    this.interval = opts.pingIntervalMs ?? 1000;
  }

  /** Pings through `send` when one is due at `now`. */
  update(now: number, send: (msg: ClientMessage) => unknown): void {
    if (now < this.nextAt) return;
    this.msg.clientTime = now;
    send(this.msg);
    this.sent++;
    this.nextAt = now + (this.sent < this.fast ? this.fastInterval : this.interval);
  }
}
