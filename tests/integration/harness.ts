/**
 * Integration helpers: a real server on an ephemeral port and real `ws` clients that
 * collect every decoded message, with waits that time out instead of sleeping.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import WebSocket from 'ws';
import {
  ClientKind,
  POS_SCALE,
  PROTOCOL_VERSION,
  REMOTE_POS_SCALE,
  SnapshotDecoder,
  VEL_SCALE,
  ServerKind,
  decodeServerMessage,
  encodeClientMessage,
  type ClientMessage,
  type ResolvedSnapshot,
  type ServerMessage,
  type SnapshotMsg,
  type WelcomeMsg,
} from '../../protocol/index.ts';
import { createServer, type DustupServer } from '../../game-server/server.ts';
import type { ServerConfig } from '../../game-server/config.ts';
import { silentLogger } from '../../game-server/logger.ts';

const repoRoot = join(import.meta.dirname, '..', '..');

export async function startServer(overrides: Partial<ServerConfig> = {}): Promise<DustupServer> {
  return createServer({ port: 0, host: '127.0.0.1', logger: silentLogger(), processMetrics: false, ...overrides });
}

/** Resolve when check() returns a truthy value; reject after timeoutMs with what. */
export async function waitFor<T>(check: () => T | undefined | null | false, what: string, timeoutMs = 3000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  return new Promise<T>((resolve, reject) => {
    const poll = (): void => {
      let v: T | undefined | null | false;
      try {
        v = check();
      } catch (err) {
        reject(err as Error);
        return;
      }
      if (v) resolve(v);
      else if (Date.now() > deadline) reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      else setTimeout(poll, 5);
    };
    poll();
  });
}

export class TestClient {
  readonly ws: WebSocket;
  readonly messages: ServerMessage[] = [];
  /** Every snapshot, applied to this client's view (remote players resolved, own exact). */
  readonly resolved: ResolvedSnapshot[] = [];
  private decoder: SnapshotDecoder | null = null;
  /** Arrival time (Date.now) of each snapshot, parallel to snapshots(). */
  readonly snapshotArrivals: number[] = [];
  closeCode: number | null = null;
  closeReason = '';
  private opened: Promise<void>;

  /** `port` on 127.0.0.1, or a whole ws:// URL (a seat answer's). */
  constructor(port: number | string, path = '/ws', wsOptions?: WebSocket.ClientOptions) {
    this.ws = new WebSocket(typeof port === 'string' ? port : `ws://127.0.0.1:${port}${path}`, wsOptions);
    this.ws.binaryType = 'arraybuffer';
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
    });
    this.ws.on('message', (data: ArrayBuffer) => {
      const msg = decodeServerMessage(new Uint8Array(data));
      this.messages.push(msg);
      if (msg.kind === ServerKind.Welcome)
        this.decoder = new SnapshotDecoder(POS_SCALE / REMOTE_POS_SCALE, (VEL_SCALE / REMOTE_POS_SCALE) * msg.snapshotRate);
      if (msg.kind === ServerKind.Snapshot) {
        this.snapshotArrivals.push(Date.now());
        this.decoder!.apply(msg.tick, msg.baseTick, msg.view, msg.blocks);
        const entities = this.decoder!.entities();
        this.resolved.push({ tick: msg.tick, serverTime: msg.serverTime, ackSeq: msg.ackSeq, entities });
      }
    });
    this.ws.on('close', (code, reason) => {
      this.closeCode = code;
      this.closeReason = reason.toString();
    });
  }

  open(): Promise<void> {
    return this.opened;
  }

  send(msg: ClientMessage): void {
    this.ws.send(encodeClientMessage(msg));
  }

  sendRaw(bytes: Uint8Array | string): void {
    this.ws.send(bytes);
  }

  async join(name: string, room = ''): Promise<WelcomeMsg> {
    await this.open();
    this.send({ kind: ClientKind.Hello, version: PROTOCOL_VERSION, name, room });
    return waitFor(() => this.welcome(), `welcome for ${name}`);
  }

  welcome(): WelcomeMsg | undefined {
    return this.messages.find((m): m is WelcomeMsg => m.kind === ServerKind.Welcome);
  }

  snapshots(): SnapshotMsg[] {
    return this.messages.filter((m): m is SnapshotMsg => m.kind === ServerKind.Snapshot);
  }

  lastSnapshot(): SnapshotMsg | undefined {
    const s = this.snapshots();
    return s[s.length - 1];
  }

  lastResolved(): ResolvedSnapshot | undefined {
    return this.resolved[this.resolved.length - 1];
  }

  closed(timeoutMs = 3000): Promise<{ code: number; reason: string }> {
    return waitFor(
      () => (this.closeCode !== null ? { code: this.closeCode, reason: this.closeReason } : null),
      'the socket to close',
      timeoutMs,
    );
  }

  /** Leave on purpose (1000): the server removes the player at once. */
  close(): void {
    this.ws.close(1000, 'test done');
  }

  /** Lose the connection (no close frame, like a network drop): the server keeps the player. */
  drop(): void {
    this.ws.terminate();
  }
}

/**
 * A fresh server per test and the clients the test opens: after each test every client
 * is cut and the server closed. Call once at the top of a test file.
 */
export function perTestServer(): {
  start(overrides?: Partial<ServerConfig>): Promise<DustupServer>;
  client(wsOptions?: WebSocket.ClientOptions): TestClient;
  /** Also run this after each test (before the server closes). */
  onCleanup(fn: () => void): void;
} {
  let server: DustupServer | null = null;
  const clients: TestClient[] = [];
  const cleanups: (() => void)[] = [];
  afterEach(async () => {
    for (const fn of cleanups) fn();
    for (const c of clients.splice(0)) c.ws.terminate();
    await server?.close();
    server = null;
  });
  return {
    start: async (overrides = {}) => (server = await startServer(overrides)),
    client: (wsOptions) => {
      if (!server) throw new Error('start() the server first');
      const c = new TestClient(server.port, '/ws', wsOptions);
      clients.push(c);
      return c;
    },
    onCleanup: (fn) => void cleanups.push(fn),
  };
}

/**
 * Run the server's command line (game-server/main.ts) to its exit, for flags it must
 * refuse: its exit code and everything it printed. Killed after 15 s.
 */
export function runMain(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'game-server', 'main.ts'), ...args], {
      cwd: repoRoot,
      env: { ...process.env, ...env },
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const kill = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.on('exit', (code) => {
      clearTimeout(kill);
      resolve({ code, out });
    });
  });
}
