/**
 * The way to the server for as long as the page plays: one Connection at a time, the
 * Hello on each, and, with reconnect on, the next attempt after a loss (exponential
 * backoff, the Welcome's resume token presented to get the same player back). It knows
 * nothing of the game beyond the Welcome: every other message is passed on.
 *
 * States: idle -> opening (socket up, Hello sent, no Welcome yet) -> open (Welcome
 * taken) -> waiting (between attempts) -> opening ... or -> closed, which is final.
 * Time is read from the injected clock, and attempts open from update(), never from a
 * timer, so tests and bot swarms step it by hand.
 */
import {
  ClientKind,
  CloseCode,
  CREATE_PRIVATE_ROOM,
  PROTOCOL_VERSION,
  ServerKind,
  type ClientMessage,
  type ServerMessage,
  type WelcomeMsg,
} from '../../../protocol/index.ts';
import type { Clock } from '../../../protocol/clock.ts';
import type { ReconnectAttempt } from './client-types.ts';
import { CLOSE_ABNORMAL, Connection, type WebSocketCtor } from './connection.ts';
import { Backoff, isRetryableClose, type ReconnectOptions } from './reconnect.ts';

export interface LinkOptions {
  url: string;
  /** Resolved when a socket is opened, so a runtime can provide one late. */
  WebSocket: () => WebSocketCtor | undefined;
  now: Clock['now'];
  /** Sanitized display name for the Hello. */
  name: string;
  /** "" quick play, CREATE_PRIVATE_ROOM, or a room code (upper case). */
  room: string;
  /** With room CREATE_PRIVATE_ROOM, the new room's round length, s (absent: none). */
  roundSeconds?: number;
  /** null: the first close is final. */
  reconnect: ReconnectOptions | null;
}

export interface LinkEvents {
  /** The first Welcome on the current connection. */
  welcome(msg: WelcomeMsg, arrival: number): void;
  /** Any other message on the current connection, with its local arrival time. */
  message(msg: ServerMessage, arrival: number): void;
  /** The connection was lost and another attempt is scheduled. */
  reconnecting(attempt: ReconnectAttempt): void;
  /** The end: the last close, reported once. */
  closed(code: number, reason: string): void;
}

export type LinkState =
  | { state: 'idle' }
  /** since: when this attempt opened (NaN for the first connection, which has no attempt timeout). */
  | { state: 'opening'; conn: Connection; since: number }
  | { state: 'open'; conn: Connection }
  | { state: 'waiting'; retryAt: number }
  | { state: 'closed' };

export interface CloseInfo {
  code: number;
  reason: string;
}

export class ReconnectingLink {
  private s: LinkState = { state: 'idle' };
  private room: string;
  /** From the latest Welcome: presented in the Hello of a reconnect. */
  private resumeToken: string | null = null;
  /** A Welcome was ever taken: only a game that started is reconnected. */
  private welcomed = false;
  private readonly backoff: Backoff | null;
  /** close() was called: no more attempts. */
  private userClosed = false;
  /** This side closed the socket for a reason a new connection fixes (desync, stuck attempt). */
  private retryOwnClose = false;
  private lastCloseValue: CloseInfo | null = null;
  /** Bytes of earlier connections, so byte rates run on across a reconnect. */
  private bytesInBefore = 0;
  private bytesOutBefore = 0;

  constructor(
    private readonly opts: LinkOptions,
    private readonly events: LinkEvents,
  ) {
    this.room = opts.room;
    this.backoff = opts.reconnect ? new Backoff(opts.reconnect) : null;
  }

  get state(): LinkState['state'] {
    return this.s.state;
  }

  /** The latest close seen, retried or not (null before any). */
  get lastClose(): CloseInfo | null {
    return this.lastCloseValue;
  }

  /** Payload bytes received over every connection so far. */
  get bytesIn(): number {
    return this.bytesInBefore + (this.s.state === 'opening' || this.s.state === 'open' ? this.s.conn.bytesIn : 0);
  }

  get bytesOut(): number {
    return this.bytesOutBefore + (this.s.state === 'opening' || this.s.state === 'open' ? this.s.conn.bytesOut : 0);
  }

  /** Open the first connection. Throws what the socket constructor throws. */
  open(): void {
    if (this.s.state !== 'idle') throw new Error('the link is already open');
    this.openConnection(Number.NaN);
  }

  /** Sends on a connection that has its Welcome; false otherwise. */
  send(msg: ClientMessage): boolean {
    return this.s.state === 'open' ? this.s.conn.send(msg) : false;
  }

  /** While reconnecting: open the next attempt when due; abandon one that hangs. */
  update(now: number): void {
    const s = this.s;
    if (s.state === 'opening') {
      const timeout = this.opts.reconnect?.attemptTimeoutMs ?? 10_000;
      if (now - s.since > timeout) this.restart(CloseCode.Normal, 'reconnect attempt timed out');
      return;
    }
    if (s.state !== 'waiting' || now < s.retryAt) return;
    try {
      this.openConnection(now);
    } catch (err) {
      this.lost(CLOSE_ABNORMAL, err instanceof Error ? err.message : String(err), false);
    }
  }

  /** The game runs on this connection: the next loss starts the backoff over. */
  joined(): void {
    this.backoff?.reset();
  }

  /** Close the current connection for a reason a new one fixes: with reconnect on, it is retried. */
  restart(code: number, reason: string): void {
    const s = this.s;
    if (s.state !== 'opening' && s.state !== 'open') return;
    this.retryOwnClose = true;
    s.conn.close(code, reason);
  }

  /** Close the current connection for a reason retrying would not fix. */
  reject(code: number, reason: string): void {
    const s = this.s;
    if (s.state === 'opening' || s.state === 'open') s.conn.close(code, reason);
  }

  /** Leave: closes with 1000; no attempt after it. Between attempts it ends at once. */
  close(reason: string): void {
    this.userClosed = true;
    const s = this.s;
    if (s.state === 'opening' || s.state === 'open') s.conn.close(CloseCode.Normal, reason);
    else if (s.state === 'waiting') this.end(CloseCode.Normal, reason);
    else this.s = { state: 'closed' };
  }

  private openConnection(now: number): void {
    const WS = this.opts.WebSocket();
    if (!WS) throw new Error('no WebSocket implementation: pass options.WebSocket (e.g. the ws package)');
    const conn = new Connection(this.opts.url, WS);
    this.s = { state: 'opening', conn, since: now };
    conn.onOpen(() => {
      const hello = { kind: ClientKind.Hello, version: PROTOCOL_VERSION, name: this.opts.name, room: this.room } as const;
      const rounds = this.room === CREATE_PRIVATE_ROOM && this.opts.roundSeconds ? { roundSeconds: this.opts.roundSeconds } : {};
      conn.send(this.resumeToken ? { ...hello, resumeToken: this.resumeToken } : { ...hello, ...rounds });
    });
    conn.onClose((code, reason) => {
      const s = this.s;
      if ((s.state !== 'opening' && s.state !== 'open') || s.conn !== conn) return;
      this.bytesInBefore += conn.bytesIn;
      this.bytesOutBefore += conn.bytesOut;
      const own = this.retryOwnClose;
      this.retryOwnClose = false;
      this.lost(code, reason, own);
    });
    conn.onMessage((msg) => {
      const arrival = this.opts.now();
      if (msg.kind !== ServerKind.Welcome) {
        this.events.message(msg, arrival);
        return;
      }
      if (this.s.state === 'open') {
        conn.close(CloseCode.UnexpectedMessage, 'second welcome');
        return;
      }
      this.s = { state: 'open', conn };
      this.welcomed = true;
      this.resumeToken = msg.resumeToken ?? null;
      // Where a reconnect goes when its token is refused (README §13): a private room
      // by its code (4004 then ends it: back to the menu), a public one by quick play,
      // since its code means nothing once the server restarted. A version-3 server
      // sends no flag: keep what was asked, only replacing "new" by the room it made.
      if (msg.privateRoom !== undefined) this.room = msg.privateRoom ? msg.roomCode : '';
      else if (this.room === CREATE_PRIVATE_ROOM) this.room = msg.roomCode;
      this.events.welcome(msg, arrival);
    });
  }

  /** The current connection ended (or an attempt could not start): retry or end. */
  private lost(code: number, reason: string, ownRetry: boolean): void {
    this.lastCloseValue = { code, reason };
    const backoff = this.backoff;
    if (backoff && !this.userClosed && this.welcomed) {
      if (code === CloseCode.ResumeRefused && this.resumeToken) {
        // The server no longer has our player (restarted, or the grace period ran out):
        // come back as a new one, at once.
        this.resumeToken = null;
        this.schedule(0, backoff, code, reason);
        return;
      }
      const max = this.opts.reconnect?.maxAttempts ?? 12;
      if ((ownRetry || isRetryableClose(code)) && backoff.attempts < max) {
        this.schedule(backoff.next(), backoff, code, reason);
        return;
      }
    }
    this.end(code, reason);
  }

  private schedule(delayMs: number, backoff: Backoff, code: number, reason: string): void {
    this.s = { state: 'waiting', retryAt: this.opts.now() + delayMs };
    this.events.reconnecting({ attempt: backoff.attempts, delayMs, code, reason });
  }

  private end(code: number, reason: string): void {
    this.lastCloseValue = { code, reason };
    this.s = { state: 'closed' };
    this.events.closed(code, reason);
  }
}
