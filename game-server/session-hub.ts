/**
 * Every open connection of a server: it opens sessions, checks each frame (size, rate,
 * shape) before anything acts on it, dispatches messages (Hello to the lobby, inputs and
 * chat to the player's room, pings answered here), ends sessions, and closes those that
 * never said hello. Free of any socket library: a ConnectionHandler over Transports.
 */
import {
  ClientKind,
  CloseCode,
  ProtocolError,
  ServerKind,
  decodeClientMessage,
  encodeServerMessage,
  type ClientMessage,
} from '../protocol/index.ts';
import type { Lobby, PlayerSession } from './lobby.ts';
import type { Logger } from './logger.ts';
import { describeCloseCode } from './net/close-names.ts';
import { Session, newNetTotals, type NetTotals } from './net/session.ts';
import type { ConnectionHandler, Transport } from './net/transport.ts';
import type { Spectators } from './replay/spectators.ts';

export interface HubOptions {
  tickRate: number;
  /** Largest frame accepted, bytes (over it: FrameTooLarge). */
  maxFrameBytes: number;
  /** null: tick rate + 20. */
  maxMessagesPerSecond: number | null;
  /** null: tick rate + 10. */
  maxInputsPerSecond: number | null;
  maxChatPerSecond: number;
  /** A connection must say hello within this many ms. */
  handshakeTimeoutMs: number;
}

export class SessionHub implements ConnectionHandler<PlayerSession> {
  readonly sessions = new Set<PlayerSession>();
  /** Traffic of every session, for /metrics. */
  readonly totals: NetTotals = newNetTotals();
  readonly closesByCode = new Map<number, number>();
  private readonly awaitingHello = new Set<PlayerSession>();
  private nextSessionId = 1;
  /** Spectating (Watch, game-server/replay/spectators.ts): null when off. */
  spectators: Spectators | null = null;

  constructor(
    private readonly lobby: Lobby,
    private readonly opts: HubOptions,
    /** Loop time, ms. */
    private readonly now: () => number,
    private readonly log: Logger,
    /** Told of every close, by code (metrics). */
    private readonly onClose: (code: number) => void = () => {},
  ) {}

  open(transport: Transport, remoteAddress: string): PlayerSession {
    // Inputs at tick rate, pings, and headroom: anything faster is abuse.
    const o = this.opts;
    const perSecond = o.maxMessagesPerSecond ?? o.tickRate + 20;
    const s: PlayerSession = new Session(this.nextSessionId++, remoteAddress, transport, this.now(), perSecond, {
      inputsPerSecond: o.maxInputsPerSecond ?? o.tickRate + 10,
      chatPerSecond: o.maxChatPerSecond,
      totals: this.totals,
    });
    this.sessions.add(s);
    this.awaitingHello.add(s);
    return s;
  }

  /** A frame from a client. Any protocol violation closes only that client. */
  message(s: PlayerSession, bytes: Uint8Array, isBinary: boolean): void {
    if (s.phase === 'closed') return;
    s.received(bytes.byteLength);
    try {
      if (!isBinary) throw new ProtocolError(CloseCode.Malformed, 'text frames are not accepted; send binary MessagePack');
      if (bytes.byteLength > this.opts.maxFrameBytes)
        throw new ProtocolError(CloseCode.FrameTooLarge, `frame of ${bytes.byteLength} bytes exceeds ${this.opts.maxFrameBytes}`);
      if (!s.limiter.take(this.now())) throw new ProtocolError(CloseCode.RateLimited, 'too many messages per second');
      this.dispatch(s, decodeClientMessage(bytes));
    } catch (err) {
      if (err instanceof ProtocolError) s.close(err.code, err.message);
      else this.failed(s, err);
    }
  }

  /** A bug of ours, not the client's fault; still only this client is affected. */
  failed(s: PlayerSession, err: unknown): void {
    this.log.error({ err, session: s.id, addr: s.remoteAddress }, 'internal error handling a client connection');
    s.close(CloseCode.InternalError, 'internal server error');
  }

  closed(s: PlayerSession, code: number, reason: string): void {
    this.sessions.delete(s);
    this.awaitingHello.delete(s);
    const byServer = s.closedByServer;
    s.phase = 'closed';
    this.closesByCode.set(code, (this.closesByCode.get(code) ?? 0) + 1);
    this.onClose(code);
    const roomCode = s.slot?.room.code;
    this.spectators?.left(s);
    const { player: p, kept } = this.lobby.disconnected(s, code);
    this.log.info(
      {
        session: s.id,
        addr: s.remoteAddress,
        code,
        codeName: describeCloseCode(code),
        reason,
        by: byServer !== null ? 'server' : 'client',
        player: p?.id,
        name: p?.name,
        room: roomCode,
        kept,
      },
      kept ? 'disconnect: player kept for resume' : 'disconnect',
    );
  }

  /** Close every connection that has not said hello in time. */
  expireHandshakes(now: number): void {
    if (this.awaitingHello.size === 0) return;
    const limit = this.opts.handshakeTimeoutMs;
    for (const s of this.awaitingHello) {
      if (now - s.openedAt > limit) {
        this.awaitingHello.delete(s);
        s.close(CloseCode.HandshakeTimeout, `no hello within ${limit} ms`);
      }
    }
  }

  /** Close every connection (the server is stopping). */
  closeAll(code: number, reason: string): number {
    const n = this.sessions.size;
    for (const s of [...this.sessions]) s.close(code, reason);
    return n;
  }

  private dispatch(s: PlayerSession, msg: ClientMessage): void {
    switch (msg.kind) {
      case ClientKind.Hello: {
        s.askedBytesPerSecond = msg.maxBytesPerSecond ?? 0;
        const answer = this.lobby.hello(s, msg);
        if (!answer) {
          this.awaitingHello.delete(s);
          return;
        }
        // The directory answers later; the handshake timeout still runs meanwhile.
        answer.then(
          () => {
            if (s.phase === 'playing') this.awaitingHello.delete(s);
          },
          (err: unknown) => {
            if (s.phase === 'closed') return;
            if (err instanceof ProtocolError) s.close(err.code, err.message);
            else this.failed(s, err);
          },
        );
        return;
      }
      case ClientKind.Watch:
        if (!this.spectators) throw new ProtocolError(CloseCode.RoomNotFound, 'spectating is off on this server');
        if (this.lobby.helloPending(s)) throw new ProtocolError(CloseCode.UnexpectedMessage, 'watch while a hello is answered');
        this.spectators.watch(s, msg);
        this.awaitingHello.delete(s);
        return;
      case ClientKind.AllowWatching:
        if (this.spectators?.isSpectator(s)) throw new ProtocolError(CloseCode.SpectatorInput, 'spectators cannot change the room');
        if (s.phase !== 'playing' || !s.slot) throw new ProtocolError(CloseCode.UnexpectedMessage, 'allow-watching before hello');
        if (!this.spectators) return;
        this.spectators.allow(s.slot.room, s.slot.id, msg.allow === 1);
        return;
      case ClientKind.Input:
        if (this.spectators?.isSpectator(s)) throw new ProtocolError(CloseCode.SpectatorInput, 'spectators cannot play: inputs are refused');
        if (s.phase !== 'playing' || !s.slot) throw new ProtocolError(CloseCode.UnexpectedMessage, 'input before hello');
        if (!s.inputLimiter.take(this.now())) throw new ProtocolError(CloseCode.RateLimited, 'too many inputs per second');
        s.slot.inputs.push(msg, this.now());
        if (msg.viewTime !== undefined) s.slot.fireArrivals.set(msg.seq, this.now());
        if (msg.ackTick !== undefined) s.slot.channel.acked(msg.ackTick, this.now());
        return;
      case ClientKind.Viewport:
        s.setViewport(msg.width, msg.height);
        return;
      case ClientKind.Ping:
        // A spectator's clock runs as late as what it is shown.
        s.send(encodeServerMessage({ kind: ServerKind.Pong, clientTime: msg.clientTime, serverTime: this.now() - (this.spectators?.delayFor(s) ?? 0) }));
        return;
      case ClientKind.Chat: {
        if (this.spectators?.isSpectator(s)) throw new ProtocolError(CloseCode.SpectatorInput, 'spectators cannot chat in the match');
        if (s.phase !== 'playing' || !s.slot) throw new ProtocolError(CloseCode.UnexpectedMessage, 'chat before hello');
        const room = s.slot.room;
        // Over the chat rate the line is dropped and the sender told, not disconnected:
        // an eager typist is not an attacker (the message limiter stops floods).
        if (s.chatLimiter.take(this.now())) room.chat(s.slot, msg.text);
        else room.chatRefused(s.slot);
        return;
      }
    }
  }
}
