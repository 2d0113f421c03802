/**
 * The chaos suite's nodes: real `game-server/main.ts` processes (not createServer in the
 * test's process), because what is tested is what a process does when it is killed,
 * frozen or thawed, and a test cannot SIGSTOP a part of itself. Each node gets a free
 * port chosen here, so its --public-url is known before it starts, and is read ready from
 * the "listening:" line it prints. Its JSON log lines are kept for assertions.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { freePort } from '../../../scripts/free-port.ts';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/**
 * Resolve with check()'s first truthy value, polling every intervalMs (check may be
 * async: an HTTP request); reject after timeoutMs naming what was awaited and the last
 * value or error seen, so a failure says how far it got.
 */
export async function waitUntil<T>(
  check: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  what: string,
  timeoutMs = 10_000,
  intervalMs = 25,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown = undefined;
  for (;;) {
    try {
      const v = await check();
      if (v) return v;
      last = v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      const seen = last instanceof Error ? last.message : JSON.stringify(last);
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${seen})`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export interface NodeOptions {
  /** redis://127.0.0.1:PORT; omitted: the node runs on its in-memory directory. */
  redisUrl?: string;
  nodeId?: string;
  /** Default ws://127.0.0.1:PORT (the node itself); a proxy test names the proxy's path. */
  publicUrl?: string;
  /** More server flags (--max-players 8, a lease setting ...); --log-level info at least: the "listening:" line is info. */
  flags?: string[];
  /** Give up on a node that has not printed its URL after this long, ms. */
  startTimeoutMs?: number;
}

export type LogRecord = Record<string, unknown> & { msg?: string };

export class NodeProcess {
  readonly logs: LogRecord[] = [];
  /** stderr and non-JSON stdout, for failure messages. */
  output = '';
  exitCode: number | null = null;
  exitSignal: NodeJS.Signals | null = null;
  paused = false;
  readonly exited: Promise<void>;

  private constructor(
    readonly proc: ChildProcess,
    readonly port: number,
    readonly nodeId: string | undefined,
  ) {
    this.exited = new Promise((resolve) =>
      proc.once('exit', (code, signal) => {
        this.exitCode = code;
        this.exitSignal = signal;
        resolve();
      }),
    );
  }

  get pid(): number {
    return this.proc.pid!;
  }

  get alive(): boolean {
    return this.exitCode === null && this.exitSignal === null;
  }

  /** http://127.0.0.1:PORT, for /healthz, /api/*. */
  get httpUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** What the node announces to the directory (--public-url). */
  get publicUrl(): string {
    return `ws://127.0.0.1:${this.port}`;
  }

  /** Start a node and resolve once it listens. */
  static async start(opts: NodeOptions = {}): Promise<NodeProcess> {
    const port = await freePort();
    const args = [
      '--import', 'tsx', join(root, 'game-server', 'main.ts'),
      '--port', String(port), '--host', '127.0.0.1',
      // Every test client comes from 127.0.0.1.
      '--max-connections-per-ip', '0',
      '--log-format', 'json', '--log-level', 'debug',
    ];
    if (opts.redisUrl) args.push('--redis', opts.redisUrl, '--public-url', opts.publicUrl ?? `ws://127.0.0.1:${port}`);
    if (opts.nodeId) args.push('--node-id', opts.nodeId);
    args.push(...(opts.flags ?? []));
    const proc = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    const node = new NodeProcess(proc, port, opts.nodeId);
    let listening = false;
    let pending = '';
    proc.stdout!.setEncoding('utf8');
    proc.stdout!.on('data', (chunk: string) => {
      pending += chunk;
      let nl;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        node.take(line);
        if (!listening && line.includes('listening: http')) listening = true;
      }
    });
    proc.stderr!.setEncoding('utf8');
    proc.stderr!.on('data', (chunk: string) => (node.output += chunk));
    const timeoutMs = opts.startTimeoutMs ?? 30_000;
    try {
      await waitUntil(
        () => {
          if (!node.alive) throw new Error(`node exited (${node.exitCode ?? node.exitSignal}) before listening: ${node.output}`);
          return listening;
        },
        `node on port ${port} to listen`,
        timeoutMs,
        20,
      );
    } catch (err) {
      proc.kill('SIGKILL');
      throw err;
    }
    return node;
  }

  private take(line: string): void {
    if (line.trim() === '') return;
    try {
      this.logs.push(JSON.parse(line) as LogRecord);
    } catch {
      this.output += `${line}\n`;
    }
  }

  /** Log records whose message contains `text`. */
  logged(text: string): LogRecord[] {
    return this.logs.filter((r) => typeof r.msg === 'string' && r.msg.includes(text));
  }

  /** Send a signal; SIGKILL/SIGTERM/SIGINT resolve once the process is gone. */
  async signal(sig: NodeJS.Signals): Promise<void> {
    if (!this.alive) return;
    if (sig === 'SIGSTOP') this.paused = true;
    if (sig === 'SIGCONT') this.paused = false;
    this.proc.kill(sig);
    if (sig === 'SIGKILL' || sig === 'SIGTERM' || sig === 'SIGINT') await this.exited;
  }

  kill9(): Promise<void> {
    return this.signal('SIGKILL');
  }

  /** Freeze the process (SIGSTOP): its sockets stay open, nothing runs, no lease refresh. */
  pause(): Promise<void> {
    return this.signal('SIGSTOP');
  }

  thaw(): Promise<void> {
    return this.signal('SIGCONT');
  }

  /** Whatever state it is in, make it gone (tests' cleanup). */
  async stop(): Promise<void> {
    if (!this.alive) return;
    if (this.paused) this.proc.kill('SIGCONT');
    this.proc.kill('SIGKILL');
    await this.exited;
  }

  async get<T = unknown>(path: string): Promise<T> {
    const r = await fetch(`${this.httpUrl}${path}`, { signal: AbortSignal.timeout(3000) });
    if (!r.ok) throw new Error(`GET ${path} on port ${this.port}: HTTP ${r.status} ${await r.text()}`);
    return (await r.json()) as T;
  }

  /** POST JSON; resolves with the status and the parsed body (errors are answers too). */
  async post<T = unknown>(path: string, body: unknown): Promise<{ status: number; body: T }> {
    const r = await fetch(`${this.httpUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(5000),
    });
    return { status: r.status, body: (await r.json()) as T };
  }
}

/**
 * Nodes a test file starts, all made gone by stopAll() (call it in afterEach/afterAll),
 * frozen ones included, so a failed test never leaves a process behind.
 */
export class NodeFleet {
  readonly nodes: NodeProcess[] = [];

  async start(opts: NodeOptions = {}): Promise<NodeProcess> {
    const n = await NodeProcess.start(opts);
    this.nodes.push(n);
    return n;
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.nodes.splice(0).map((n) => n.stop()));
  }
}
