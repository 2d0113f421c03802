/**
 * --cert/--key: the real server serves https and wss itself with a certificate this test
 * makes, verified against that certificate (not with verification turned off), and plain
 * http on the same port gets nothing. Bad TLS settings stop the start with a sentence.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { get as httpsGet } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DustupServer } from '../../game-server/server.ts';
import { startServer, waitFor } from './harness.ts';
import { joinOverWss, makeCertificate, type TestCertificate } from './tls-fixtures.ts';

const root = join(import.meta.dirname, '..', '..');

function getJson(url: string, ca: string): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    httpsGet(url, { ca }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(body) }));
    }).on('error', reject);
  });
}

/** What plain http to a TLS port gets: a status if it were served, else the socket error. */
function plainHttp(port: number): Promise<{ status: number } | { error: string }> {
  return new Promise((resolve) => {
    const req = httpGet({ host: '127.0.0.1', port, path: '/healthz', timeout: 5000 }, (res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0 });
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (err: NodeJS.ErrnoException) => resolve({ error: err.code ?? err.message }));
  });
}

function runMain(args: string[], stopWhen?: RegExp): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'game-server', 'main.ts'), ...args], {
      cwd: root,
      env: { ...process.env, DUSTUP_LOG_FORMAT: 'json' },
    });
    let out = '';
    const seen = (d: Buffer): void => {
      out += d.toString();
      if (stopWhen?.test(out)) child.kill('SIGTERM');
    };
    child.stdout.on('data', seen);
    child.stderr.on('data', seen);
    const kill = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.on('exit', (code) => {
      clearTimeout(kill);
      resolve({ code, out });
    });
  });
}

let dir: string;
let tls: TestCertificate;
let server: DustupServer;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'dustup-tls-'));
  tls = makeCertificate(dir);
  server = await startServer({ tls: { certFile: tls.certFile, keyFile: tls.keyFile } });
});

afterAll(async () => {
  await server?.close();
});

describe('TLS without a proxy (--cert, --key)', () => {
  it('serves GET /healthz over https, verified against the certificate', async () => {
    expect(server.scheme).toBe('https');
    const { status, body } = await getJson(`https://127.0.0.1:${server.port}/healthz`, tls.cert);
    expect(status).toBe(200);
    expect(body).toMatchObject({ status: 'ok', uws: 'native' });
  });

  it('a player joins and plays over wss', async () => {
    const player = await joinOverWss(`wss://127.0.0.1:${server.port}/ws`, { ca: tls.cert }, 'secure');
    try {
      await waitFor(() => player.snapshots() >= 3, 'snapshots over wss');
      expect(server.game.playerCount).toBe(1);
    } finally {
      player.ws.terminate();
    }
  });

  it('plain http on the TLS port is not served', async () => {
    const r = await plainHttp(server.port);
    expect(r).not.toHaveProperty('status');
    expect('error' in r && ['ECONNRESET', 'EPIPE', 'HPE_INVALID_CONSTANT', 'timeout'].includes(r.error), JSON.stringify(r)).toBe(true);
  });

  it('the command line prints an https:// and wss:// URL', async () => {
    const { out } = await runMain(
      ['--port', '0', '--host', '127.0.0.1', '--cert', tls.certFile, '--key', tls.keyFile],
      /listening: https:\/\/127\.0\.0\.1:\d+\/.*wss:\/\/127\.0\.0\.1:\d+\/ws/,
    );
    expect(out).toMatch(/listening: https:\/\/127\.0\.0\.1:\d+\/ {2}\(WebSocket wss:\/\/127\.0\.0\.1:\d+\/ws/);
  }, 20_000);

  it('--cert without --key, an unreadable file, or a key of another certificate: a clear error, no stack trace', async () => {
    const alone = await runMain(['--port', '0', '--cert', tls.certFile]);
    expect(alone.code).toBe(2);
    expect(alone.out).toContain('--cert and --key go together');

    const missing = await runMain(['--port', '0', '--cert', join(dir, 'nope.pem'), '--key', tls.keyFile]);
    expect(missing.code).toBe(2);
    expect(missing.out).toContain(`cannot read the TLS certificate ${join(dir, 'nope.pem')}: no such file`);

    const other = mkdtempSync(join(tmpdir(), 'dustup-tls-other-'));
    const stranger = makeCertificate(other);
    const mismatched = await runMain(['--port', '0', '--cert', tls.certFile, '--key', stranger.keyFile]);
    expect(mismatched.code).toBe(2);
    expect(mismatched.out).toContain('does not belong to the certificate');

    writeFileSync(join(dir, 'junk.pem'), 'not a certificate');
    const junk = await runMain(['--port', '0', '--cert', join(dir, 'junk.pem'), '--key', tls.keyFile]);
    expect(junk.code).toBe(2);
    expect(junk.out).toContain('is not a PEM certificate');

    for (const r of [alone, missing, mismatched, junk]) expect(r.out).not.toContain('    at ');
  }, 40_000);
});
