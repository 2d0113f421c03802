/**
 * A WebSocketLike that puts a bad network between a GameClient and its real socket:
 * every message, in each direction, is held for latency + random * jitter ms. TCP never
 * reorders, so neither does this: a message is delivered at
 * max(now + latency + random * jitter, previous delivery time in that direction).
 * Open and close travel through the same queues, so a close never overtakes the
 * messages before it.
 *
 * It also counts payload bytes each way, which is what the bot report's bytes/s are.
 * With no latency and no jitter it is a plain pass-through (no queue, no copies).
 * Shared by the bots (bots/ws-link.ts over the ws package) and the browser page
 * (browser-lag.ts over the page's WebSocket, ?lag=MS&jitter=MS).
 */
import type { Clock } from '../../../protocol/clock.ts';
import type { WebSocketLike } from './connection.ts';
import type { DelayScheduler, DelayTarget, DelayedItem } from './delay-scheduler.ts';

/** The real socket underneath: what the transport adapter (ws-link.ts) provides. */
export interface RawSocket {
  readonly readyState: number;
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
}

export interface LagOptions {
  /** One-way delay added in each direction, ms. */
  latencyMs: number;
  /** Up to this much more, uniformly random, ms. */
  jitterMs: number;
  /** [0, 1) random numbers (seeded). */
  random: () => number;
  /** Shared by every socket of a worker; required when latency or jitter is set. */
  scheduler: DelayScheduler | null;
  /** Clock for delivery times when there is no scheduler (pass-through). */
  now?: Clock['now'];
  /**
   * Queue even at 0 latency and jitter: the page's lag (?lag=, the F3 control) may be
   * changed while connected, and this object's latencyMs/jitterMs are read per message.
   */
  alwaysQueue?: boolean;
}

const CONNECTING = 0;
const OPEN = 1;
const CLOSING = 2;
const CLOSED = 3;

// Kinds of queued deliveries.
const TO_SERVER = 0;
const TO_SERVER_CLOSE = 1;
const FROM_SERVER_OPEN = 2;
const FROM_SERVER_MESSAGE = 3;
const FROM_SERVER_CLOSE = 4;

export class LaggySocket implements WebSocketLike, DelayTarget {
  /** Ignored: frames are always handed over as Uint8Array views (Connection accepts them). */
  binaryType = 'arraybuffer';
  readyState = CONNECTING;
  onopen: ((ev: any) => void) | null = null;
  onmessage: ((ev: any) => void) | null = null;
  onclose: ((ev: any) => void) | null = null;
  onerror: ((ev: any) => void) | null = null;

  /** Payload bytes handed to the client / sent by it. */
  bytesIn = 0;
  bytesOut = 0;
  /** The transport's error text ("connection refused"), if any, for failure reports. */
  errorText = '';

  private raw: RawSocket | null = null;
  private readonly delayed: boolean;
  private lastOut = -Infinity;
  private lastIn = -Infinity;
  /** Reused: Connection reads ev.data synchronously and keeps nothing. */
  private readonly messageEvent = { data: null as unknown };

  constructor(private readonly lag: LagOptions) {
    this.delayed = lag.alwaysQueue === true || lag.latencyMs > 0 || lag.jitterMs > 0;
    if (this.delayed && !lag.scheduler) throw new Error('a laggy socket with latency needs a scheduler');
  }

  /** Attach the real socket (the adapter calls this before any handle* call). */
  attach(raw: RawSocket): void {
    this.raw = raw;
  }

  // ---- the client's side (WebSocketLike) ----

  send(data: Uint8Array): void {
    if (this.readyState !== OPEN) throw new Error('send on a socket that is not open');
    this.bytesOut += data.byteLength;
    if (!this.delayed) {
      this.raw?.send(data);
      return;
    }
    // The encoder may reuse its buffer; a delayed frame needs its own bytes.
    const e = this.enqueue(TO_SERVER, true);
    e.data = data.slice();
  }

  close(code?: number, reason?: string): void {
    if (this.readyState === CLOSED || this.readyState === CLOSING) return;
    this.readyState = CLOSING;
    if (!this.delayed) {
      this.raw?.close(code, reason);
      return;
    }
    const e = this.enqueue(TO_SERVER_CLOSE, true);
    e.code = code ?? 1000;
    e.reason = reason ?? '';
  }

  // ---- the network's side (called by the transport adapter) ----

  handleOpen(): void {
    if (!this.delayed) return this.deliverOpen();
    this.enqueue(FROM_SERVER_OPEN, false);
  }

  handleMessage(data: Uint8Array | string): void {
    if (!this.delayed) return this.deliverMessage(data);
    this.enqueue(FROM_SERVER_MESSAGE, false).data = data;
  }

  handleClose(code: number, reason: string): void {
    if (!this.delayed) return this.deliverClose(code, reason);
    const e = this.enqueue(FROM_SERVER_CLOSE, false);
    e.code = code;
    e.reason = reason;
  }

  handleError(text: string): void {
    if (!this.errorText) this.errorText = text;
  }

  /** DelayTarget: a queued item is due. */
  deliver(e: DelayedItem): void {
    switch (e.kind) {
      case TO_SERVER: {
        const raw = this.raw;
        // Sends queued before the socket died are lost, as on a real network.
        if (raw && raw.readyState === OPEN) raw.send(e.data as Uint8Array);
        return;
      }
      case TO_SERVER_CLOSE:
        this.raw?.close(e.code, e.reason);
        return;
      case FROM_SERVER_OPEN:
        return this.deliverOpen();
      case FROM_SERVER_MESSAGE:
        return this.deliverMessage(e.data as Uint8Array | string);
      case FROM_SERVER_CLOSE:
        return this.deliverClose(e.code, e.reason);
    }
  }

  private enqueue(kind: number, outgoing: boolean): DelayedItem {
    const s = this.lag.scheduler!;
    const now = s.now;
    let at = now + this.lag.latencyMs + (this.lag.jitterMs > 0 ? this.lag.random() * this.lag.jitterMs : 0);
    // Order is kept per direction: never before the previous message that way.
    if (outgoing) {
      if (at < this.lastOut) at = this.lastOut;
      this.lastOut = at;
    } else {
      if (at < this.lastIn) at = this.lastIn;
      this.lastIn = at;
    }
    const e = s.take();
    e.at = at;
    e.kind = kind;
    e.target = this;
    s.push(e);
    return e;
  }

  private deliverOpen(): void {
    if (this.readyState !== CONNECTING) return;
    this.readyState = OPEN;
    this.onopen?.({});
  }

  private deliverMessage(data: Uint8Array | string): void {
    if (this.readyState === CLOSED) return;
    if (typeof data !== 'string') this.bytesIn += data.byteLength;
    const ev = this.messageEvent;
    ev.data = data;
    this.onmessage?.(ev);
    ev.data = null;
  }

  private deliverClose(code: number, reason: string): void {
    if (this.readyState === CLOSED) return;
    this.readyState = CLOSED;
    this.onclose?.({ code, reason });
  }
}
