/**
 * `npm run cluster -- --nodes N [--redis URL] [--port P]`: N Dustup nodes on consecutive
 * ports of this machine, sharing one Redis room directory; a local redis-server on a
 * free port when no --redis is given. Every node is a real `npm start` (scripts/start.mjs:
 * the built client is served, and built first if it is stale), its logs forwarded with
 * a [nK] prefix. Ctrl-C or SIGTERM stops every node (SIGTERM: each drains its players
 * with 4010) and then the Redis this command started. A node that dies is reported; the
 * others keep running, and the command exits 1 when none is left.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { REDIS_INSTALL, findRedisServer, startRedisServer, type LocalRedis } from './redis-server.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

const HELP = `dustup cluster: N game nodes on consecutive ports, one Redis room directory

Usage: npm run cluster -- [options] [-- node options]

Options:
  --nodes N           how many nodes (default 2, at most 64)
  --port P            first node's port; node K listens on P+K-1 (default 8080)
  --redis URL         the directory's Redis (redis://HOST:PORT); default: start a local
                      redis-server on a free port (it keeps nothing on disk) and stop it on exit
  --public-host NAME  host name in each node's --public-url, the address players' browsers
                      reach the nodes at (default localhost)
  --host ADDR         address the nodes bind (default 0.0.0.0)
  -h, --help          show this help

Everything after a bare -- goes to every node (npm start -- --help lists them), e.g.
  npm run cluster -- --nodes 3 -- --max-players 16 --log-level debug

The nodes' ids are n1..nN; each node's --public-url is ws://PUBLIC-HOST:PORT.
Ctrl-C stops them all.`;

/** Node processes get this long to drain after SIGTERM before they are killed. */
const STOP_GRACE_MS = 8000;

function fail(message: string): never {
  console.error(`dustup-cluster: ${message}`);
  process.exit(2);
}

export interface ClusterArgs {
  nodes: number;
  port: number;
  redis: string | null;
  publicHost: string;
  host: string;
  nodeArgs: string[];
}

export function parseClusterArgs(argv: string[]): ClusterArgs | 'help' {
  const dash = argv.indexOf('--');
  const own = dash >= 0 ? argv.slice(0, dash) : argv;
  const nodeArgs = dash >= 0 ? argv.slice(dash + 1) : [];
  let values;
  try {
    ({ values } = parseArgs({
      args: own,
      options: {
        nodes: { type: 'string' },
        port: { type: 'string' },
        redis: { type: 'string' },
        'public-host': { type: 'string' },
        host: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    fail(`${(err as Error).message}\nRun with --help for the options.`);
  }
  if (values.help) return 'help';
  const nodes = Number(values.nodes ?? '2');
  if (!Number.isInteger(nodes) || nodes < 1 || nodes > 64) fail(`--nodes must be 1..64, got "${values.nodes}"`);
  const port = Number(values.port ?? '8080');
  if (!Number.isInteger(port) || port < 1 || port + nodes - 1 > 65535) fail(`--port must leave room for ${nodes} ports below 65536, got "${values.port}"`);
  const redis = values.redis ?? null;
  if (redis !== null && !/^rediss?:\/\/./.test(redis)) fail(`--redis takes a URL like redis://127.0.0.1:6379, got "${redis}"`);
  for (const taken of ['--port', '--redis', '--public-url', '--node-id'])
    if (nodeArgs.some((a) => a === taken || a.startsWith(`${taken}=`))) fail(`${taken} is set by the cluster for each node; do not pass it after --`);
  return { nodes, port, redis, publicHost: values['public-host'] ?? 'localhost', host: values.host ?? '0.0.0.0', nodeArgs };
}

interface RunningNode {
  id: string;
  port: number;
  proc: ChildProcess;
  /** Resolves when it printed its "listening:" line; rejects when it exits first. */
  ready: Promise<void>;
  gone: boolean;
}

/** Forward a stream line by line with a prefix (a partial last line waits for its end). */
function forward(stream: NodeJS.ReadableStream, prefix: string, out: NodeJS.WriteStream, onLine?: (line: string) => void): void {
  let pending = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    pending += chunk;
    let nl;
    while ((nl = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      out.write(`${prefix}${line}\n`);
      onLine?.(line);
    }
  });
  stream.on('end', () => {
    if (pending !== '') out.write(`${prefix}${pending}\n`);
  });
}

function startNode(k: number, args: ClusterArgs, redisUrl: string, onExit: (n: RunningNode, how: string) => void): RunningNode {
  const id = `n${k}`;
  const port = args.port + k - 1;
  const flags = [
    '--port', String(port), '--host', args.host,
    '--redis', redisUrl, '--public-url', `ws://${args.publicHost}:${port}`, '--node-id', id,
  ];
  // Children write to a pipe, so they would pick JSON logs; keep what a person would see.
  if (process.stdout.isTTY && !args.nodeArgs.some((a) => a.startsWith('--log-format'))) flags.push('--log-format', 'pretty');
  // Its own process group: the terminal's Ctrl-C reaches only this command, which stops
  // every node with SIGTERM (a drain) and kills a node that does not go in time.
  const proc = spawn(process.execPath, [join(root, 'scripts', 'start.mjs'), ...flags, ...args.nodeArgs], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const prefix = `[${id}] `;
  let listening: () => void = () => {};
  let exitedEarly: (e: Error) => void = () => {};
  const node: RunningNode = {
    id,
    port,
    proc,
    gone: false,
    ready: new Promise<void>((resolve, reject) => {
      listening = resolve;
      exitedEarly = reject;
    }),
  };
  forward(proc.stdout!, prefix, process.stdout, (line) => {
    if (line.includes('listening: http')) listening();
  });
  forward(proc.stderr!, prefix, process.stderr);
  proc.on('exit', (code, signal) => {
    node.gone = true;
    const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
    exitedEarly(new Error(`node ${id} ${how} before listening`));
    onExit(node, how);
  });
  return node;
}

async function stopNode(n: RunningNode): Promise<void> {
  if (n.gone) return;
  const gone = new Promise<void>((resolve) => n.proc.once('exit', () => resolve()));
  n.proc.kill('SIGTERM');
  const timer = setTimeout(() => n.proc.kill('SIGKILL'), STOP_GRACE_MS);
  await gone;
  clearTimeout(timer);
}

async function main(argv: string[]): Promise<void> {
  const args = parseClusterArgs(argv);
  if (args === 'help') {
    console.log(HELP);
    return;
  }
  let redis: LocalRedis | null = null;
  let redisUrl = args.redis;
  if (redisUrl === null) {
    try {
      findRedisServer();
    } catch {
      fail(`no --redis URL was given and redis-server is not installed to start one.\nInstall it (${REDIS_INSTALL}) or pass --redis redis://HOST:PORT.`);
    }
    redis = await startRedisServer();
    redisUrl = redis.url;
    console.log(`[cluster] started redis-server (pid ${redis.pid}) at ${redisUrl}; it keeps nothing on disk and stops with the cluster`);
  }

  const nodes: RunningNode[] = [];
  let stopping = false;
  const stopAll = async (exitCode: number): Promise<void> => {
    if (stopping) return;
    stopping = true;
    console.log(`[cluster] stopping ${nodes.filter((n) => !n.gone).length} node(s)...`);
    await Promise.all(nodes.map(stopNode));
    if (redis) await redis.stop();
    console.log('[cluster] stopped');
    process.exit(exitCode);
  };
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));
  // If this command dies some other way, its nodes must not outlive it.
  process.on('exit', () => {
    for (const n of nodes) if (!n.gone) n.proc.kill('SIGKILL');
  });

  const onExit = (n: RunningNode, how: string): void => {
    if (stopping) return;
    console.error(`[cluster] node ${n.id} (port ${n.port}, pid ${n.proc.pid}) ${how}`);
    if (nodes.every((m) => m.gone)) {
      console.error('[cluster] no node left');
      void stopAll(1);
    }
  };

  try {
    // The first node alone: scripts/start.mjs builds the client when it is stale, and
    // N nodes must not all build it at once. The rest then find it fresh.
    nodes.push(startNode(1, args, redisUrl, onExit));
    await nodes[0]!.ready;
    for (let k = 2; k <= args.nodes; k++) nodes.push(startNode(k, args, redisUrl, onExit));
    await Promise.all(nodes.map((n) => n.ready));
  } catch (err) {
    console.error(`[cluster] ${(err as Error).message}; stopping`);
    await stopAll(1);
    return;
  }
  const lines = nodes.map((n) => `  ${n.id}  http://${args.publicHost}:${n.port}/   (WebSocket ws://${args.publicHost}:${n.port}/ws, pid ${n.proc.pid})`);
  console.log(`[cluster] ${nodes.length} node(s) up, directory ${redisUrl}:\n${lines.join('\n')}\n[cluster] open any of them; Ctrl-C stops all`);
}

await main(process.argv.slice(2));
