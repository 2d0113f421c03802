/**
 * One connection's state, independent of the socket library and of the game: the server
 * hands it a Transport (plain functions), and the game layer keeps what it needs in the
 * typed `slot` (the hub puts the player there), so nothing here knows rooms or players.
 */
import { Limits } from '../../protocol/index.ts';
import type { ClientLink } from './client-channel.ts';
import { RateLimiter } from './rate-limiter.ts';
import type { Transport } from './transport.ts';

export type SessionPhase = 'handshake' | 'playing' | 'closed';

/** Traffic of every session of a server, for /metrics (plain numbers: the hot path only adds). */
export interface NetTotals {
  bytesIn: number;
  bytesOut: number;
  messagesIn: number;
  messagesOut: number;
}

export const newNetTotals = (): NetTotals => ({ bytesIn: 0, bytesOut: 0, messagesIn: 0, messagesOut: 0 });

export interface SessionLimits {
  /** Inputs per second on average (bursts up to twice that). Default: the message rate. */
  inputsPerSecond?: number;
  /** Chat messages per second on average (bursts up to CHAT_BURST_SECONDS' worth, at least 3). */
  chatPerSecond?: number;
  /** Shared counters this session adds its traffic to. */
  totals?: NetTotals;
}

const CHAT_BURST_SECONDS = 2;

export class Session<Slot = unknown> implements ClientLink {
  phase: SessionPhase = 'handshake';
  /** What the game layer attached to this connection (the hub: its player), if anything. */
  slot: Slot | null = null;
  /** Messages of any kind: bounds the work one client can cause. */
  readonly limiter: RateLimiter;
  /** Inputs alone: a client may not run its player faster than the tick rate for long. */
  readonly inputLimiter: RateLimiter;
  /** Chat messages alone: what one client may make everyone else read. */
  readonly chatLimiter: RateLimiter;
  /** Set when the server closed this session (refusal, violation, shutdown): its code. */
  closedByServer: number | null = null;
  private readonly totals: NetTotals;
  bytesIn = 0;
  bytesOut = 0;
  /** The area the client draws, world px (clamped); 1280x720 until it says otherwise. */
  viewWidth = 1280;
  viewHeight = 720;
  /** Hello.maxBytesPerSecond (0: none asked); the room caps it by the server's flag. */
  askedBytesPerSecond = 0;

  constructor(
    readonly id: number,
    readonly remoteAddress: string,
    private readonly transport: Transport,
    readonly openedAt: number,
    messagesPerSecond: number,
    limits: SessionLimits = {},
  ) {
    // A burst of two seconds' worth absorbs a stalled network delivering all at once.
    this.limiter = new RateLimiter(messagesPerSecond, messagesPerSecond * 2, openedAt);
    const inputs = limits.inputsPerSecond ?? messagesPerSecond;
    this.inputLimiter = new RateLimiter(inputs, inputs * 2, openedAt);
    const chat = limits.chatPerSecond ?? 2;
    this.chatLimiter = new RateLimiter(chat, Math.max(3, chat * CHAT_BURST_SECONDS), openedAt);
    this.totals = limits.totals ?? newNetTotals();
  }

  get isOpen(): boolean {
    return this.phase !== 'closed';
  }

  /** Count one inbound frame (before it is decoded: garbage costs us too). */
  received(bytes: number): void {
    this.bytesIn += bytes;
    this.totals.bytesIn += bytes;
    this.totals.messagesIn++;
  }

  setViewport(width: number, height: number): void {
    this.viewWidth = Math.min(Limits.MAX_VIEW_WIDTH, Math.max(Limits.MIN_VIEW_WIDTH, width));
    this.viewHeight = Math.min(Limits.MAX_VIEW_HEIGHT, Math.max(Limits.MIN_VIEW_HEIGHT, height));
  }

  send(bytes: Uint8Array): void {
    if (this.phase === 'closed') return;
    this.bytesOut += bytes.byteLength;
    this.totals.bytesOut += bytes.byteLength;
    this.totals.messagesOut++;
    this.transport.send(bytes);
  }

  bufferedAmount(): number {
    return this.phase === 'closed' ? 0 : this.transport.bufferedAmount();
  }

  cork(fn: () => void): void {
    if (this.phase === 'closed') fn();
    else this.transport.cork(fn);
  }

  /** Close with a code and reason; the transport's close event then ends the session. */
  close(code: number, reason: string): void {
    if (this.phase === 'closed') return;
    this.phase = 'closed';
    this.closedByServer = code;
    this.transport.close(code, reason);
  }
}
