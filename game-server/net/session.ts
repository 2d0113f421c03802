/**
 * One connection's state, independent of the socket library: the server hands it a
 * Transport (plain functions), so tests can drive sessions through an in-memory pipe.
 */
import { Limits, NO_BASELINE } from '../../protocol/index.ts';
import { RateLimiter } from './rate-limiter.ts';
import type { Player } from '../room.ts';
import type { ClientBaseline } from './snapshot-builder.ts';

export interface Transport {
  /** bytes may be a reused buffer: it is only valid during the call (uWS copies it). */
  send(bytes: Uint8Array): void;
  close(code: number, reason: string): void;
  /** Bytes queued in the socket and not yet written to the network. */
  bufferedAmount(): number;
}

export type SessionPhase = 'handshake' | 'playing' | 'closed';

export class Session {
  phase: SessionPhase = 'handshake';
  player: Player | null = null;
  /** Messages of any kind: bounds the work one client can cause. */
  readonly limiter: RateLimiter;
  bytesIn = 0;
  bytesOut = 0;
  snapshotsSkipped = 0;
  /** Loop time since which every snapshot was skipped for backpressure; -1 when not. */
  slowSince = -1;
  /** The last snapshot sent: what the next one deltas against. */
  readonly baseline: ClientBaseline = { tick: NO_BASELINE, view: null };
  /** The area the client draws, world px (clamped); 1280x720 until it says otherwise. */
  viewWidth = 1280;
  viewHeight = 720;

  constructor(
    readonly id: number,
    readonly remoteAddress: string,
    private readonly transport: Transport,
    readonly openedAt: number,
    messagesPerSecond: number,
  ) {
    // A burst of two seconds' worth absorbs a stalled network delivering all at once.
    this.limiter = new RateLimiter(messagesPerSecond, messagesPerSecond * 2, openedAt);
  }

  setViewport(width: number, height: number): void {
    this.viewWidth = Math.min(Limits.MAX_VIEW_WIDTH, Math.max(Limits.MIN_VIEW_WIDTH, width));
    this.viewHeight = Math.min(Limits.MAX_VIEW_HEIGHT, Math.max(Limits.MIN_VIEW_HEIGHT, height));
  }

  send(bytes: Uint8Array): void {
    if (this.phase === 'closed') return;
    this.bytesOut += bytes.byteLength;
    this.transport.send(bytes);
  }

  bufferedAmount(): number {
    return this.phase === 'closed' ? 0 : this.transport.bufferedAmount();
  }

  /** Close with a code and reason; the transport's close event then ends the session. */
  close(code: number, reason: string): void {
    if (this.phase === 'closed') return;
    this.phase = 'closed';
    this.transport.close(code, reason);
  }
}
