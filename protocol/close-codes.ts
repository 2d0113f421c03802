/**
 * WebSocket close codes the server uses, with the reason text sent alongside.
 * 4000-4999 is the range RFC 6455 leaves to applications. Documented in protocol/README.md.
 */
export const CloseCode = {
  /** Normal closure (client left, or server shutting a room down cleanly). */
  Normal: 1000,
  /** hello.version differs from the server's PROTOCOL_VERSION. */
  VersionMismatch: 4000,
  /** The frame is not a valid message: not MessagePack, wrong shape, type or range. */
  Malformed: 4001,
  /** A valid message at the wrong moment (input before hello, a second hello, ...). */
  UnexpectedMessage: 4002,
  /** The requested room has no free seat. */
  RoomFull: 4003,
  /** A room code was given and no such room exists. */
  RoomNotFound: 4004,
  /** The frame is larger than MAX_CLIENT_FRAME_BYTES. */
  FrameTooLarge: 4005,
  /** The client sends messages faster than the documented rates allow. */
  RateLimited: 4006,
  /** No hello within the handshake timeout. */
  HandshakeTimeout: 4007,
  /** The client stopped reading; its send buffer stayed over the hard limit. */
  SlowConsumer: 4008,
  /** The server has no capacity for another connection or room. */
  ServerFull: 4009,
  /** The server is shutting down or restarting; reconnecting later is expected to work. */
  ServerShutdown: 4010,
  /** Hello carried a resume token the server does not accept: unknown, expired, or in use. */
  ResumeRefused: 4011,
  // Cluster matchmaking (issue 11): a client that gets one of these asks /api/seat again.
  /** Hello's seat ticket is unknown, expired, already used, or for another node or room: rematch. */
  SeatTicketRefused: 4012,
  /** This node stalled past its directory lease and closed its rooms (their codes may live elsewhere now): rematch. */
  NodeLeaseLost: 4013,
  /** The request needs the shared room directory (Redis) and it is unreachable; running matches are unaffected. */
  DirectoryUnavailable: 4014,
  /** A spectator (Watch) sent an Input or a Chat: spectators cannot change the match. */
  SpectatorInput: 4015,
  /**
   * RFC 6455's internal error: a bug on the server's side, not the client's. A handler
   * threw on this connection, or the room's tick failed and the room was closed; only
   * that connection or room is affected, and joining again is expected to work.
   */
  InternalError: 1011,
} as const;

export type CloseCodeValue = (typeof CloseCode)[keyof typeof CloseCode];

const names = new Map<number, string>(Object.entries(CloseCode).map(([k, v]) => [v, k]));

/** Human-readable name of a close code, for logs and the client's "connection lost" text. */
export function closeCodeName(code: number): string {
  return names.get(code) ?? `code ${code}`;
}
