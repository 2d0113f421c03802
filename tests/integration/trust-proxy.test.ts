/**
 * --trust-proxy against the real server: connections from loopback (standing in for the
 * proxy) are counted under the address their X-Forwarded-For names, and logged under it;
 * without the flag, or from a socket that is not a listed proxy, the header changes nothing.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createLogger } from '../../game-server/logger.ts';
import type { DustupServer } from '../../game-server/server.ts';
import { perTestServer, waitFor } from './harness.ts';

const root = join(import.meta.dirname, '..', '..');
const fx = perTestServer();
const opened: WebSocket[] = [];
fx.onCleanup(() => {
  for (const ws of opened.splice(0)) ws.terminate();
});

/** 101 when the upgrade succeeds (the socket stays open until the test ends), else the HTTP status. */
function upgradeFrom(server: DustupServer, forwardedFor: string | null): Promise<number> {
  return new Promise((resolve) => {
    const headers: Record<string, string> = forwardedFor === null ? {} : { 'X-Forwarded-For': forwardedFor };
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws`, { headers });
    opened.push(ws);
    ws.on('open', () => resolve(101));
    ws.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      res.resume();
      ws.terminate();
    });
    ws.on('error', () => {});
  });
}

function capturingLogger(): { logger: ReturnType<typeof createLogger>; records: Record<string, unknown>[] } {
  const records: Record<string, unknown>[] = [];
  const logger = createLogger({ pretty: false, write: (line) => void records.push(JSON.parse(line) as Record<string, unknown>) });
  return { logger, records };
}

describe('--trust-proxy', () => {
  it('with it, two players forwarded by the proxy on loopback are two addresses against --max-connections-per-ip 1', async () => {
    const { logger, records } = capturingLogger();
    const server = await fx.start({ maxConnectionsPerIp: 1, trustProxy: ['127.0.0.1', '::1'], logger });
    expect(await upgradeFrom(server, '203.0.113.1')).toBe(101);
    expect(await upgradeFrom(server, '198.51.100.2, 203.0.113.2')).toBe(101);
    // The same forwarded player again is over its limit, and the refusal names it.
    expect(await upgradeFrom(server, '203.0.113.2')).toBe(429);
    expect(records.some((r) => r.addr === '203.0.113.2' && r.status === '429 Too Many Requests')).toBe(true);
    // The session is logged under the forwarded address too.
    for (const ws of opened) ws.close(1000);
    await waitFor(() => records.filter((r) => r.codeName !== undefined).length === 2, 'two disconnects logged');
    expect(records.filter((r) => r.codeName !== undefined).map((r) => r.addr).sort()).toEqual(['203.0.113.1', '203.0.113.2']);
  });

  it('a garbled header from the proxy counts as the proxy itself', async () => {
    const server = await fx.start({ maxConnectionsPerIp: 1, trustProxy: ['127.0.0.1', '::1'] });
    expect(await upgradeFrom(server, 'not-an-address')).toBe(101);
    expect(await upgradeFrom(server, null)).toBe(429);
  });

  it('without it the header is ignored: both count as the one socket address', async () => {
    const server = await fx.start({ maxConnectionsPerIp: 1 });
    expect(await upgradeFrom(server, '203.0.113.1')).toBe(101);
    expect(await upgradeFrom(server, '203.0.113.2')).toBe(429);
  });

  it('from a socket that is not a listed proxy the header is ignored (a client cannot spoof its way past the limit)', async () => {
    const server = await fx.start({ maxConnectionsPerIp: 1, trustProxy: ['10.0.0.1'] });
    expect(await upgradeFrom(server, '203.0.113.1')).toBe(101);
    expect(await upgradeFrom(server, '203.0.113.2')).toBe(429);
  });
});

/** Run the command line until it prints its listening line (then SIGTERM) or exits. */
function runMain(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'game-server', 'main.ts'), ...args], {
      cwd: root,
      env: { ...process.env, DUSTUP_LOG_FORMAT: 'json', ...env },
    });
    let out = '';
    const seen = (d: Buffer): void => {
      out += d.toString();
      if (out.includes('listening: ')) child.kill('SIGTERM');
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

describe('--trust-proxy on the command line', () => {
  const listening = ['--port', '0', '--host', '127.0.0.1'];

  it('alone trusts loopback; with a list or DUSTUP_TRUST_PROXY, those; an entry that is no address is refused', async () => {
    const bare = await runMain(['--trust-proxy', ...listening]);
    expect(bare.out).toContain('"trustProxy":["127.0.0.1","::1"]');
    const listed = await runMain([...listening, '--trust-proxy', '10.0.0.0/8,fd00::/8']);
    expect(listed.out).toContain('"trustProxy":["10.0.0.0/8","fd00::/8"]');
    const fromEnv = await runMain(listening, { DUSTUP_TRUST_PROXY: '1' });
    expect(fromEnv.out).toContain('"trustProxy":["127.0.0.1","::1"]');
    const off = await runMain(listening, { DUSTUP_TRUST_PROXY: '' });
    expect(off.out).toContain('"trustProxy":null');
    const bad = await runMain([...listening, '--trust-proxy', 'proxy.local']);
    expect(bad.code).toBe(2);
    expect(bad.out).toContain('--trust-proxy takes IP addresses or CIDR blocks');
    expect(bad.out).not.toContain('    at ');
  }, 60_000);
});
