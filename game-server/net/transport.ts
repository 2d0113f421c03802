/**
 * The seam between a socket library and the game: the server core sees a connection as
 * a Transport (plain functions) and is driven through a ConnectionHandler. uWS is bound
 * to it in http/websocket.ts; tests and the bench bind net/memory-transport.ts instead.
 */

export interface Transport {
  /** bytes may be a reused buffer: it is only valid during the call (uWS copies it). */
  send(bytes: Uint8Array): void;
  /**
   * Close with a code and reason. Like uWS's end(), this reports the close to the
   * ConnectionHandler before it returns.
   */
  close(code: number, reason: string): void;
  /** Bytes queued in the socket and not yet written to the network. */
  bufferedAmount(): number;
  /**
   * Run fn with this connection's sends gathered into one write to the network (uWS's
   * cork): a tick's frames for one client then cost one syscall instead of one each.
   * Sends outside a cork go out one by one. fn runs (once) even on a closed transport.
   */
  cork(fn: () => void): void;
}

/** What a transport binding drives: one call per connection event. */
export interface ConnectionHandler<S> {
  open(transport: Transport, remoteAddress: string): S;
  /** A frame; the bytes are only valid during the call. */
  message(connection: S, bytes: Uint8Array, isBinary: boolean): void;
  /** The transport is gone, closed by either side; called once per connection. */
  closed(connection: S, code: number, reason: string): void;
  /**
   * A handler above threw for this connection (a bug of ours): record it and close this
   * connection alone (1011). The binding closes the socket itself if this throws too.
   */
  failed(connection: S, err: unknown): void;
}
