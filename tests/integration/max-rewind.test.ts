/**
 * --max-rewind-ms: the limit reaches every Welcome (and so every client's view ceiling),
 * and a value outside 100..1000 ms stops the start with a message.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createServer, type DustupServer } from '../../game-server/server.ts';
import { silentLogger } from '../../game-server/logger.ts';
import { TestClient, runMain, startServer } from './harness.ts';

const servers: DustupServer[] = [];
afterAll(async () => {
  for (const s of servers) await s.close();
});

describe('--max-rewind-ms', () => {
  it("is the limit each Welcome carries", async () => {
    const server = await startServer({ maxRewindMs: 300 });
    servers.push(server);
    const c = new TestClient(server.port);
    await c.open();
    const w = await c.join('Ann');
    expect(w.maxRewindMs).toBe(300);
    c.close();
  });

  it('outside 100..1000 ms the server does not start', async () => {
    for (const bad of [99, 1001, 250.5])
      await expect(createServer({ port: 0, host: '127.0.0.1', logger: silentLogger(), processMetrics: false, maxRewindMs: bad })).rejects.toThrow(
        /max rewind must be 100\.\.1000 ms/,
      );
  });

  it('from the command line and the environment; a bad value is one line and exit code 2 or 1, no stack', async () => {
    const flag = await runMain(['--port', '0', '--host', '127.0.0.1', '--max-rewind-ms', '50']);
    expect(flag.code).not.toBe(0);
    expect(flag.out).toContain('max rewind must be 100..1000 ms, got 50');
    expect(flag.out).not.toContain('    at ');
    const env = await runMain(['--port', '0', '--host', '127.0.0.1'], { DUSTUP_MAX_REWIND_MS: '2000' });
    expect(env.code).not.toBe(0);
    expect(env.out).toContain('got 2000');
  }, 40_000);
});
