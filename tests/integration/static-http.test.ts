/**
 * Static files over real HTTP: raw request paths (no client-side normalization), so
 * every traversal trick reaches the server exactly as an attacker would send it.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DustupServer } from '../../game-server/server.ts';
import { startServer } from './harness.ts';

const root = join(import.meta.dirname, '..', '..');
let server: DustupServer;
/** A secret one directory above the served client directory. */
const SECRET = 'TOP-SECRET-do-not-serve';

beforeAll(async () => {
  const base = mkdtempSync(join(tmpdir(), 'dustup-static-'));
  writeFileSync(join(base, 'secret.txt'), SECRET);
  const clientDir = join(base, 'client');
  mkdirSync(join(clientDir, 'static'), { recursive: true });
  writeFileSync(join(clientDir, 'index.html'), '<!doctype html><title>Dustup</title>');
  writeFileSync(join(clientDir, 'static', 'app-1a2b3c.js'), 'console.log(1)');
  writeFileSync(join(clientDir, '.env'), SECRET);
  server = await startServer({ clientDir, assetsDir: join(root, 'assets') });
});

afterAll(async () => {
  await server.close();
});

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** GET with the path sent byte for byte as given. */
function get(path: string, method = 'GET'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path, method }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('static files', () => {
  const attacks = [
    '/../secret.txt',
    '/assets/../package.json',
    '/assets/../../package.json',
    '/assets/maps/../../package.json',
    '/%2e%2e/secret.txt',
    '/%2E%2E/secret.txt',
    '/assets/%2e%2e/package.json',
    '/assets/..%2fpackage.json',
    '/assets/..%2Fpackage.json',
    '/assets/maps/..%2f..%2fpackage.json',
    '/assets/%252e%252e/package.json',
    '/assets/%252e%252e%252fpackage.json',
    '/%252e%252e%252fsecret.txt',
    '/assets/..%5cpackage.json',
    '/assets/..\\package.json',
    '/assets/maps/arena.json%00.png',
    '/.env',
    '/static/../../secret.txt',
    '/assets/%c0%ae%c0%ae/package.json',
  ];
  for (const path of attacks) {
    it(`refuses ${path}`, async () => {
      const r = await get(path);
      expect([400, 404]).toContain(r.status);
      expect(r.body).not.toContain(SECRET);
      expect(r.body).not.toContain('"name": "dustup"');
    });
  }

  it('never lists a directory', async () => {
    for (const path of ['/assets/', '/assets', '/assets/maps/', '/assets/maps', '/static/', '/static']) {
      const r = await get(path);
      expect(r.status, path).toBe(404);
      expect(r.body).not.toContain('arena.json');
      expect(r.body).not.toContain('app-1a2b3c.js');
    }
  });

  it('serves files with their content type and cache policy', async () => {
    const index = await get('/');
    expect(index.status).toBe(200);
    expect(index.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(index.headers['cache-control']).toBe('no-cache');
    expect(index.headers['x-content-type-options']).toBe('nosniff');

    const bundle = await get('/static/app-1a2b3c.js');
    expect(bundle.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(bundle.headers['cache-control']).toBe('public, max-age=31536000, immutable');

    const map = await get('/assets/maps/arena.json');
    expect(map.status).toBe(200);
    expect(map.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(map.headers['cache-control']).toBe('public, max-age=3600');
    expect(JSON.parse(map.body)).toHaveProperty('layers');

    const head = await get('/assets/maps/arena.json', 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
  });

  it('odd requests get an answer and the server stays up', async () => {
    for (const [path, method] of [
      ['/ws', 'GET'],
      ['/ws', 'HEAD'],
      ['/healthz', 'POST'],
      ['/healthz', 'HEAD'],
      ['/metrics', 'HEAD'],
      ['/api/stats', 'PUT'],
      [`/assets/${'a'.repeat(4000)}`, 'GET'],
      ['/assets/maps/arena.json?x=../../package.json', 'GET'],
    ] as const) {
      const r = await get(path, method);
      expect(r.status, `${method} ${path.slice(0, 40)}`).toBeGreaterThanOrEqual(200);
    }
    expect((await get('/healthz')).status).toBe(200);
  });

  it('answers other methods with 405', async () => {
    const r = await get('/assets/maps/arena.json', 'DELETE');
    expect(r.status).toBe(405);
    expect(r.headers.allow).toBe('GET, HEAD');
  });
});
