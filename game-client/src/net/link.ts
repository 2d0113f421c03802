/**
 * The way to the server for as long as the page plays: one Connection at a time, the
 * Hello on each, and, with reconnect on, the next attempt after a loss (exponential
 * backoff, the Welcome's resume token presented to get the same player back). It knows
 * nothing of the game beyond the Welcome: every other message is passed on.
 *
 * States: idle -> opening (socket up, Hello sent, no Welcome yet) -> open (Welcome
 * taken) -> waiting (between attempts) -> opening ... or -> closed, which is final.
 * With a seat source (cluster matchmaking, protocol README §14) an attempt that is not
 * a resume starts in seating: the node is asked where to play, then the socket opens
 * to the node it names with the seat ticket. A refused ticket (4012) or a node that lost
 * its lease (4013) is answered by asking again, at once, by itself.
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
import { SeatRefused, newRequestId, type SeatAsk } from './seat.ts';

/** Rematches in a row (4012/4013) before giving up: a cluster that keeps refusing is broken. */
const MAX_REMATCHES = 3;

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
  /** Ask where to play before each fresh join (POST /api/seat); absent: connect to `url` directly. */
  seat?: SeatAsk | null;
  /** Hello.maxBytesPerSecond: the snapshot budget to ask for (absent: the server's). */
  maxBytesPerSecond?: number;
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
  /** Asking the node where to play (a seat request under way). */
  | { state: 'seating'; since: number }
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
  /** The node the player is on: a resume goes back to it. */
  private nodeUrl: string;
  /** Numbers seat requests, so a late answer to an abandoned one is ignored. */
  private seatRequests = 0;
  private rematches = 0;

  constructor(
    private readonly opts: LinkOptions,
    private readonly events: LinkEvents,
  ) {
    this.room = opts.room;
    this.nodeUrl = opts.url;
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
    if (s.state === 'seating') {
      const timeout = this.opts.reconnect?.attemptTimeoutMs ?? 10_000;
      if (now - s.since > timeout) {
        this.seatRequests++;
        this.lost(CLOSE_ABNORMAL, 'seat request timed out', true);
      }
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
    this.rematches = 0;
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
    else if (s.state === 'waiting' || s.state === 'seating') {
      this.seatRequests++;
      this.end(CloseCode.Normal, reason);
    } else this.s = { state: 'closed' };
  }

  private openConnection(now: number): void {
    const seat = this.opts.seat;
    // A resume goes back to the player's node; everything else asks where to play.
    if (seat && this.resumeToken === null) this.askSeat(seat, now);
    else this.connectTo(this.nodeUrl, now, null);
  }

  private askSeat(seat: SeatAsk, now: number): void {
    if (!this.opts.WebSocket()) throw new Error('no WebSocket implementation: pass options.WebSocket (e.g. the ws package)');
    const id = ++this.seatRequests;
    this.s = { state: 'seating', since: now };
    seat(this.room, newRequestId()).then(
      (answer) => {
        if (this.s.state !== 'seating' || id !== this.seatRequests) return;
        this.nodeUrl = answer.url;
        try {
          this.connectTo(answer.url, now, { room: answer.room, ticket: answer.ticket });
        } catch (err) {
          this.lost(CLOSE_ABNORMAL, err instanceof Error ? err.message : String(err), false);
        }
      },
      (err: unknown) => {
        if (this.s.state !== 'seating' || id !== this.seatRequests) return;
        if (err instanceof SeatRefused) this.lost(err.code, err.reason, false);
        else this.lost(CLOSE_ABNORMAL, err instanceof Error ? err.message : String(err), false);
      },
    );
  }

  private connectTo(url: string, now: number, seat: { room: string; ticket: string } | null): void {
    const WS = this.opts.WebSocket();
    if (!WS) throw new Error('no WebSocket implementation: pass options.WebSocket (e.g. the ws package)');
    const conn = new Connection(url, WS);
    this.s = { state: 'opening', conn, since: now };
    conn.onOpen(() => {
      const hello = { kind: ClientKind.Hello, version: PROTOCOL_VERSION, name: this.opts.name, room: this.room } as const;
      const budget = this.opts.maxBytesPerSecond;
      // Rounds (issue 13): the Hello that opens a new private room says its round length.
      const rounds = this.room === CREATE_PRIVATE_ROOM && this.opts.roundSeconds ? { roundSeconds: this.opts.roundSeconds } : {};
      const asked = budget ? { ...hello, maxBytesPerSecond: budget } : hello;
      if (seat) conn.send({ ...asked, ...rounds, room: seat.room, ticket: seat.ticket });
      else conn.send(this.resumeToken ? { ...asked, resumeToken: this.resumeToken } : { ...asked, ...rounds });
    });
    conn.onClose((code, reason) => {
      const s = this.s;
      if ((s.state !== 'opening' && s.state !== 'open') || s.conn !== conn) return;
      this.bytesInBefore += conn.bytesIn;
      this.bytesOutBefore += conn.bytesOut;
      const own = this.retryOwnClose;
      this.retryOwnClose = false;
      // The player's node cannot be reached (it died?): its token is worth nothing
      // anywhere else, so the next attempt asks where to play instead.
      if (this.opts.seat && s.state === 'opening' && code === CLOSE_ABNORMAL) this.resumeToken = null;
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
    if (
      this.opts.seat && !this.userClosed && this.rematches < MAX_REMATCHES &&
      (code === CloseCode.SeatTicketRefused || code === CloseCode.NodeLeaseLost)
    ) {
      // The seat is stale (ticket refused) or the node gave its rooms up: ask again.
      // A lost node voided our token, and its rooms may live on elsewhere.
      this.resumeToken = null;
      this.rematches++;
      const delayMs = this.rematches === 1 ? 0 : 250 * 2 ** this.rematches;
      const now = this.opts.now();
      this.s = { state: 'waiting', retryAt: now + delayMs };
      this.events.reconnecting({ attempt: this.rematches, delayMs, code, reason });
      // The first one goes now, not at the owner's next update (a bot may not be updating yet).
      if (delayMs === 0 && this.s.state === 'waiting') this.update(now);
      return;
    }
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
