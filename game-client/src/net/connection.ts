/**
 * The only place that touches a WebSocket. It turns frames into ServerMessages and
 * ClientMessages into frames, counts bytes, and reports exactly one close. Everything
 * above it (GameClient, bots, tests) works with messages and can run on a fake socket.
 */
import {
  CloseCode,
  ProtocolError,
  decodeServerMessage,
  encodeClientMessage,
  type ClientMessage,
  type ServerMessage,
} from '../../../protocol/index.ts';

/**
 * The subset of the WebSocket API used here. The browser's WebSocket and the `ws`
 * package's WebSocket both fit it. Handler parameters are `any` because the two
 * declare incompatible event types; the handlers below only read `data`, `code`
 * and `reason`.
 */
export interface WebSocketLike {
  binaryType: string;
  readonly readyState: number;
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: any) => void) | null;
  onmessage: ((ev: any) => void) | null;
  onclose: ((ev: any) => void) | null;
  onerror: ((ev: any) => void) | null;
}

export type WebSocketCtor = new (url: string) => WebSocketLike;

const OPEN = 1;
/** Close reasons are limited to 123 UTF-8 bytes by RFC 6455; keep well under. */
const MAX_REASON_CHARS = 100;

type Listener<A extends unknown[]> = (...args: A) => void;

/** Close code used when the *client* closes because it lost the socket without a code. */
export const CLOSE_ABNORMAL = 1006;

export class Connection {
  /** Payload bytes received / sent since creation (WebSocket framing not included). */
  bytesIn = 0;
  bytesOut = 0;
  messagesIn = 0;
  messagesOut = 0;

  private readonly ws: WebSocketLike;
  private closed = false;
  private readonly openListeners: Listener<[]>[] = [];
  private readonly messageListeners: Listener<[ServerMessage]>[] = [];
  private readonly closeListeners: Listener<[number, string]>[] = [];

  constructor(url: string, WebSocketImpl: WebSocketCtor) {
    const ws = new WebSocketImpl(url);
    this.ws = ws;
    ws.binaryType = 'arraybuffer';
    ws.onopen = () => {
      if (!this.closed) for (const l of this.openListeners) l();
    };
    ws.onmessage = (ev: { data: unknown }) => this.receive(ev.data);
    ws.onclose = (ev: { code?: number; reason?: string }) =>
      this.finish(ev.code ?? CLOSE_ABNORMAL, ev.reason ?? '');
    // The close event follows every error event and carries the code; this handler
    // exists because `ws` throws on an 'error' event nobody listens to.
    ws.onerror = () => {};
  }

  get isOpen(): boolean {
    return !this.closed && this.ws.readyState === OPEN;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  onOpen(l: () => void): () => void {
    return subscribe(this.openListeners, l);
  }

  onMessage(l: (msg: ServerMessage) => void): () => void {
    return subscribe(this.messageListeners, l);
  }

  /** Called exactly once, whether the server, the network or this side closed. */
  onClose(l: (code: number, reason: string) => void): () => void {
    return subscribe(this.closeListeners, l);
  }

  /** Returns false (and sends nothing) when the socket is not open. */
  send(msg: ClientMessage): boolean {
    if (!this.isOpen) return false;
    const bytes = encodeClientMessage(msg);
    this.ws.send(bytes);
    this.bytesOut += bytes.byteLength;
    this.messagesOut++;
    return true;
  }

  close(code: number = CloseCode.Normal, reason = 'client closed'): void {
    if (this.closed) return;
    const r = reason.length > MAX_REASON_CHARS ? reason.slice(0, MAX_REASON_CHARS) : reason;
    try {
      this.ws.close(code, r);
    } catch {
      // A socket still connecting may refuse close(code) in some runtimes; it is
      // abandoned either way and this side reports the close below.
    }
    this.finish(code, r);
  }

  private receive(data: unknown): void {
    if (this.closed) return;
    let bytes: Uint8Array;
    if (data instanceof ArrayBuffer) bytes = new Uint8Array(data);
    else if (ArrayBuffer.isView(data)) bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    else {
      this.close(CloseCode.Malformed, 'server sent a text frame; the protocol is binary');
      return;
    }
    this.bytesIn += bytes.byteLength;
    this.messagesIn++;
    let msg: ServerMessage;
    try {
      msg = decodeServerMessage(bytes);
    } catch (err) {
      // A bad frame ends the session with a reason instead of throwing into the
      // socket's event loop, where nobody could report it.
      const why = err instanceof ProtocolError || err instanceof Error ? err.message : String(err);
      this.close(CloseCode.Malformed, `bad server frame: ${why}`);
      return;
    }
    for (const l of this.messageListeners) {
      l(msg);
      if (this.closed) return;
    }
  }

  private finish(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    const ws = this.ws;
    ws.onopen = null;
    ws.onmessage = null;
    ws.onclose = null;
    // onerror stays: `ws` may still emit a late error on a socket being torn down.
    for (const l of this.closeListeners) l(code, reason);
  }
}

function subscribe<F>(list: F[], l: F): () => void {
  list.push(l);
  return () => {
    const i = list.indexOf(l);
    if (i >= 0) list.splice(i, 1);
  };
}
