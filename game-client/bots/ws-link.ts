/**
 * Connects a LaggySocket to a real `ws` WebSocket. Listening with ws's own `on()` (not
 * its browser-style onmessage) skips an event object and an ArrayBuffer copy per frame:
 * frames reach the client as the Buffer ws decoded, which Connection reads as a view.
 */
import WebSocket from 'ws';
import type { WebSocketCtor } from '../src/net/connection.ts';
import { LaggySocket, type LagOptions } from '../src/net/laggy-socket.ts';

/** Handshake (TCP + HTTP upgrade) longer than this fails with 1006 and "handshake timed out". */
const HANDSHAKE_TIMEOUT_MS = 10_000;

/** Plain-language text for the socket errors a load tester meets. */
export function describeSocketError(err: { code?: string; message?: string }): string {
  switch (err.code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ECONNRESET':
      return 'connection reset';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host not found';
    case 'ETIMEDOUT':
      return 'timed out';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'host unreachable';
    case 'EADDRNOTAVAIL':
      return 'no local port free (too many connections from this machine?)';
    case 'EMFILE':
    case 'ENFILE':
      return 'too many open files (raise ulimit -n)';
    default: {
      // ws: "Unexpected server response: 429" when the upgrade is refused.
      const status = /Unexpected server response: (\d+)/.exec(err.message ?? '')?.[1];
      if (status === '429') return 'refused with HTTP 429: too many connections from this address (start the server with --max-connections-per-ip 0 for load tests)';
      if (status === '403') return 'refused with HTTP 403: this origin is not allowed';
      if (status) return `refused with HTTP ${status}`;
      return err.message || err.code || 'socket error';
    }
  }
}

/** Open a ws connection behind a laggy socket. */
export function openLaggyWebSocket(url: string, lag: LagOptions): LaggySocket {
  const sock = new LaggySocket(lag);
  const ws = new WebSocket(url, { perMessageDeflate: false, handshakeTimeout: HANDSHAKE_TIMEOUT_MS });
  sock.attach(ws);
  ws.on('open', () => sock.handleOpen());
  ws.on('message', (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => {
    const buf = Array.isArray(data) ? Buffer.concat(data) : data instanceof ArrayBuffer ? Buffer.from(data) : data;
    sock.handleMessage(isBinary ? buf : buf.toString('utf8'));
  });
  ws.on('error', (err: Error & { code?: string }) => sock.handleError(describeSocketError(err)));
  ws.on('close', (code: number, reason: Buffer) => sock.handleClose(code, reason.toString('utf8')));
  return sock;
}

/**
 * A WebSocket constructor for GameClient that opens one laggy socket and hands it to
 * `onSocket` (the bot keeps it for byte counts and error text).
 */
export function laggyWebSocketCtor(lag: LagOptions, onSocket: (s: LaggySocket) => void): WebSocketCtor {
  // A constructor that returns an object: `new Ctor(url)` yields that object.
  function Ctor(url: string): LaggySocket {
    const s = openLaggyWebSocket(url, lag);
    onSocket(s);
    return s;
  }
  return Ctor as unknown as WebSocketCtor;
}
