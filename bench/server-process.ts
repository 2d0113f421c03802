/**
 * The benchmarks' server: a real `game-server/main.ts` in its own process (so /proc
 * measures it alone), on a free port, with the per-address limit lifted because every
 * bot comes from 127.0.0.1.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export interface ServerProcess {
  proc: ChildProcess;
  port: number;
}

/**
 * A command line for `node args...`, pinned to the given CPUs with taskset (which execs
 * node, so the pid is node's) when cpus is set.
 */
export function nodeCommand(args: string[], cpus?: string): [string, string[]] {
  return cpus ? ['taskset', ['-c', cpus, process.execPath, ...args]] : [process.execPath, args];
}

/**
 * Start the server with extra flags; resolves once it prints the URL it listens on.
 * cpus: pin it (e.g. "0"), so the load generator cannot preempt it.
 */
export function startServerProcess(flags: string[], cpus?: string): Promise<ServerProcess> {
  const [cmd, args] = nodeCommand(
    [
      '--import', 'tsx', join(root, 'game-server', 'main.ts'),
      '--port', '0', '--host', '127.0.0.1', '--max-connections-per-ip', '0', '--log-format', 'json',
      // Load scenarios measure the game, and must not fill replays/ in the repo.
      '--no-replays',
      ...flags,
    ],
    cpus,
  );
  const proc = spawn(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`server did not start: ${out}`)), 30_000);
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening: http:\/\/[^:]+:(\d+)\//.exec(out);
      if (m) {
        clearTimeout(timer);
        // Keep draining stdout (the logs) so the server never blocks on a full pipe.
        proc.stdout!.removeAllListeners('data');
        proc.stdout!.resume();
        resolve({ proc, port: Number(m[1]) });
      }
    });
    proc.on('exit', (code) => reject(new Error(`server exited (${code}) before listening: ${out}`)));
  });
}

/** The server's own figures (GET /api/stats). */
export async function serverStats<T>(port: number): Promise<T> {
  const r = await fetch(`http://127.0.0.1:${port}/api/stats`);
  return (await r.json()) as T;
}
