/**
 * When and how soon a GameClient tries again after its connection is lost. Pure: the
 * caller passes the random source, and the client schedules attempts on its own clock
 * (update(now)), so tests step time by hand.
 */
import { CloseCode } from '../../../protocol/index.ts';

export interface ReconnectOptions {
  /** First retry after about this long, ms (default 500). */
  baseDelayMs?: number;
  /** Delays double up to this, ms (default 8000). */
  maxDelayMs?: number;
  /** Give up after this many failed attempts in a row (default 12: over a minute). */
  maxAttempts?: number;
  /** One attempt may take this long to reach the game before it is abandoned, ms (default 10000). */
  attemptTimeoutMs?: number;
  /** Random numbers in [0, 1) for the jitter (default Math.random). */
  random?: () => number;
}

/**
 * Close codes after which trying again can work: the network dropped (1006 and the
 * other codes a browser reports for a lost socket), the server restarts (4010, 1012) or
 * is busy (4009, 1013), or this client stopped reading (4008). Everything else means the
 * client is wrong or was refused: retrying unchanged would fail the same way.
 */
const RETRYABLE = new Set<number>([
  1001,
  1005,
  1006,
  1011,
  1012,
  1013,
  CloseCode.SlowConsumer,
  CloseCode.ServerFull,
  CloseCode.ServerShutdown,
  // The room directory is unreachable for now; running matches were not affected.
  CloseCode.DirectoryUnavailable,
]);

export function isRetryableClose(code: number): boolean {
  return RETRYABLE.has(code);
}

/**
 * Exponential backoff with jitter: attempt n (from 0) waits a random time in
 * [d/2, d] where d = min(maxDelay, base * 2^n). The random half spreads a crowd of
 * clients that lost one server at the same moment, so they do not all come back in
 * the same millisecond.
 */
export class Backoff {
  private readonly base: number;
  private readonly max: number;
  private readonly random: () => number;
  /** Attempts made since the last reset. */
  attempts = 0;

  constructor(opts: ReconnectOptions = {}) {
    this.base = opts.baseDelayMs ?? 500;
    this.max = opts.maxDelayMs ?? 8000;
    this.random = opts.random ?? Math.random;
  }

  /** The delay before the next attempt, ms; counts the attempt. */
  next(): number {
    const d = Math.min(this.max, this.base * 2 ** Math.min(this.attempts, 30));
    this.attempts++;
    return d / 2 + (d / 2) * this.random();
  }

  reset(): void {
    this.attempts = 0;
  }
}
