/** scripts/redis-server.ts: the real redis-server the directory tests and `npm run cluster` start. */
import { afterAll, describe, expect, it } from 'vitest';
import { findRedisServer, pingRedis, REDIS_INSTALL, startRedisServer, type LocalRedis } from '../../../scripts/redis-server.ts';

const started: LocalRedis[] = [];
afterAll(async () => {
  for (const r of started) await r.stop();
});

describe('scripts/redis-server.ts', () => {
  it('starts on a free port, answers PING, and comes back empty on the same port after kill -9', async () => {
    const redis = await startRedisServer();
    started.push(redis);
    expect(redis.url).toBe(`redis://127.0.0.1:${redis.port}`);
    expect(await pingRedis(redis.port)).toBe(true);
    await redis.kill();
    expect(redis.running).toBe(false);
    expect(await pingRedis(redis.port)).toBe(false);
    await redis.restart();
    expect(redis.running).toBe(true);
    expect(await pingRedis(redis.port)).toBe(true);
    await redis.stop();
    expect(await pingRedis(redis.port)).toBe(false);
  });

  it('names the install line when redis-server is missing', async () => {
    expect(() => findRedisServer('/nonexistent-a:/nonexistent-b', [])).toThrow(REDIS_INSTALL);
    expect(REDIS_INSTALL).toMatch(/sudo apt-get install -y redis-server.*brew install redis/);
    expect(findRedisServer()).toMatch(/redis-server$/);
    await expect(startRedisServer({ bin: '/nonexistent/redis-server' })).rejects.toThrow(/failed to start|exited/);
  });
});
