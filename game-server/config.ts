import { DEFAULT_TICK_RATE, Limits, MAX_REWIND_MS } from '../protocol/index.ts';
import { isProxySpec } from './http/forwarded-for.ts';
import { createLogger, type Logger } from './logger.ts';
import { DEFAULT_MAX_BYTES_PER_SECOND } from './net/budget.ts';

/** PEM files for serving https and wss directly (no proxy in front). */
export interface TlsFiles {
  certFile: string;
  /** Unencrypted private key. */
  keyFile: string;
}

export interface ServerConfig {
  /** 0 picks a free port (tests). */
  port: number;
  host: string;
  tickRate: number;
  /** Snapshots per second, at most tickRate. */
  snapshotRate: number;
  /** Seats per room. */
  maxPlayers: number;
  maxRooms: number;
  /** Directory with the built client (index.html); optional in tests. */
  clientDir: string | null;
  /** Directory served at /assets (maps, sprites). */
  assetsDir: string;
  /** Map id to load from assetsDir/maps/<id>.json. */
  mapId: string;
  /** A connection must say hello within this many ms. */
  handshakeTimeoutMs: number;
  /**
   * uWS drops a socket that has received nothing, not even a pong to its automatic
   * pings, for this long (s): 8 or more (uWS's minimum), or 0 for never.
   */
  idleTimeoutS: number;
  /** Largest client frame, bytes (4005 over it); at most the protocol's MAX_CLIENT_FRAME_BYTES. */
  maxFrameBytes: number;
  /** Messages of any kind per second per connection, on average; null: tick rate + 20. */
  maxMessagesPerSecond: number | null;
  /** Inputs per second per connection, on average; null: tick rate + 10. */
  maxInputsPerSecond: number | null;
  /** Chat messages per second per connection, on average. */
  maxChatPerSecond: number;
  /** Open WebSocket connections per remote address (over it: HTTP 429); 0 = no limit. */
  maxConnectionsPerIp: number;
  /** Origins allowed to open the WebSocket (else HTTP 403); null = any. */
  allowedOrigins: string[] | null;
  /**
   * Reverse proxies (addresses or CIDR blocks) whose X-Forwarded-For names the client for
   * the per-address limit and the logs; null: the header is ignored.
   */
  trustProxy: string[] | null;
  /** Serve https/wss with these files; null: plain http/ws. */
  tls: TlsFiles | null;
  /** A player whose connection dropped is kept this long for a resume, ms. */
  resumeGraceMs: number;
  /** On close(): how long to wait for clients to go before cutting them, ms. */
  shutdownTimeoutMs: number;
  /** Collect prom-client's default process metrics (CPU, memory, GC, event-loop lag). */
  processMetrics: boolean;
  /** Over this many bytes buffered, a client's snapshot is skipped. */
  sendSoftLimitBytes: number;
  /** A client whose snapshots are all skipped for this long is closed with SlowConsumer. */
  slowConsumerTimeoutMs: number;
  /** 'full' sends everyone the whole room every snapshot: a baseline for the benchmark. */
  snapshotMode: 'delta' | 'full';
  /** Bandwidth budget: most snapshot bytes per second per client (a client may ask for less). */
  maxBytesPerSecond: number;
  /** Seed for spawn choice and room codes, so tests can be deterministic. */
  seed: number;
  /** Lag compensation's limit, ms: older views are refused (each Welcome carries it). */
  maxRewindMs: number;
  /** Allow uWS's slow JavaScript fallback (for platforms without a native binary). */
  allowUwsFallback: boolean;
  /** Structured logger (pino); tests pass silentLogger(). */
  logger: Logger;
  // Cluster (issue 11): the shared room directory on Redis.
  /** redis://HOST:PORT of the shared room directory; null: one process, rooms in memory. */
  redisUrl: string | null;
  /** The WebSocket URL other nodes send players to (ws(s)://HOST:PORT/ws); null: this node's own address. */
  publicUrl: string | null;
  /** This node's id in the directory; null: generated (host name and random). */
  nodeId: string | null;
  /** Directory tuning (tests shorten them): the lease TTL and its refresh, a seat ticket's life, ms. */
  leaseTtlMs: number;
  leaseRefreshMs: number;
  ticketTtlMs: number;
  /** Prefix of every Redis key (tests give each run its own). */
  redisKeyPrefix: string;
  // ---- replays (game-server/replay/) ----
  /** Record every match into this folder; null: no replays (main.ts defaults it to replays/). */
  replayDir: string | null;
  /** Disk cap for replayDir, bytes (oldest deleted first); 0: none. */
  replayMaxBytes: number;
  /** Spectators per public room (Watch); 0: no spectating. */
  maxSpectators: number;
  /** Spectators see the match this much later, ms. */
  spectatorDelayMs: number;
}

/** Node ids travel inside directory values separated by "|": letters, digits, . _ - only. */
export const NODE_ID_RE = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * A --public-url as the WebSocket URL clients open: ws/wss (http/https are turned into
 * them), "/ws" appended when no path is given. Null when it is not such a URL.
 */
export function normalizePublicUrl(raw: string): string | null {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return null;
  }
  const scheme = { 'ws:': 'ws:', 'wss:': 'wss:', 'http:': 'ws:', 'https:': 'wss:' }[u.protocol];
  if (!scheme || u.username || u.password || u.search || u.hash || raw.includes('|')) return null;
  u.protocol = scheme;
  if (u.pathname === '/' || u.pathname === '') u.pathname = '/ws';
  return u.toString();
}

export const defaultConfig = (): ServerConfig => ({
  port: 8080,
  host: '0.0.0.0',
  tickRate: DEFAULT_TICK_RATE,
  snapshotRate: DEFAULT_TICK_RATE,
  maxPlayers: 32,
  maxRooms: 200,
  clientDir: null,
  assetsDir: 'assets',
  mapId: 'arena',
  handshakeTimeoutMs: 5000,
  idleTimeoutS: 60,
  maxFrameBytes: Limits.MAX_CLIENT_FRAME_BYTES,
  maxMessagesPerSecond: null,
  maxInputsPerSecond: null,
  maxChatPerSecond: 2,
  maxConnectionsPerIp: 16,
  allowedOrigins: null,
  trustProxy: null,
  tls: null,
  resumeGraceMs: 15_000,
  shutdownTimeoutMs: 3000,
  processMetrics: true,
  sendSoftLimitBytes: 64 * 1024,
  slowConsumerTimeoutMs: 5000,
  snapshotMode: 'delta',
  maxBytesPerSecond: DEFAULT_MAX_BYTES_PER_SECOND,
  seed: 0x5eed,
  maxRewindMs: MAX_REWIND_MS,
  allowUwsFallback: false,
  logger: createLogger(),
  redisUrl: null,
  publicUrl: null,
  nodeId: null,
  leaseTtlMs: 5000,
  leaseRefreshMs: 1000,
  ticketTtlMs: 10_000,
  redisKeyPrefix: 'dustup:',
  // Off unless asked for: tests and embedders must not litter the working directory.
  replayDir: null,
  replayMaxBytes: 1024 * 1024 * 1024,
  maxSpectators: 32,
  spectatorDelayMs: 2000,
});

export function validateConfig(c: ServerConfig): void {
  const bad = (msg: string): never => {
    throw new Error(`invalid server config: ${msg}`);
  };
  if (!Number.isInteger(c.port) || c.port < 0 || c.port > 65535) bad(`port must be 0..65535, got ${c.port}`);
  if (!(c.tickRate >= 1 && c.tickRate <= 240)) bad(`tick rate must be 1..240, got ${c.tickRate}`);
  if (!(c.snapshotRate >= 1 && c.snapshotRate <= c.tickRate))
    bad(`snapshot rate must be 1..tick rate (${c.tickRate}), got ${c.snapshotRate}`);
  if (!Number.isInteger(c.maxPlayers) || c.maxPlayers < 1 || c.maxPlayers > 10000)
    bad(`max players must be 1..10000, got ${c.maxPlayers}`);
  if (c.snapshotMode !== 'delta' && c.snapshotMode !== 'full') bad(`snapshot mode must be delta or full, got ${String(c.snapshotMode)}`);
  if (!Number.isInteger(c.maxRooms) || c.maxRooms < 1) bad(`max rooms must be >= 1, got ${c.maxRooms}`);
  if (!(c.handshakeTimeoutMs > 0)) bad(`handshake timeout must be > 0, got ${c.handshakeTimeoutMs}`);
  if (!Number.isInteger(c.idleTimeoutS) || !(c.idleTimeoutS === 0 || (c.idleTimeoutS >= 8 && c.idleTimeoutS <= 960)))
    bad(`idle timeout must be 0 (off) or 8..960 s, got ${c.idleTimeoutS}`);
  if (!Number.isInteger(c.maxFrameBytes) || c.maxFrameBytes < 64 || c.maxFrameBytes > Limits.MAX_CLIENT_FRAME_BYTES)
    bad(`max frame size must be 64..${Limits.MAX_CLIENT_FRAME_BYTES} bytes, got ${c.maxFrameBytes}`);
  for (const [what, v] of [
    ['messages', c.maxMessagesPerSecond],
    ['inputs', c.maxInputsPerSecond],
    ['chat messages', c.maxChatPerSecond],
  ] as const)
    if (v !== null && !(v > 0)) bad(`max ${what} per second must be > 0, got ${v}`);
  if (!Number.isInteger(c.maxConnectionsPerIp) || c.maxConnectionsPerIp < 0)
    bad(`max connections per IP must be >= 0, got ${c.maxConnectionsPerIp}`);
  for (const p of c.trustProxy ?? [])
    if (!isProxySpec(p)) bad(`trusted proxies must be IP addresses or CIDR blocks, got "${p}"`);
  if (c.tls && (!c.tls.certFile || !c.tls.keyFile)) bad('TLS needs both a certificate file and a key file');
  if (!Number.isInteger(c.maxBytesPerSecond) || c.maxBytesPerSecond < Limits.MIN_BYTES_PER_SECOND || c.maxBytesPerSecond > Limits.MAX_BYTES_PER_SECOND)
    bad(`max bytes per second must be ${Limits.MIN_BYTES_PER_SECOND}..${Limits.MAX_BYTES_PER_SECOND}, got ${c.maxBytesPerSecond}`);
  if (!(c.resumeGraceMs >= 0)) bad(`resume grace must be >= 0, got ${c.resumeGraceMs}`);
  if (!(c.shutdownTimeoutMs >= 0)) bad(`shutdown timeout must be >= 0, got ${c.shutdownTimeoutMs}`);
  if (c.redisUrl !== null && !/^rediss?:\/\/[^\s]+$/.test(c.redisUrl)) bad(`redis URL must be redis://HOST:PORT (or rediss://), got "${c.redisUrl}"`);
  if (c.publicUrl !== null && normalizePublicUrl(c.publicUrl) !== c.publicUrl)
    bad(`public URL must be a ws(s)://HOST:PORT/PATH URL, got "${c.publicUrl}"`);
  if (c.nodeId !== null && !NODE_ID_RE.test(c.nodeId)) bad(`node id must be 1..64 of A-Z a-z 0-9 . _ -, got "${c.nodeId}"`);
  if (!(c.leaseRefreshMs >= 10 && c.leaseTtlMs >= 3 * c.leaseRefreshMs))
    bad(`the lease TTL must be at least three refreshes (refresh ${c.leaseRefreshMs} ms, TTL ${c.leaseTtlMs} ms)`);
  if (!(c.ticketTtlMs >= 100)) bad(`ticket TTL must be >= 100 ms, got ${c.ticketTtlMs}`);
  if (!(c.replayMaxBytes >= 0)) bad(`replay disk cap must be >= 0, got ${c.replayMaxBytes}`);
  if (!Number.isInteger(c.maxSpectators) || c.maxSpectators < 0) bad(`max spectators must be >= 0, got ${c.maxSpectators}`);
  if (!(c.spectatorDelayMs >= 0 && c.spectatorDelayMs <= 60_000)) bad(`spectator delay must be 0..60 s, got ${c.spectatorDelayMs} ms`);
  // --max-rewind-ms: under 100 ms not even a LAN client's view fits (one snapshot interval
  // plus the client's three-tick margin); over 1 s (Source's limit) the target pays too much.
  if (!Number.isInteger(c.maxRewindMs) || c.maxRewindMs < MIN_REWIND_MS || c.maxRewindMs > MAX_REWIND_LIMIT_MS)
    bad(`max rewind must be ${MIN_REWIND_MS}..${MAX_REWIND_LIMIT_MS} ms, got ${c.maxRewindMs}`);
}

/** The range --max-rewind-ms accepts, ms. */
export const MIN_REWIND_MS = 100;
export const MAX_REWIND_LIMIT_MS = 1000;
