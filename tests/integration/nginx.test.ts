/**
 * The nginx example in docs/deploy.md, run for real: the block is read from the document
 * (so the tested config is the documented one), given ephemeral ports and a self-signed
 * certificate, and put in front of the real server started with --trust-proxy and
 * --max-connections-per-ip 1. Players connect from different loopback addresses
 * (127.0.0.2, 127.0.0.3: Linux routes all of 127/8 to lo), so the proxy's own address
 * (127.0.0.1) and theirs differ, as on the internet.
 */
import { mkdtempSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { get as httpsGet } from 'node:https';
import { freePort } from '../../scripts/free-port.ts';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createLogger } from '../../game-server/logger.ts';
import type { DustupServer } from '../../game-server/server.ts';
import { documentedNginxConfig, fetchVia, startNginx, substitute, type RunningNginx } from './deploy-doc.ts';
import { startServer, waitFor } from './harness.ts';
import { joinOverWss, makeCertificate, type TestCertificate } from './tls-fixtures.ts';

let dir: string;
let tls: TestCertificate;
let server: DustupServer;
let nginx: RunningNginx | null = null;
let httpsPort = 0;
let httpPort = 0;
const records: Record<string, unknown>[] = [];
const sockets: WebSocket[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'dustup-nginx-'));
  tls = makeCertificate(dir);
  const logger = createLogger({ pretty: false, write: (line) => void records.push(JSON.parse(line) as Record<string, unknown>) });
  server = await startServer({ trustProxy: ['127.0.0.1', '::1'], maxConnectionsPerIp: 1, logger });
  [httpsPort, httpPort] = [await freePort(), await freePort()];

  let site = documentedNginxConfig('dustup.conf');
  site = substitute(site, 'listen 443 ssl;', `listen 127.0.0.1:${httpsPort} ssl;`);
  site = substitute(site, 'listen 80;', `listen 127.0.0.1:${httpPort};`);
  site = substitute(site, '/etc/letsencrypt/live/play.example.com/fullchain.pem', tls.certFile);
  site = substitute(site, '/etc/letsencrypt/live/play.example.com/privkey.pem', tls.keyFile);
  site = substitute(site, 'http://127.0.0.1:8080', `http://127.0.0.1:${server.port}`);
  nginx = await startNginx(dir, site, `https://127.0.0.1:${httpsPort}/healthz`, tls.cert);
}, 30_000);

afterAll(async () => {
  for (const ws of sockets) ws.terminate();
  await nginx?.stop();
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
