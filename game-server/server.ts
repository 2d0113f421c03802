/**
 * createServer(): the uWS application on one port, assembled from its parts: the game
 * core (game.ts), the WebSocket endpoint behind its upgrade guard (http/websocket.ts,
 * http/upgrade-guard.ts), the HTTP routes (http/routes.ts) and the graceful stop
 * (http/shutdown.ts); over TLS when given a certificate (http/tls.ts). uWS stays inside
 * this file and http/.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseTiledMap } from '../protocol/index.ts';
import { defaultConfig, validateConfig, type ServerConfig, type TlsFiles } from './config.ts';
import { Game } from './game.ts';
import { registerRoutes } from './http/routes.ts';
import { shutdown } from './http/shutdown.ts';
import { TlsConfigError, checkTlsFiles } from './http/tls.ts';
import { UpgradeGuard } from './http/upgrade-guard.ts';
import { bindWebSocket } from './http/websocket.ts';
import type { Logger } from './logger.ts';
import type { ServerMetrics } from './metrics.ts';
import { StaticRoot } from './static-files.ts';
import { loadUws, type Uws } from './uws.ts';
import type { TemplatedApp, us_listen_socket } from 'uWebSockets.js';

export interface DustupServer {
  /** The port actually listened on (useful with port 0). */
  readonly port: number;
  readonly game: Game;
  /** Whether uWS runs on its native binding. */
  readonly nativeUws: boolean;
  /** 'https' when serving TLS itself (then the WebSocket is wss), else 'http'. */
  readonly scheme: 'http' | 'https';
  /** Prometheus registry behind /metrics. */
  readonly metrics: ServerMetrics;
  /**
   * Graceful stop: stop accepting connections, close every client with ServerShutdown
   * (4010), and resolve once they are gone or after config.shutdownTimeoutMs, whichever
   * comes first (stragglers are cut then).
   */
  close(): Promise<void>;
}

/**
 * uWS refuses frames larger than this outright (closing the socket); frames between
 * Limits.MAX_CLIENT_FRAME_BYTES and this are refused by the protocol with FrameTooLarge.
 */
const TRANSPORT_MAX_PAYLOAD = 16 * 1024;

export async function createServer(overrides: Partial<ServerConfig> = {}): Promise<DustupServer> {
  const config: ServerConfig = { ...defaultConfig(), ...overrides };
  validateConfig(config);
  const { uws, native } = loadUws(config.allowUwsFallback);
  const log = config.logger;
  // First, so a bad certificate is reported before anything else is built.
  const app = config.tls ? sslApp(uws, config.tls, log) : uws.App();

  const mapPath = join(config.assetsDir, 'maps', `${config.mapId}.json`);
  const map = parseTiledMap(config.mapId, JSON.parse(readFileSync(mapPath, 'utf8')));
  const game = new Game(config, map);

  const assets = new StaticRoot(config.assetsDir, () => 'public, max-age=3600');
  // Vite puts content-hashed bundles under static/: safe to cache for a year.
  const client = config.clientDir
    ? new StaticRoot(config.clientDir, (rel) =>
        rel.startsWith('static/') ? 'public, max-age=31536000, immutable' : 'no-cache',
      )
    : null;

  const guard = new UpgradeGuard(config);
  let port = 0;
  const endpoint = bindWebSocket(app, '/ws', game.hub, guard, {
    maxPayloadLength: TRANSPORT_MAX_PAYLOAD,
    idleTimeoutS: config.idleTimeoutS,
    // Bounded: uWS drops sends past this; the room skips snapshots well before it.
    maxBackpressure: 1024 * 1024,
  }, log);
  let stopping = false;
  registerRoutes(app, {
    game, assets, client, nativeUws: native, stopping: () => stopping, config, log,
    directoryRoutes: {
      directory: game.directory,
      guard,
      // As many seat requests a second as connections an address may hold: 0 lifts both.
      seatsPerSecond: config.maxConnectionsPerIp,
      tls: config.tls !== null,
      trustProxy: config.trustProxy !== null,
      port: () => port,
      log,
    },
  });

  const listenSocket = await new Promise<us_listen_socket>((resolvePromise, reject) => {
    app.listen(config.host, config.port, (token) => {
      if (token) resolvePromise(token);
      else reject(new Error(`could not listen on ${config.host}:${config.port} (port in use or not permitted)`));
    });
  });
  port = uws.us_socket_local_port(listenSocket);
  game.start();
  // Cluster mode: join the shared directory once the port is known (other nodes send players here).
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  if (config.redisUrl && !config.publicUrl && host === '127.0.0.1' && config.host !== '127.0.0.1')
    log.warn('no --public-url: other nodes will send players to 127.0.0.1, which only works on this machine');
  await game.directory.start(config.publicUrl ?? `${config.tls ? 'wss' : 'ws'}://${host}:${port}/ws`);

  let closing: Promise<void> | null = null;
  const stop = (): Promise<void> => {
    stopping = true;
    // Leave the directory first, so no other node sends players here while we close.
    const left = game.directory.stop().catch((err: unknown) => log.warn({ err }, 'leaving the room directory failed'));
    return left
      .then(() =>
        shutdown({
          stopListening: () => uws.us_listen_socket_close(listenSocket),
          game,
          endpoint,
          timeoutMs: config.shutdownTimeoutMs,
          log,
        }),
      )
      // The rooms emptied as their clients went: their replays' last writes and footers land.
      .then(() => game.replays?.close());
  };
  return {
    port,
    game,
    nativeUws: native,
    scheme: config.tls ? 'https' : 'http',
    metrics: game.metrics,
    close: () => (closing ??= stop()),
  };
}

function sslApp(uws: Uws, tls: TlsFiles, log: Logger): TemplatedApp {
  const checked = checkTlsFiles(tls);
  if (checked.validTo.getTime() < Date.now())
    log.warn({ subject: checked.subject, validTo: checked.validTo }, 'the TLS certificate has expired: browsers will refuse it');
  try {
    return uws.SSLApp({ cert_file_name: tls.certFile, key_file_name: tls.keyFile });
  } catch {
    // Node's checks passed, so this is something only OpenSSL inside uWS objects to.
    throw new TlsConfigError(`uWebSockets.js could not load the TLS certificate ${tls.certFile} with the key ${tls.keyFile}`);
  }
}
