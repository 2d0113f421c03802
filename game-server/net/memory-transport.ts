/**
 * An in-process stand-in for a socket: drives a ConnectionHandler (the session hub) the
 * way the uWS binding does, with no network. Unit tests read what the server sent and
 * play the client's part; the tick benchmark counts bytes on it.
 */
import { decodeServerMessage, type ServerMessage } from '../../protocol/index.ts';
import type { ConnectionHandler, Transport } from './transport.ts';

export interface MemoryTransportOptions {
  /** Keep a copy of every frame sent (tests); off, only bytes and frames are counted (bench). */
  keepFrames?: boolean;
}

/** The server's side: what the handler sends into and closes. */
export class MemoryTransport implements Transport {
  /** Copies of the frames sent, oldest first (when kept). */
  readonly frames: Uint8Array[] = [];
  bytesSent = 0;
  framesSent = 0;
  /** Writes to the network: a send outside a cork is one, a cork with sends in it is one. */
  writes = 0;
  /** For each kept frame, the write (0, 1, ...) it left in: frames of one cork share it. */
  readonly writeOf: number[] = [];
  private corkDepth = 0;
  /** What bufferedAmount() reports: set it to play a client that is not reading. */
  buffered = 0;
  /** How it closed, by whichever side; null while open. */
  closed: { code: number; reason: string } | null = null;
  /** Called once on close, by whichever side (connectMemory points it at the handler). */
  onClose: ((code: number, reason: string) => void) | null = null;
  private readonly keep: boolean;

  constructor(opts: MemoryTransportOptions = {}) {
    this.keep = opts.keepFrames ?? true;
  }

  send(bytes: Uint8Array): void {
    if (this.closed) return;
    this.bytesSent += bytes.byteLength;
    this.framesSent++;
    // The sender may reuse its buffer once this returns, as a socket would copy it.
    if (this.keep) {
      this.frames.push(bytes.slice());
      this.writeOf.push(this.writes);
    }
    if (this.corkDepth === 0) this.writes++;
  }

  cork(fn: () => void): void {
    const before = this.framesSent;
    this.corkDepth++;
    try {
      fn();
    } finally {
      // As uWS: the corked sends leave together when the outermost cork ends.
      if (--this.corkDepth === 0 && this.framesSent > before) this.writes++;
    }
  }

  close(code: number, reason: string): void {
    this.end(code, reason);
  }

  bufferedAmount(): number {
    return this.buffered;
  }

  /** Both directions are gone: reported once, at once (as uWS's end() does). */
  end(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = { code, reason };
    this.onClose?.(code, reason);
  }

  /** The frames sent, decoded. */
  messages(): ServerMessage[] {
    return this.frames.map((f) => decodeServerMessage(f));
  }
}

/** The client's side of one memory connection, bound to a handler. */
export class MemoryConnection<S> {
  readonly transport: MemoryTransport;
  readonly connection: S;

  constructor(
    private readonly handler: ConnectionHandler<S>,
    remoteAddress = 'memory',
    opts: MemoryTransportOptions = {},
  ) {
    const t = new MemoryTransport(opts);
    this.transport = t;
    this.connection = handler.open(t, remoteAddress);
    t.onClose = (code, reason) => handler.closed(this.connection, code, reason);
  }

  /** A frame from the client (a copy: the handler may only use it during the call). */
  send(bytes: Uint8Array, isBinary = true): void {
    if (this.transport.closed) return;
    try {
      this.handler.message(this.connection, bytes.slice(), isBinary);
    } catch (err) {
      // What the socket binding does with a handler that throws.
      this.handler.failed(this.connection, err);
      this.transport.end(1011, 'internal server error');
    }
  }

  /** The client closes: 1000 when it leaves on purpose. */
  close(code = 1000, reason = ''): void {
    this.transport.end(code, reason);
  }

  /** The network drops: no close frame (1006), as a lost connection is seen. */
  drop(): void {
    this.transport.end(1006, '');
  }

  get closed(): { code: number; reason: string } | null {
    return this.transport.closed;
  }

  messages(): ServerMessage[] {
    return this.transport.messages();
  }
}

export function connectMemory<S>(
  handler: ConnectionHandler<S>,
  remoteAddress?: string,
  opts?: MemoryTransportOptions,
): MemoryConnection<S> {
  return new MemoryConnection(handler, remoteAddress, opts);
}
