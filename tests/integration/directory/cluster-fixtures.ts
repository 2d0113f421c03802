/**
 * Cluster test helpers: one real redis-server per test file (scripts/redis-server.ts:
 * fails with the install line when redis-server is missing), real nodes on port 0 that
 * share it under a key prefix of their own per test, seat requests over real HTTP, and
 * real ws clients that say Hello with the ticket.
 */
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { ClientKind, PROTOCOL_VERSION, type WelcomeMsg } from '../../../protocol/index.ts';
import type { ServerConfig } from '../../../game-server/config.ts';
import type { SeatGrant } from '../../../game-server/directory/room-directory.ts';
import type { DustupServer } from '../../../game-server/server.ts';
import { startRedisServer, type LocalRedis } from '../../../scripts/redis-server.ts';
import { TestClient, startServer, waitFor } from '../harness.ts';

export interface SeatReply {
  status: number;
  body: Record<string, unknown>;
}

export async function postSeat(server: DustupServer | number, body: unknown): Promise<SeatReply> {
  const port = typeof server === 'number' ? server : server.port;
  const res = await fetch(`http://127.0.0.1:${port}/api/seat`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

export async function getJson(server: DustupServer, path: string): Promise<Record<string, unknown>> {
  const res = await fetch(`http://127.0.0.1:${server.port}${path}`);
  return (await res.json()) as Record<string, unknown>;
}

/** A seat that must be granted. */
export async function seat(server: DustupServer, room = '', requestId?: string): Promise<SeatGrant> {
  const r = await postSeat(server, requestId ? { room, requestId } : { room });
  if (r.status !== 200) throw new Error(`seat refused: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body as unknown as SeatGrant;
}

/**
 * One redis-server for the file, and per test: nodes sharing it under a fresh key
 * prefix, and the clients opened; all closed after each test.
 */
export function clusterFixture(): {
  redis(): LocalRedis;
  node(overrides?: Partial<ServerConfig>): Promise<DustupServer>;
  client(url: string | number): TestClient;
  /** Open a socket to the grant's node and Hello with its ticket. */
  connect(grant: SeatGrant, name: string): Promise<TestClient>;
  join(grant: SeatGrant, name: string): Promise<{ client: TestClient; welcome: WelcomeMsg }>;
  prefix(): string;
  /** Poll a Redis read until it passes (a raw client of the test's own, never the nodes'). */
  untilRedis<T>(read: (r: Redis) => Promise<T>, ok: (v: T) => boolean, what: string, timeoutMs?: number): Promise<void>;
} {
  let redis: LocalRedis | null = null;
  let prefix = '';
  let run = 0;
  const servers: DustupServer[] = [];
  const clients: TestClient[] = [];
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  let raw: Redis | null = null;
  afterAll(async () => {
    raw?.disconnect();
    await redis?.stop();
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.ws.terminate();
    await Promise.all(servers.splice(0).map((s) => s.close()));
    prefix = '';
  });
  const fixture = {
    untilRedis: async <T,>(read: (r: Redis) => Promise<T>, ok: (v: T) => boolean, what: string, timeoutMs = 4000) => {
      raw ??= new Redis(redis!.url, { maxRetriesPerRequest: 1 });
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const v = await read(raw).catch(() => undefined);
        if (v !== undefined && ok(v)) return;
        if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${String(v)})`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    redis: () => redis!,
    prefix: () => (prefix ||= `t${process.pid}-${++run}-${Date.now()}:`),
    node: async (overrides: Partial<ServerConfig> = {}) => {
      if (!redis!.running) throw new Error('redis is down');
      const s = await startServer({
        redisUrl: redis!.url,
        redisKeyPrefix: fixture.prefix(),
        maxConnectionsPerIp: 0,
        shutdownTimeoutMs: 200,
        ...overrides,
      });
      servers.push(s);
      return s;
    },
    client: (url: string | number) => {
      const c = new TestClient(url);
      clients.push(c);
      return c;
    },
    connect: async (grant: SeatGrant, name: string) => {
      const c = fixture.client(grant.url);
      await c.open();
      c.send({ kind: ClientKind.Hello, version: PROTOCOL_VERSION, name, room: grant.room, ticket: grant.ticket });
      return c;
    },
    join: async (grant: SeatGrant, name: string) => {
      const client = await fixture.connect(grant, name);
      const welcome = await waitFor(
        () => {
          if (client.closeCode !== null) throw new Error(`${name} was closed with ${client.closeCode} ${client.closeReason}`);
          return client.welcome();
        },
        `welcome for ${name}`,
        5000,
      );
      return { client, welcome };
    },
  };
  return fixture;
}
