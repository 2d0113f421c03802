/**
 * Command line entry: the only file that reads argv and the environment.
 * `npm start -- --help` lists the options.
 */
import { resolve, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { NODE_ID_RE, defaultConfig, normalizePublicUrl, type ServerConfig, type TlsFiles } from './config.ts';
import { DEFAULT_TRUSTED_PROXIES, isProxySpec } from './http/forwarded-for.ts';
import { LOG_LEVELS, createLogger } from './logger.ts';
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
  --max-bytes-per-second N  snapshot bytes per second per client, at most; a client may ask
                      for less (4096..100000000)  [DUSTUP_MAX_BYTES_PER_SECOND] (default 65536)
  --max-rewind-ms MS  lag compensation's limit: a shot from an older view is refused,
                      100..1000                                 [DUSTUP_MAX_REWIND_MS] (default 500)
  --client-dir DIR    built client to serve                     (default game-client/dist)
  --assets-dir DIR    assets to serve at /assets                (default assets)

Limits and robustness:
  --max-frame-bytes N        largest client frame (64..512), else close 4005      (default 512)
  --max-messages-per-second N  messages of any kind per connection, else 4006     (default tick rate + 20)
  --max-inputs-per-second N  inputs per connection, else 4006                     (default tick rate + 10)
  --max-chat-per-second N    chat lines per connection; extra lines are dropped with a Notice (default 2)
  --max-connections-per-ip N WebSocket connections per address, else HTTP 429; 0 = no limit (default 16)
  --allowed-origins A,B      origins that may open the WebSocket, else HTTP 403   (default any)
                             e.g. https://play.example.com,http://localhost:8080
  --handshake-timeout S      seconds to say hello, else close 4007                (default 5)
  --idle-timeout S           drop a socket silent this long (pings unanswered); 0 = never, else >= 8 (default 60)
  --resume-grace S           keep a dropped player this long for a resume         (default 15)
  --shutdown-timeout S       on SIGTERM/SIGINT, wait this long for clients to go  (default 3)

On the internet (see docs/deploy.md):
  --cert FILE         serve https and wss with this PEM certificate (chain)  [DUSTUP_TLS_CERT]
  --key FILE          and this unencrypted PEM private key; both or neither  [DUSTUP_TLS_KEY]
  --trust-proxy [A,B] behind a reverse proxy: take the client's address from X-Forwarded-For,
                      only on connections from these proxies (addresses or CIDR blocks;
                      alone: 127.0.0.1,::1), for the per-address limit and the logs.
                      Without it the header is ignored  [DUSTUP_TRUST_PROXY: 1 or a list]

Cluster: many nodes share one room directory on Redis (see docs/deploy.md):
  --redis URL         redis://HOST:6379 of the shared room directory; without it the
                      rooms live in this process only and nothing needs Redis  [DUSTUP_REDIS_URL]
  --public-url URL    where other nodes send players to this one, ws(s)://HOST:PORT
                      ("/ws" is added when no path is given; http(s) means ws(s))  [DUSTUP_PUBLIC_URL]
                      (default ws://127.0.0.1:PORT/ws: this machine only)
  --node-id ID        this node's name in the directory: 1..64 of A-Z a-z 0-9 . _ -
                      [DUSTUP_NODE_ID] (default: host name and a random suffix)
  --lease-ms N        advanced: this node's lease in the directory, ms, refreshed every N/5
                      (default 5000). A node silent this long (dead, or stalled) loses its
                      rooms' listings; shorter notices a dead node sooner but also evicts a
                      shorter stall. The chaos tests use 2000   [DUSTUP_LEASE_MS]

Replays (every match recorded; watch them from the menu or /?replay=ID):
  --replay-dir DIR    folder for replay files                   [DUSTUP_REPLAY_DIR] (default replays/ here)
  --replay-max-mb N   disk cap for that folder, oldest deleted first; 0 = none [DUSTUP_REPLAY_MAX_MB] (default 1024)
  --no-replays        record nothing                            [DUSTUP_NO_REPLAYS=1]
  --max-spectators N  spectators per public room; 0 = no spectating [DUSTUP_MAX_SPECTATORS] (default 32)
  --spectator-delay S spectators see the match this much later   [DUSTUP_SPECTATOR_DELAY] (default 2)

Logging:
  --log-level L       trace, debug, info, warn, error, silent   [DUSTUP_LOG_LEVEL] (default info)
  --log-format F      json or pretty                            [DUSTUP_LOG_FORMAT] (default pretty in a terminal, else json)
  -h, --help          show this help

Environment variables for the limits: DUSTUP_MAX_FRAME_BYTES, DUSTUP_MAX_MESSAGES_PER_SECOND,
DUSTUP_MAX_INPUTS_PER_SECOND, DUSTUP_MAX_CHAT_PER_SECOND, DUSTUP_MAX_CONNECTIONS_PER_IP,
DUSTUP_ALLOWED_ORIGINS, DUSTUP_HANDSHAKE_TIMEOUT, DUSTUP_IDLE_TIMEOUT, DUSTUP_RESUME_GRACE,
DUSTUP_SHUTDOWN_TIMEOUT.

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

/** A non-negative number of seconds, returned in ms. */
function secondsOption(name: string, raw: string | undefined, fallbackMs: number): number {
  if (raw === undefined || raw === '') return fallbackMs;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) fail(`${name} must be a number of seconds >= 0, got "${raw}"`);
  return Math.round(n * 1000);
}

function numberOption(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) fail(`${name} must be a number > 0, got "${raw}"`);
  return n;
}

function originsOption(raw: string | undefined): string[] | null {
  if (raw === undefined || raw.trim() === '') return null;
  const list = raw.split(',').map((o) => o.trim()).filter((o) => o !== '');
  for (const o of list) {
    let ok = false;
    try {
      ok = new URL(o).origin === o;
    } catch {
      ok = false;
    }
    if (!ok) fail(`--allowed-origins takes origins like https://example.com (scheme, host, optional port), got "${o}"`);
  }
  return list;
}

/**
 * `--trust-proxy` alone means the default proxies, but parseArgs wants every string
 * option to have a value: give the bare flag its list before parsing.
 */
function withTrustProxyValue(argv: string[]): string[] {
  return argv.map((a, i) =>
    a === '--trust-proxy' && (i + 1 === argv.length || argv[i + 1]!.startsWith('-'))
      ? `--trust-proxy=${DEFAULT_TRUSTED_PROXIES.join(',')}`
      : a,
  );
}

function trustProxyOption(flag: string | undefined, env: string | undefined): string[] | null {
  let raw = flag;
  if (raw === undefined) {
    const e = env?.trim().toLowerCase() ?? '';
    if (e === '' || e === '0' || e === 'false' || e === 'no') return null;
    raw = e === '1' || e === 'true' || e === 'yes' ? DEFAULT_TRUSTED_PROXIES.join(',') : env!;
  }
  const list = raw.split(',').map((p) => p.trim()).filter((p) => p !== '');
  if (list.length === 0) fail('--trust-proxy takes proxy addresses or CIDR blocks, e.g. 127.0.0.1,10.0.0.0/8');
  for (const p of list)
    if (!isProxySpec(p)) fail(`--trust-proxy takes IP addresses or CIDR blocks (10.0.0.0/8, fd00::/8), got "${p}"`);
  return list;
}

function tlsOption(cert: string | undefined, key: string | undefined): TlsFiles | null {
  const c = cert?.trim() || undefined;
  const k = key?.trim() || undefined;
  if (c === undefined && k === undefined) return null;
  if (c === undefined || k === undefined)
    fail(`--cert and --key go together (or DUSTUP_TLS_CERT and DUSTUP_TLS_KEY): ${c === undefined ? 'the certificate' : 'the key'} is missing`);
  return { certFile: resolve(c), keyFile: resolve(k) };
}

/** --redis, --public-url, --node-id (cluster mode), checked here so a typo fails at start. */
function clusterOptions(
  redis: string | undefined,
  publicUrl: string | undefined,
  nodeId: string | undefined,
): Pick<ServerConfig, 'redisUrl' | 'publicUrl' | 'nodeId'> {
  const r = redis?.trim() || undefined;
  if (r !== undefined && !/^rediss?:\/\/[^\s]+$/.test(r)) fail(`--redis takes redis://HOST:PORT (or rediss://), got "${r}"`);
  let url: string | null = null;
  const p = publicUrl?.trim() || undefined;
  if (p !== undefined) {
    url = normalizePublicUrl(p);
    if (url === null) fail(`--public-url takes ws(s)://HOST:PORT (or http(s)://), got "${p}"`);
  }
  const id = nodeId?.trim() || undefined;
  if (id !== undefined && !NODE_ID_RE.test(id)) fail(`--node-id takes 1..64 of A-Z a-z 0-9 . _ -, got "${id}"`);
  return { redisUrl: r ?? null, publicUrl: url, nodeId: id ?? null };
}

// --lease-ms (CHAOS, issue 11): the directory's lease as a real option, so the chaos
// suite and hosts can shorten it; the refresh keeps the design's five per lease.
function leaseOption(raw: string | undefined, d: ServerConfig): Pick<ServerConfig, 'leaseTtlMs' | 'leaseRefreshMs'> {
  if (raw === undefined || raw.trim() === '') return { leaseTtlMs: d.leaseTtlMs, leaseRefreshMs: d.leaseRefreshMs };
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 500 || n > 600_000) fail(`--lease-ms must be a whole number of ms from 500 to 600000, got "${raw}"`);
  return { leaseTtlMs: n, leaseRefreshMs: Math.floor(n / 5) };
}

function snapshotMode(raw: string): 'delta' | 'full' {
  if (raw !== 'delta' && raw !== 'full') fail(`--snapshot-mode must be delta or full, got "${raw}"`);
  return raw;
}

export function configFromArgs(argv: string[], env: NodeJS.ProcessEnv): ServerConfig | 'help' {
  let values;
  try {
    ({ values } = parseArgs({
      args: withTrustProxyValue(argv),
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        'tick-rate': { type: 'string' },
        'snapshot-rate': { type: 'string' },
        'max-players': { type: 'string' },
        'max-rooms': { type: 'string' },
        map: { type: 'string' },
        'snapshot-mode': { type: 'string' },
        'max-bytes-per-second': { type: 'string' },
        'max-rewind-ms': { type: 'string' },
        'client-dir': { type: 'string' },
        'assets-dir': { type: 'string' },
        'max-frame-bytes': { type: 'string' },
        'max-messages-per-second': { type: 'string' },
        'max-inputs-per-second': { type: 'string' },
        'max-chat-per-second': { type: 'string' },
        'max-connections-per-ip': { type: 'string' },
        'allowed-origins': { type: 'string' },
        'handshake-timeout': { type: 'string' },
        'idle-timeout': { type: 'string' },
        'resume-grace': { type: 'string' },
        'shutdown-timeout': { type: 'string' },
        cert: { type: 'string' },
        key: { type: 'string' },
        'trust-proxy': { type: 'string' },
        redis: { type: 'string' },
        'public-url': { type: 'string' },
        'node-id': { type: 'string' },
        'lease-ms': { type: 'string' },
        'log-level': { type: 'string' },
        'log-format': { type: 'string' },
        // replays
        'replay-dir': { type: 'string' },
        'replay-max-mb': { type: 'string' },
        'no-replays': { type: 'boolean' },
        'max-spectators': { type: 'string' },
        'spectator-delay': { type: 'string' },
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
  const level = values['log-level'] ?? env.DUSTUP_LOG_LEVEL ?? 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(level)) fail(`--log-level must be one of ${LOG_LEVELS.join(', ')}, got "${level}"`);
  const format = values['log-format'] ?? env.DUSTUP_LOG_FORMAT;
  if (format !== undefined && format !== 'json' && format !== 'pretty') fail(`--log-format must be json or pretty, got "${format}"`);
  const idleS = secondsOption('--idle-timeout', values['idle-timeout'] ?? env.DUSTUP_IDLE_TIMEOUT, d.idleTimeoutS * 1000) / 1000;
  if (idleS !== 0 && !(Number.isInteger(idleS) && idleS >= 8)) fail(`--idle-timeout must be 0 or a whole number of seconds >= 8, got ${idleS}`);
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
    maxBytesPerSecond: intOption('--max-bytes-per-second', values['max-bytes-per-second'] ?? env.DUSTUP_MAX_BYTES_PER_SECOND, d.maxBytesPerSecond),
    maxRewindMs: intOption('--max-rewind-ms', values['max-rewind-ms'] ?? env.DUSTUP_MAX_REWIND_MS, d.maxRewindMs),
    clientDir: resolve(values['client-dir'] ?? join(root, 'game-client', 'dist')),
    assetsDir: resolve(values['assets-dir'] ?? join(root, 'assets')),
    allowUwsFallback: env.DUSTUP_ALLOW_UWS_FALLBACK === '1',
    maxFrameBytes: intOption('--max-frame-bytes', values['max-frame-bytes'] ?? env.DUSTUP_MAX_FRAME_BYTES, d.maxFrameBytes),
    maxMessagesPerSecond:
      numberOption('--max-messages-per-second', values['max-messages-per-second'] ?? env.DUSTUP_MAX_MESSAGES_PER_SECOND) ?? null,
    maxInputsPerSecond:
      numberOption('--max-inputs-per-second', values['max-inputs-per-second'] ?? env.DUSTUP_MAX_INPUTS_PER_SECOND) ?? null,
    maxChatPerSecond:
      numberOption('--max-chat-per-second', values['max-chat-per-second'] ?? env.DUSTUP_MAX_CHAT_PER_SECOND) ?? d.maxChatPerSecond,
    maxConnectionsPerIp: intOption(
      '--max-connections-per-ip',
      values['max-connections-per-ip'] ?? env.DUSTUP_MAX_CONNECTIONS_PER_IP,
      d.maxConnectionsPerIp,
    ),
    allowedOrigins: originsOption(values['allowed-origins'] ?? env.DUSTUP_ALLOWED_ORIGINS),
    trustProxy: trustProxyOption(values['trust-proxy'], env.DUSTUP_TRUST_PROXY),
    tls: tlsOption(values.cert ?? env.DUSTUP_TLS_CERT, values.key ?? env.DUSTUP_TLS_KEY),
    handshakeTimeoutMs: secondsOption('--handshake-timeout', values['handshake-timeout'] ?? env.DUSTUP_HANDSHAKE_TIMEOUT, d.handshakeTimeoutMs),
    idleTimeoutS: idleS,
    resumeGraceMs: secondsOption('--resume-grace', values['resume-grace'] ?? env.DUSTUP_RESUME_GRACE, d.resumeGraceMs),
    shutdownTimeoutMs: secondsOption('--shutdown-timeout', values['shutdown-timeout'] ?? env.DUSTUP_SHUTDOWN_TIMEOUT, d.shutdownTimeoutMs),
    ...clusterOptions(values.redis ?? env.DUSTUP_REDIS_URL, values['public-url'] ?? env.DUSTUP_PUBLIC_URL, values['node-id'] ?? env.DUSTUP_NODE_ID),
    ...leaseOption(values['lease-ms'] ?? env.DUSTUP_LEASE_MS, d),
    logger: createLogger({ level, pretty: format === undefined ? undefined : format === 'pretty' }),
    seed: (Date.now() ^ (process.pid << 8)) >>> 0,
    // Replays: on by default, into replays/ in the working directory.
    replayDir:
      values['no-replays'] || env.DUSTUP_NO_REPLAYS === '1' ? null : resolve(values['replay-dir'] ?? env.DUSTUP_REPLAY_DIR ?? 'replays'),
    replayMaxBytes: intOption('--replay-max-mb', values['replay-max-mb'] ?? env.DUSTUP_REPLAY_MAX_MB, 1024) * 1024 * 1024,
    // Spectating (Watch): its own limit per room, and a delay.
    maxSpectators: intOption('--max-spectators', values['max-spectators'] ?? env.DUSTUP_MAX_SPECTATORS, d.maxSpectators),
    spectatorDelayMs: secondsOption('--spectator-delay', values['spectator-delay'] ?? env.DUSTUP_SPECTATOR_DELAY, d.spectatorDelayMs),
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
  const log = config.logger;
  const shown = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  // Tools (bench, tests) read the port from this line: keep "listening: http(s)://HOST:PORT/".
  const ws = server.scheme === 'https' ? 'wss' : 'ws';
  log.info(
    {
      port: server.port, tickRate: config.tickRate, snapshotRate: config.snapshotRate, tls: config.tls !== null, trustProxy: config.trustProxy,
      node: server.game.directory.node.id, directory: server.game.directory.kind,
    },
    `Dustup server listening: ${server.scheme}://${shown}:${server.port}/  ` +
      `(WebSocket ${ws}://${shown}:${server.port}/ws, tick ${config.tickRate} Hz, snapshots ${config.snapshotRate} Hz)`,
  );
  let stopping = false;
  const stop = (why: string, exitCode: number, fields: Record<string, unknown>): void => {
    if (stopping) return;
    stopping = true;
    log.info(fields, `${why}: closing connections with 4010 ServerShutdown and shutting down`);
    // A backstop: whatever happens, the process is gone shortly after the grace period.
    setTimeout(() => process.exit(exitCode), config.shutdownTimeoutMs + 2000).unref();
    void server.close().then(() => {
      // Let the last close frames flush before the process exits.
      setTimeout(() => process.exit(exitCode), 100).unref();
    });
  };
  process.on('SIGINT', () => stop('SIGINT', 0, { signal: 'SIGINT' }));
  process.on('SIGTERM', () => stop('SIGTERM', 0, { signal: 'SIGTERM' }));
  // Policy for what nothing else caught. A room's tick, every WebSocket callback and
  // every HTTP handler contain their own throws (1011 for that room or that connection,
  // 500 for that request), so an exception that still reaches here came from somewhere
  // no one can vouch for (a timer, a library): the process state is unknown, and Node
  // does not promise it can go on. Log it with its stack, close every client politely
  // (4010, so they reconnect), and exit 1 so the supervisor starts a clean process.
  // Unhandled promise rejections arrive here too (Node's default 'throw' mode).
  process.on('uncaughtException', (err, origin) => {
    log.fatal({ err, origin }, 'uncaught exception: shutting down');
    stop('uncaught exception', 1, { origin });
  });
}

await main();
