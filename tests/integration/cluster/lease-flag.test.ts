/**
 * --lease-ms is a real option: a bad value stops the start with a sentence, and a good
 * one is the TTL the node's lease really carries in Redis (the chaos suite's short
 * leases rely on it).
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { clusterFixture } from './fixture.ts';
import { root, waitUntil } from './node-process.ts';

const cluster = clusterFixture();

describe('--lease-ms', () => {
  it('refuses a value out of range with a message naming the flag', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'game-server', 'main.ts'), '--lease-ms', '20'], { cwd: root });
    let out = '';
    child.stderr.on('data', (d) => (out += d));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(2);
    expect(out).toContain('--lease-ms must be a whole number of ms from 500 to 600000, got "20"');
  });

  it("sets the TTL of the node's lease key in Redis, refreshed before it runs out", async () => {
    await cluster.node({ nodeId: 'short', flags: ['--lease-ms', '1000'] });
    const redis = new Redis(cluster.redis.url);
    try {
      const ttls: number[] = [];
      // Watch the lease for two of its lengths: always there, never above 1000 ms.
      const until = Date.now() + 2000;
      await waitUntil(async () => {
        ttls.push(await redis.pttl('dustup:node:short'));
        return Date.now() > until;
      }, 'two lease lengths', 5000, 50);
      expect(Math.min(...ttls)).toBeGreaterThan(0);
      expect(Math.max(...ttls)).toBeLessThanOrEqual(1000);
    } finally {
      redis.disconnect();
    }
  });
});
