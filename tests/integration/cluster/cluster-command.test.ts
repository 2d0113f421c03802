/**
 * `npm run cluster` for real: the command starts its own redis-server and two nodes on
 * consecutive ports, prints their URLs, forwards their logs with a node prefix, reports
 * a node that dies, and on SIGINT leaves no process behind.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findRedisServer } from '../../../scripts/redis-server.ts';
import { TestClient } from '../harness.ts';
import { root, waitUntil } from './node-process.ts';

/** Whether a port can be bound now. */
function bindable(port: number): Promise<boolean> {
  const srv = createNetServer();
  return new Promise((resolve) => {
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/** A first port P with P and P+1 both free (the cluster takes consecutive ports). */
async function consecutivePorts(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const p = 20_000 + Math.floor(Math.random() * 30_000);
    if ((await bindable(p)) && (await bindable(p + 1))) return p;
  }
  throw new Error('no two consecutive free ports found');
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

interface Health {
  status: string;
  node: { id: string; epoch: number };
  directory: { kind: string; connected: boolean; rttMs: number | null };
}

interface RoomEntry {
  code: string;
  node: string;
  url: string;
}

let cluster: ChildProcess | null = null;
const clients: TestClient[] = [];

afterAll(() => {
  for (const c of clients) c.ws.terminate();
  if (cluster && cluster.exitCode === null) cluster.kill('SIGKILL');
});

describe('npm run cluster', () => {
  it('starts redis and two nodes sharing one directory, reports a dead node, and stops everything on SIGINT', async () => {
    findRedisServer(); // fails with the install line when redis-server is missing
    const base = await consecutivePorts();
    // A built client of its own, so the test neither needs nor triggers a vite build.
    const clientDir = mkdtempSync(join(tmpdir(), 'dustup-cluster-client-'));
    writeFileSync(join(clientDir, 'index.html'), '<!doctype html><title>cluster test page</title>');
    cluster = spawn(
      process.execPath,
      ['--import', 'tsx', join(root, 'scripts', 'cluster.ts'), '--nodes', '2', '--port', String(base), '--host', '127.0.0.1',
        '--public-host', '127.0.0.1', '--', '--client-dir', clientDir, '--log-format', 'json', '--log-level', 'debug'],
      { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    cluster.stdout!.on('data', (d) => (out += d));
    cluster.stderr!.on('data', (d) => (out += d));
    let exitCode: number | null | undefined;
    const exited = new Promise<void>((resolve) => cluster!.once('exit', (code) => ((exitCode = code), resolve())));

    await waitUntil(() => out.includes('2 node(s) up'), `the cluster to print its nodes (output so far:\n${out})`, 40_000);
    const urls = [...out.matchAll(/^ {2}(n\d) {2}(http:\/\/\S+)\/ .*pid (\d+)\)$/gm)].map((m) => ({ id: m[1]!, url: m[2]!, pid: Number(m[3]) }));
    expect(urls.map((u) => u.id)).toEqual(['n1', 'n2']);
    expect(urls.map((u) => u.url)).toEqual([`http://127.0.0.1:${base}`, `http://127.0.0.1:${base + 1}`]);
    const redisPid = Number(/started redis-server \(pid (\d+)\) at (redis:\/\/\S+);/.exec(out)?.[1]);
    expect(alive(redisPid)).toBe(true);

    // Both nodes are on the directory, each under its own id, and serve the page.
    for (const u of urls) {
      const h = (await (await fetch(`${u.url}/healthz`)).json()) as Health;
      expect(h.node.id).toBe(u.id);
      expect(h.directory).toMatchObject({ kind: 'redis', connected: true });
      expect(await (await fetch(`${u.url}/`)).text()).toContain('cluster test page');
    }
    // The same directory: a room made on n1 is listed by n2, with n1's public URL.
    const player = new TestClient(base);
    clients.push(player);
    const welcome = await player.join('cluster-test');
    const listed = await waitUntil(async () => {
      const rooms = (await (await fetch(`${urls[1]!.url}/api/rooms`)).json()) as { rooms: RoomEntry[] };
      return rooms.rooms.find((r) => r.code === welcome.roomCode);
    }, 'n2 to list the room made on n1');
    expect(listed).toMatchObject({ node: 'n1' });
    expect(listed.url).toContain(`127.0.0.1:${base}`);
    // Logs are forwarded under each node's prefix.
    expect(out).toMatch(/^\[n1\] .*player joined/m);
    expect(out).toMatch(/^\[n2\] /m);

    // A node that dies is reported; the command keeps running the other.
    process.kill(urls[1]!.pid, 'SIGKILL');
    await waitUntil(() => /\[cluster\] node n2 .* was killed by SIGKILL/.test(out), 'the cluster to report n2 dead');
    expect(exitCode).toBeUndefined();

    cluster.kill('SIGINT');
    await waitUntil(() => exitCode !== undefined, `the cluster to exit (output:\n${out.slice(-2000)})`, 15_000);
    await exited;
    expect(exitCode).toBe(0);
    expect(player.closeCode).toBe(4010); // n1 drained its player on the way out
    for (const pid of [urls[0]!.pid, urls[1]!.pid, redisPid]) expect(alive(pid), `pid ${pid} still running`).toBe(false);
  }, 60_000);
});
