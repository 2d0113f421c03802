/**
 * The WebSocket endpoint: binds uWS's socket events to a ConnectionHandler (the session
 * hub), after the UpgradeGuard admits the connection. A throw from any handler stays
 * with its connection: it is logged and that one socket is closed with 1011, because
 * uWS gives a throwing callback no second chance and the process must go on.
 */
import type { HttpResponse, TemplatedApp, WebSocket } from 'uWebSockets.js';
import type { Logger } from '../logger.ts';
import type { ConnectionHandler } from '../net/transport.ts';
import type { UpgradeGuard } from './upgrade-guard.ts';
import { CloseCode } from '../../protocol/index.ts';

interface SocketData<S> {
  connection: S | null;
  remoteAddress: string;
  /** Counted by the guard (released on close). */
  counted: boolean;
  /** False once either side closed; uWS sockets must not be used after close. */
  open: boolean;
  /** What Transport.cork runs inside ws.cork, and what it threw (see corkFor). */
  corkFn: (() => void) | null;
  corkError: { err: unknown } | null;
}

export interface WebSocketOptions {
  /** Largest frame uWS itself accepts, bytes; bigger ones close the socket outright. */
  maxPayloadLength: number;
  /** uWS drops a socket silent this long, s (0: never). */
  idleTimeoutS: number;
  /** uWS drops sends past this many buffered bytes (the room skips snapshots well before). */
  maxBackpressure: number;
}

export interface WebSocketEndpoint {
  /** Open sockets right now. */
  readonly openSockets: number;
  /** Cut every socket still open (after a polite close had its chance). Returns how many. */
  cutAll(): number;
}

/**
 * The callback a socket hands ws.cork, made once per socket (a tick corks every socket:
 * no closure per call). It must not throw: an exception escaping a uWS callback takes
 * the process down, so it is kept and rethrown once ws.cork has returned.
 */
function corkFor<S>(data: SocketData<S>): () => void {
  return () => {
    try {
      data.corkFn!();
    } catch (err) {
      data.corkError = { err };
    }
  };
}

export function bindWebSocket<S>(
  app: TemplatedApp,
  path: string,
  handler: ConnectionHandler<S>,
  guard: UpgradeGuard,
  opts: WebSocketOptions,
  log: Logger,
): WebSocketEndpoint {
  const sockets = new Set<WebSocket<SocketData<S>>>();

  const refuse = (res: HttpResponse, status: string, why: string, addr: string): void => {
    log.info({ addr, status }, `WebSocket upgrade refused: ${why}`);
    res.cork(() => {
      res.writeStatus(status);
      res.writeHeader('Content-Type', 'text/plain; charset=utf-8');
      res.end(why);
    });
  };

  /** End a socket whose handler threw, if it is still open. */
  const endAfterBug = (ws: WebSocket<SocketData<S>>, data: SocketData<S>): void => {
    if (!data.open) return;
    data.open = false;
    try {
      ws.end(CloseCode.InternalError, 'internal server error');
    } catch {
      // already gone
    }
  };

  /** A handler threw for this socket: let the handler record it, then make sure the socket goes. */
  const contain = (ws: WebSocket<SocketData<S>>, data: SocketData<S>, where: string, err: unknown): void => {
    if (data.connection !== null) {
      try {
        handler.failed(data.connection, err);
      } catch (failedErr) {
        log.error({ err: failedErr, addr: data.remoteAddress }, 'reporting a failed connection threw');
      }
    } else {
      log.error({ err, addr: data.remoteAddress }, `WebSocket ${where} handler threw`);
    }
    endAfterBug(ws, data);
  };

  app.ws<SocketData<S>>(path, {
    maxPayloadLength: opts.maxPayloadLength,
    idleTimeout: opts.idleTimeoutS,
    maxBackpressure: opts.maxBackpressure,
    sendPingsAutomatically: true,
    upgrade: (res, req, context) => {
      let remoteAddress = '';
      try {
        remoteAddress = guard.clientAddress(Buffer.from(res.getRemoteAddressAsText()).toString(), req);
        const refusal = guard.admit(req.getHeader('origin'), remoteAddress);
        if (refusal) return refuse(res, refusal.status, refusal.why, remoteAddress);
        const data: SocketData<S> = { connection: null, open: false, remoteAddress, counted: true, corkFn: null, corkError: null };
        res.upgrade(
          data,
          req.getHeader('sec-websocket-key'),
          req.getHeader('sec-websocket-protocol'),
          req.getHeader('sec-websocket-extensions'),
          context,
        );
      } catch (err) {
        // uWS aborts the process on a request left unanswered: answer it.
        log.error({ err, addr: remoteAddress }, 'WebSocket upgrade handler threw');
        try {
          refuse(res, '500 Internal Server Error', 'internal server error', remoteAddress);
        } catch {
          // answered already
        }
      }
    },
    open: (ws) => {
      sockets.add(ws);
      const data = ws.getUserData();
      data.open = true;
      const corked = corkFor(data);
      try {
        data.connection = handler.open(
          {
            send: (bytes) => {
              if (data.open) ws.send(bytes, true, false);
            },
            close: (code, reason) => {
              if (!data.open) return;
              data.open = false;
              ws.end(code, reason);
            },
            bufferedAmount: () => (data.open ? ws.getBufferedAmount() : 0),
            cork: (fn) => {
              if (!data.open) return fn();
              data.corkFn = fn;
              ws.cork(corked);
              data.corkFn = null;
              const e = data.corkError;
              if (e) {
                data.corkError = null;
                throw e.err;
              }
            },
          },
          data.remoteAddress,
        );
      } catch (err) {
        contain(ws, data, 'open', err);
      }
    },
    message: (ws, message, isBinary) => {
      const data = ws.getUserData();
      const c = data.connection;
      if (c === null) return;
      try {
        // The ArrayBuffer is only valid during this call; decoding copies what it keeps.
        handler.message(c, new Uint8Array(message), isBinary);
      } catch (err) {
        contain(ws, data, 'message', err);
      }
    },
    close: (ws, code, message) => {
      sockets.delete(ws);
      const data = ws.getUserData();
      // uWS forbids touching the socket from here on.
      data.open = false;
      if (data.counted) {
        data.counted = false;
        guard.release(data.remoteAddress);
      }
      const c = data.connection;
      if (c === null) return;
      data.connection = null;
      try {
        handler.closed(c, code, Buffer.from(message).toString());
      } catch (err) {
        log.error({ err, addr: data.remoteAddress, code }, 'WebSocket close handler threw');
      }
    },
  });

  return {
    get openSockets() {
      return sockets.size;
    },
    cutAll: () => {
      const n = sockets.size;
      for (const ws of [...sockets]) {
        try {
          ws.close();
        } catch {
          // already closed
        }
      }
      return n;
    },
  };
}
