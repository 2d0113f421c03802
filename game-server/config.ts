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
  // --max-rewind-ms: under 100 ms not even a LAN client's view fits (one snapshot interval
  // plus the client's three-tick margin); over 1 s (Source's limit) the target pays too much.
  if (!Number.isInteger(c.maxRewindMs) || c.maxRewindMs < MIN_REWIND_MS || c.maxRewindMs > MAX_REWIND_LIMIT_MS)
    bad(`max rewind must be ${MIN_REWIND_MS}..${MAX_REWIND_LIMIT_MS} ms, got ${c.maxRewindMs}`);
}

/** The range --max-rewind-ms accepts, ms. */
export const MIN_REWIND_MS = 100;
export const MAX_REWIND_LIMIT_MS = 1000;
