/**
 * One chaos test file's world: a real redis-server for the file (empty again before every
 * test), the node processes each test starts (all gone after it, frozen ones included),
 * and the test clients it opens. Nodes run with a short lease, through the server's own
 * flags, so a lease runs out in a test in seconds instead of the production five.
 */
import { afterAll, afterEach, beforeAll } from 'vitest';
import { startRedisServer, type LocalRedis } from '../../../scripts/redis-server.ts';
import type { TestClient } from '../harness.ts';
import { NodeFleet, type NodeOptions, type NodeProcess } from './node-process.ts';

/** The nodes' lease in these tests, ms: refreshed every LEASE_MS / 5. */
export const LEASE_MS = 2000;
export const LEASE_FLAGS = ['--lease-ms', String(LEASE_MS)];

export interface Health {
  status: string;
  rooms: number;
  players: number;
  node: { id: string; epoch: number };
  directory: { kind: 'memory' | 'redis'; connected: boolean; rttMs: number | null };
}

export interface Listing {
  code: string;
  players: number;
  capacity: number;
  url: string;
  node: string;
}

export const health = (n: NodeProcess): Promise<Health> => n.get<Health>('/healthz');
export const listings = async (n: NodeProcess): Promise<Listing[]> => (await n.get<{ rooms: Listing[] }>('/api/rooms')).rooms;

export interface ClusterFixture {
  readonly redis: LocalRedis;
  /** A node on this file's Redis with the short lease (more flags after). */
  node(opts?: NodeOptions): Promise<NodeProcess>;
  /** Terminate this client after the test. */
  track<T extends TestClient>(c: T): T;
  /** Run after the test, before the nodes go. */
  onCleanup(fn: () => void | Promise<void>): void;
}

export function clusterFixture(): ClusterFixture {
  let redis: LocalRedis | null = null;
  const fleet = new NodeFleet();
  const clients: TestClient[] = [];
  const cleanups: (() => void | Promise<void>)[] = [];
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterEach(async () => {
    for (const fn of cleanups.splice(0)) await fn();
    for (const c of clients.splice(0)) c.ws.terminate();
    await fleet.stopAll();
    // Nothing of one test's nodes (leases, listings, epochs) is seen by the next.
    await redis!.restart();
  });
  afterAll(async () => {
    await fleet.stopAll();
    await redis?.stop();
  });
  return {
    get redis() {
      if (!redis) throw new Error('Redis starts in beforeAll');
      return redis;
    },
    node: (opts = {}) => fleet.start({ ...opts, redisUrl: redis!.url, flags: [...LEASE_FLAGS, ...(opts.flags ?? [])] }),
    track: (c) => (clients.push(c), c),
    onCleanup: (fn) => void cleanups.push(fn),
  };
}
