/**
 * The cluster-behind-nginx example of docs/deploy.md, run for real: the documented block
 * with its ports, certificate and node addresses replaced, in front of two real node
 * processes on one real Redis, each started with the --public-url the document gives it
 * (its path under the one public name). A seat asked of the public name sends the
 * player to /nK/ws, and the player plays on that node through nginx, over wss.
 */
import { mkdtempSync } from 'node:fs';
import { get as httpsGet, request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startRedisServer, type LocalRedis } from '../../../scripts/redis-server.ts';
import { documentedNginxConfig, fetchVia, startNginx, substitute, type RunningNginx } from '../deploy-doc.ts';
import { TestClient, waitFor } from '../harness.ts';
import { joinOverWss, makeCertificate, type TestCertificate } from '../tls-fixtures.ts';
import { freePort } from '../../../scripts/free-port.ts';
import { NodeFleet, waitUntil, type NodeProcess } from './node-process.ts';
import type { Seat } from './seat.ts';

let redis: LocalRedis;
let nginx: RunningNginx | null = null;
let tls: TestCertificate;
let httpsPort = 0;
const fleet = new NodeFleet();
const nodes: NodeProcess[] = [];
const sockets: WebSocket[] = [];
const clients: TestClient[] = [];

const publicBase = (): string => `https://127.0.0.1:${httpsPort}`;

/** POST /api/seat through the proxy (https with the test certificate). */
async function seatThroughProxy(room: string): Promise<Seat> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(`${publicBase()}/api/seat`, { method: 'POST', ca: tls.cert, headers: { 'content-type': 'application/json' } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => (res.statusCode === 200 ? resolve(JSON.parse(body) as Seat) : reject(new Error(`seat: HTTP ${res.statusCode} ${body}`))));
    });
    req.on('error', reject);
    req.end(JSON.stringify({ room }));
  });
}

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'dustup-nginx-cluster-'));
  tls = makeCertificate(dir);
  redis = await startRedisServer();
  const httpPort = await freePort();
  httpsPort = await freePort();
  for (const id of ['n1', 'n2'])
    nodes.push(
      await fleet.start({
        redisUrl: redis.url,
        nodeId: id,
        publicUrl: `wss://127.0.0.1:${httpsPort}/${id}/ws`,
        flags: ['--trust-proxy'],
      }),
    );
  let site = documentedNginxConfig('dustup-cluster.conf');
  site = substitute(site, 'listen 443 ssl;', `listen 127.0.0.1:${httpsPort} ssl;`);
  site = substitute(site, 'listen 80;', `listen 127.0.0.1:${httpPort};`);
  site = substitute(site, '/etc/letsencrypt/live/play.example.com/fullchain.pem', tls.certFile);
  site = substitute(site, '/etc/letsencrypt/live/play.example.com/privkey.pem', tls.keyFile);
  // The documented nodes listen on 8081, 8082: ours on the ports the fleet chose.
  site = substitute(site, '127.0.0.1:8081', `127.0.0.1:${nodes[0]!.port}`);
  site = substitute(site, '127.0.0.1:8082', `127.0.0.1:${nodes[1]!.port}`);
  nginx = await startNginx(dir, site, `${publicBase()}/healthz`, tls.cert);
}, 60_000);

afterAll(async () => {
  for (const ws of sockets) ws.terminate();
  for (const c of clients) c.ws.terminate();
  await nginx?.stop();
  await fleet.stopAll();
  await redis?.stop();
});

describe('a cluster behind nginx under one public name (docs/deploy.md)', () => {
  it('seats through the public name send each player to its node\'s own location, and play works there over wss', async () => {
    // A room on each node, opened by a player there directly.
    const codes: string[] = [];
    for (const n of nodes) {
      const host = new TestClient(n.port);
      clients.push(host);
      codes.push((await host.join(`${n.nodeId}-host`)).roomCode);
    }
    for (const [i, n] of nodes.entries()) {
      const seat = await waitUntil(() => seatThroughProxy(codes[i]!), `a seat in ${n.nodeId}'s room through nginx`);
      expect(seat.node).toBe(n.nodeId);
      expect(seat.url).toBe(`wss://127.0.0.1:${httpsPort}/${n.nodeId}/ws`);
      const p = await joinOverWss(seat.url, { ca: tls.cert }, `${n.nodeId}-guest`, seat);
      sockets.push(p.ws);
      expect(p.welcome.roomCode).toBe(codes[i]);
      await waitFor(() => p.snapshots() >= 3, `snapshots from ${n.nodeId} through nginx`);
    }
    // Quick play through the public name works too, wherever the directory puts it.
    const quick = await seatThroughProxy('');
    expect(quick.url).toMatch(new RegExp(`^wss://127\\.0\\.0\\.1:${httpsPort}/n[12]/ws$`));
    const q = await joinOverWss(quick.url, { ca: tls.cert }, 'quick', quick);
    sockets.push(q.ws);
    await waitFor(() => q.snapshots() >= 3, 'snapshots for the quick player');
  });

  it('keeps every /metrics off the public name', async () => {
    for (const path of ['/metrics', '/n1/metrics', '/n2/metrics'])
      expect((await fetchVia(httpsGet, `${publicBase()}${path}`, { ca: tls.cert })).status, path).toBe(404);
    expect((await fetchVia(httpsGet, `${publicBase()}/n2/healthz`, { ca: tls.cert })).status).toBe(200);
  });
});
