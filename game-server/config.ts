import { DEFAULT_TICK_RATE } from '../protocol/index.ts';

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
  /** uWS closes a socket that has received nothing for this long (s). */
  idleTimeoutS: number;
  /** Over this many bytes buffered, a client's snapshot is skipped. */
  sendSoftLimitBytes: number;
  /** A client whose snapshots are all skipped for this long is closed with SlowConsumer. */
  slowConsumerTimeoutMs: number;
  /** 'full' sends everyone the whole room every snapshot: a baseline for the benchmark. */
  snapshotMode: 'delta' | 'full';
  /** Seed for spawn choice and room codes, so tests can be deterministic. */
  seed: number;
  /** Allow uWS's slow JavaScript fallback (for platforms without a native binary). */
  allowUwsFallback: boolean;
  /** Log lines go here; tests pass a no-op. */
  log: (line: string) => void;
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
  sendSoftLimitBytes: 64 * 1024,
  slowConsumerTimeoutMs: 5000,
  snapshotMode: 'delta',
  seed: 0x5eed,
  allowUwsFallback: false,
  log: (line) => console.log(line),
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
}
