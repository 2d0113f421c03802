/**
 * Command line entry: the only file that reads argv and the environment.
 * `npm start -- --help` lists the options.
 */
import { resolve, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { defaultConfig, type ServerConfig } from './config.ts';
import { createServer } from './server.ts';
import { UwsFallbackError } from './uws.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const HELP = `dustup server: game page, WebSocket endpoint and stats on one port

Usage: npm start -- [options]      (or: dustup-server [options])

Options (environment variable in brackets):
  --port N            port to listen on, 0 for any free port    [PORT] (default 8080)
  --host ADDR         address to bind                           [HOST] (default 0.0.0.0)
  --tick-rate HZ      simulation ticks per second               [DUSTUP_TICK_RATE] (default 30)
  --snapshot-rate HZ  snapshots per second, <= tick rate        [DUSTUP_SNAPSHOT_RATE] (default = tick rate)
  --max-players N     seats per room                            [DUSTUP_MAX_PLAYERS] (default 32)
  --max-rooms N       rooms per process                         [DUSTUP_MAX_ROOMS] (default 200)
  --map ID            map to load from assets/maps/ID.json      [DUSTUP_MAP] (default arena)
  --snapshot-mode M   delta (default) or full: full sends every client the whole
                      room every snapshot, as full-state servers do (benchmark baseline)
  --client-dir DIR    built client to serve                     (default game-client/dist)
  --assets-dir DIR    assets to serve at /assets                (default assets)
  -h, --help          show this help

DUSTUP_ALLOW_UWS_FALLBACK=1 lets the server run on uWebSockets.js's slow JavaScript
fallback when its native binary cannot load (never for production).`;

function fail(message: string): never {
  console.error(`dustup-server: ${message}\nRun with --help for the options.`);
  process.exit(2);
}

function intOption(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n)) fail(`${name} must be an integer, got "${raw}"`);
  return n;
}

function snapshotMode(raw: string): 'delta' | 'full' {
  if (raw !== 'delta' && raw !== 'full') fail(`--snapshot-mode must be delta or full, got "${raw}"`);
  return raw;
}

export function configFromArgs(argv: string[], env: NodeJS.ProcessEnv): ServerConfig | 'help' {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        'tick-rate': { type: 'string' },
        'snapshot-rate': { type: 'string' },
        'max-players': { type: 'string' },
        'max-rooms': { type: 'string' },
        map: { type: 'string' },
        'snapshot-mode': { type: 'string' },
        'client-dir': { type: 'string' },
        'assets-dir': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    fail((err as Error).message);
  }
  if (values.help) return 'help';
  const d = defaultConfig();
  const tickRate = intOption('--tick-rate', values['tick-rate'] ?? env.DUSTUP_TICK_RATE, d.tickRate);
  return {
    ...d,
    port: intOption('--port', values.port ?? env.PORT, d.port),
    host: values.host ?? env.HOST ?? d.host,
    tickRate,
    snapshotRate: intOption('--snapshot-rate', values['snapshot-rate'] ?? env.DUSTUP_SNAPSHOT_RATE, tickRate),
    maxPlayers: intOption('--max-players', values['max-players'] ?? env.DUSTUP_MAX_PLAYERS, d.maxPlayers),
    maxRooms: intOption('--max-rooms', values['max-rooms'] ?? env.DUSTUP_MAX_ROOMS, d.maxRooms),
    mapId: values.map ?? env.DUSTUP_MAP ?? d.mapId,
    snapshotMode: snapshotMode(values['snapshot-mode'] ?? 'delta'),
    clientDir: resolve(values['client-dir'] ?? join(root, 'game-client', 'dist')),
    assetsDir: resolve(values['assets-dir'] ?? join(root, 'assets')),
    allowUwsFallback: env.DUSTUP_ALLOW_UWS_FALLBACK === '1',
    seed: (Date.now() ^ (process.pid << 8)) >>> 0,
  };
}

async function main(): Promise<void> {
  const config = configFromArgs(process.argv.slice(2), process.env);
  if (config === 'help') {
    console.log(HELP);
    return;
  }
  let server;
  try {
    server = await createServer(config);
  } catch (err) {
    if (err instanceof UwsFallbackError) fail(err.message);
    fail((err as Error).message);
  }
  const shown = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  console.log(
    `Dustup server listening: http://${shown}:${server.port}/  ` +
      `(WebSocket ws://${shown}:${server.port}/ws, tick ${config.tickRate} Hz, snapshots ${config.snapshotRate} Hz)`,
  );
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: closing connections and shutting down`);
    void server.close().then(() => {
      // Let the close frames flush before the process exits.
      setTimeout(() => process.exit(0), 200).unref();
    });
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

await main();
