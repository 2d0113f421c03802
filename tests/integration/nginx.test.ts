/**
 * The nginx example in docs/deploy.md, run for real: the block is read from the document
 * (so the tested config is the documented one), given ephemeral ports and a self-signed
 * certificate, and put in front of the real server started with --trust-proxy and
 * --max-connections-per-ip 1. Players connect from different loopback addresses
 * (127.0.0.2, 127.0.0.3: Linux routes all of 127/8 to lo), so the proxy's own address
 * (127.0.0.1) and theirs differ, as on the internet.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { get as httpsGet } from 'node:https';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createLogger } from '../../game-server/logger.ts';
import type { DustupServer } from '../../game-server/server.ts';
import { startServer, waitFor } from './harness.ts';
import { joinOverWss, makeCertificate, requireProgram, type TestCertificate } from './tls-fixtures.ts';

const root = join(import.meta.dirname, '..', '..');
const NGINX_INSTALL = 'sudo apt-get install -y nginx-light (macOS: brew install nginx)';

/** The one ```nginx block of docs/deploy.md. */
function documentedConfig(): string {
  const doc = readFileSync(join(root, 'docs', 'deploy.md'), 'utf8');
  const blocks = [...doc.matchAll(/```nginx\n([\s\S]*?)```/g)];
  if (blocks.length !== 1) throw new Error(`docs/deploy.md should hold exactly one nginx block, found ${blocks.length}`);
  return blocks[0]![1]!;
}

/** Replace `from` (which must occur) with `to`: a doc edit that drops it fails here, loudly. */
function substitute(text: string, from: string, to: string): string {
  if (!text.includes(from)) throw new Error(`the nginx example in docs/deploy.md no longer contains "${from}"`);
  return text.split(from).join(to);
}

async function freePort(): Promise<number> {
  const srv = createNetServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as { port: number };
  await new Promise((resolve) => srv.close(resolve));
  return port;
}

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function fetchVia(get: typeof httpsGet, url: string, opts: Parameters<typeof httpsGet>[1]): Promise<Reply> {
  return new Promise((resolve, reject) => {
    get(url, opts, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    }).on('error', reject);
  });
}

let dir: string;
let tls: TestCertificate;
let server: DustupServer;
let nginx: ChildProcess | null = null;
let nginxOut = '';
let httpsPort = 0;
let httpPort = 0;
const records: Record<string, unknown>[] = [];
const sockets: WebSocket[] = [];

beforeAll(async () => {
  const bin = requireProgram('nginx', ['/usr/sbin/nginx', '/usr/local/sbin/nginx', '/usr/local/bin/nginx', '/opt/homebrew/bin/nginx'], NGINX_INSTALL);
  dir = mkdtempSync(join(tmpdir(), 'dustup-nginx-'));
  tls = makeCertificate(dir);
  const logger = createLogger({ pretty: false, write: (line) => void records.push(JSON.parse(line) as Record<string, unknown>) });
  server = await startServer({ trustProxy: ['127.0.0.1', '::1'], maxConnectionsPerIp: 1, logger });
  [httpsPort, httpPort] = [await freePort(), await freePort()];

  let site = documentedConfig();
  site = substitute(site, 'listen 443 ssl;', `listen 127.0.0.1:${httpsPort} ssl;`);
  site = substitute(site, 'listen 80;', `listen 127.0.0.1:${httpPort};`);
  site = substitute(site, '/etc/letsencrypt/live/play.example.com/fullchain.pem', tls.certFile);
  site = substitute(site, '/etc/letsencrypt/live/play.example.com/privkey.pem', tls.keyFile);
  site = substitute(site, 'http://127.0.0.1:8080', `http://127.0.0.1:${server.port}`);
  writeFileSync(join(dir, 'dustup.conf'), site);
  for (const t of ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(join(dir, t));
  // A whole nginx.conf around the documented site, everything inside the temp dir; one
  // process (no master, no user switch), so it runs the same as root or not.
  writeFileSync(
    join(dir, 'nginx.conf'),
    `daemon off;
master_process off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  include ${dir}/dustup.conf;
}
`,
  );
  nginx = spawn(bin, ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log')], { stdio: ['ignore', 'pipe', 'pipe'] });
  nginx.stdout!.on('data', (d) => (nginxOut += d));
  nginx.stderr!.on('data', (d) => (nginxOut += d));
  let exited = false;
  nginx.on('exit', () => (exited = true));
  let up = false;
  const probe = (): void =>
    void fetchVia(httpsGet, `https://127.0.0.1:${httpsPort}/healthz`, { ca: tls.cert }).then(
      (r) => (up = r.status === 200),
      () => {},
    );
  await waitFor(() => {
    if (exited) throw new Error(`nginx exited: ${nginxOut}${readFileSync(join(dir, 'error.log'), 'utf8')}`);
    if (!up) probe();
    return up;
  }, 'nginx to answer /healthz', 10_000);
}, 30_000);

afterAll(async () => {
  for (const ws of sockets) ws.terminate();
  if (nginx && nginx.exitCode === null) {
    const gone = new Promise((resolve) => nginx!.once('exit', resolve));
    nginx.kill('SIGTERM');
    await gone;
  }
  await server?.close();
});

describe('behind nginx with the documented config (docs/deploy.md)', () => {
  it('serves the page side over https, hides /metrics, and redirects http to https', async () => {
    const health = await fetchVia(httpsGet, `https://127.0.0.1:${httpsPort}/healthz`, { ca: tls.cert });
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body)).toMatchObject({ status: 'ok' });
    expect((await fetchVia(httpsGet, `https://127.0.0.1:${httpsPort}/metrics`, { ca: tls.cert })).status).toBe(404);
    const redirect = await fetchVia(httpGet as typeof httpsGet, `http://127.0.0.1:${httpPort}/?room=ABCD`, {});
    expect(redirect.status).toBe(301);
    expect(redirect.headers.location).toBe(`https://127.0.0.1/?room=ABCD`);
  });

  it('a player joins over wss through it; the per-address limit sees the forwarded address, not the proxy', async () => {
    const a = await joinOverWss(`wss://127.0.0.1:${httpsPort}/ws`, { ca: tls.cert, localAddress: '127.0.0.2' }, 'alice');
    sockets.push(a.ws);
    await waitFor(() => a.snapshots() >= 3, 'snapshots through nginx');
    // Both come through the one proxy (127.0.0.1) with --max-connections-per-ip 1: two
    // players only because each is counted under its own forwarded address.
    const b = await joinOverWss(`wss://127.0.0.1:${httpsPort}/ws`, { ca: tls.cert, localAddress: '127.0.0.3' }, 'bob');
    sockets.push(b.ws);
    expect(server.game.playerCount).toBe(2);
    // A second socket from 127.0.0.2 is over its limit, and its own X-Forwarded-For
    // changes nothing: the documented config overwrites it.
    const status = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`wss://127.0.0.1:${httpsPort}/ws`, {
        ca: tls.cert,
        localAddress: '127.0.0.2',
        headers: { 'X-Forwarded-For': '198.51.100.77' },
      });
      sockets.push(ws);
      ws.on('open', () => resolve(101));
      ws.on('unexpected-response', (_req, res) => {
        resolve(res.statusCode ?? 0);
        res.resume();
      });
      ws.on('error', () => {});
    });
    expect(status).toBe(429);
    expect(records.some((r) => r.addr === '127.0.0.2' && r.status === '429 Too Many Requests')).toBe(true);
    expect(records.some((r) => r.addr === '198.51.100.77' || r.addr === '127.0.0.1')).toBe(false);
  });
});
