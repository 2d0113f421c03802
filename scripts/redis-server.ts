/**
 * A real redis-server on a free loopback port, for the tests and for `npm run cluster`.
 * No npm package ships a Redis server, so the installed binary is the one prerequisite:
 * when it is missing this throws an Error naming the install line (tests fail with it,
 * they never skip). The server keeps nothing on disk (`--save '' --appendonly no`), so a
 * restart on the same port is an empty Redis, which is exactly what the chaos test wants
 * ("Redis killed and restarted: the directory is rebuilt").
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { freePort } from './free-port.ts';
import { delimiter, join } from 'node:path';

export const REDIS_INSTALL = 'Debian/Ubuntu: sudo apt-get install -y redis-server; macOS: brew install redis';

const KNOWN_PATHS = ['/usr/bin/redis-server', '/usr/local/bin/redis-server', '/opt/homebrew/bin/redis-server'];

/** The redis-server binary: a known install path, else the first one on PATH. */
export function findRedisServer(searchPath = process.env['PATH'] ?? '', known: readonly string[] = KNOWN_PATHS): string {
  const onPath = searchPath.split(delimiter).filter(Boolean).map((d) => join(d, 'redis-server'));
  const found = [...known, ...onPath].find((p) => existsSync(p));
  if (found === undefined) throw new Error(`redis-server is not installed (needed for the cluster directory and its tests): ${REDIS_INSTALL}`);
  return found;
}

export interface LocalRedis {
  readonly port: number;
  /** redis://127.0.0.1:PORT */
  readonly url: string;
  /** Whether the process is up (false between kill() and restart()). */
  readonly running: boolean;
  readonly pid: number | undefined;
  /** Kill the process (default SIGKILL: a crash, nothing flushed) and wait for it to exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Start it again on the same port (empty: nothing is persisted) and wait for PING. */
  restart(): Promise<void>;
  /** Stop for good (SIGTERM, then SIGKILL after 2 s). Safe to call twice. */
  stop(): Promise<void>;
}

export interface RedisServerOptions {
  /** 0 or absent: a free port. */
  port?: number;
  /** The binary; default findRedisServer(). */
  bin?: string;
  /** How long to wait for the first PONG. */
  startTimeoutMs?: number;
}

/** One inline PING over a fresh TCP connection: true on +PONG. */
export function pingRedis(port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect(port, '127.0.0.1');
    let reply = '';
    const done = (ok: boolean): void => {
      clearTimeout(timer);
      sock.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    sock.on('connect', () => sock.write('PING\r\n'));
    sock.on('data', (d) => {
      reply += d.toString('latin1');
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
    sock.on('error', () => done(false));
  });
}

function waitExit(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Start redis-server and resolve once it answers PING. */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<LocalRedis> {
  const bin = options.bin ?? findRedisServer();
  const timeoutMs = options.startTimeoutMs ?? 10_000;
  let port = options.port ?? 0;
  let child: ChildProcess | null = null;
  let output = '';
  let stopped = false;

  const launch = async (): Promise<void> => {
    output = '';
    const proc = spawn(bin, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'no'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = proc;
    proc.stdout!.on('data', (d) => (output = (output + d).slice(-4000)));
    proc.stderr!.on('data', (d) => (output = (output + d).slice(-4000)));
    let failed: Error | null = null;
    proc.once('error', (e) => (failed = e));
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (failed) throw new Error(`redis-server (${bin}) failed to start: ${(failed as Error).message}`);
      if (proc.exitCode !== null || proc.signalCode !== null) {
        throw new Error(`redis-server exited (${proc.exitCode ?? proc.signalCode}) on port ${port}: ${output.trim()}`);
      }
      if (await pingRedis(port, 300)) return;
      if (Date.now() > deadline) {
        proc.kill('SIGKILL');
        throw new Error(`redis-server did not answer PING on port ${port} within ${timeoutMs} ms: ${output.trim()}`);
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  };

  // A free port can be taken between the probe and redis's bind: try a few.
  const fixed = port !== 0;
  for (let attempt = 0; ; attempt++) {
    if (!fixed) port = await freePort();
    try {
      await launch();
      break;
    } catch (e) {
      if (fixed || attempt >= 4) throw e;
    }
  }

  // Don't leave a redis-server behind when the test process dies.
  const onExit = (): void => void child?.kill('SIGKILL');
  process.once('exit', onExit);

  const handle: LocalRedis = {
    get port() {
      return port;
    },
    get url() {
      return `redis://127.0.0.1:${port}`;
    },
    get running() {
      const c = child;
      return c !== null && c.exitCode === null && c.signalCode === null;
    },
    get pid() {
      return child?.pid;
    },
    async kill(signal: NodeJS.Signals = 'SIGKILL') {
      const c = child;
      if (!c) return;
      c.kill(signal);
      await waitExit(c);
    },
    async restart() {
      if (stopped) throw new Error('redis-server was stopped for good');
      await handle.kill('SIGKILL');
      await launch();
    },
    async stop() {
      stopped = true;
      process.removeListener('exit', onExit);
      const c = child;
      if (!c || c.exitCode !== null || c.signalCode !== null) return;
      const force = setTimeout(() => c.kill('SIGKILL'), 2000);
      c.kill('SIGTERM');
      await waitExit(c);
      clearTimeout(force);
    },
  };
  return handle;
}
