/**
 * The uWS application: WebSocket endpoint, game page, assets, health and stats. uWS stays
 * inside this file; everything it receives is handed to Game as plain bytes and
 * functions.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CloseCode, parseTiledMap } from '../protocol/index.ts';
import { defaultConfig, validateConfig, type ServerConfig } from './config.ts';
import { Game } from './game.ts';
import type { ServerMetrics } from './metrics.ts';
import type { Session } from './net/session.ts';
import { StaticRoot, type StaticResult } from './static-files.ts';
import { loadUws } from './uws.ts';
import type { HttpResponse, WebSocket, us_listen_socket } from 'uWebSockets.js';

export interface DustupServer {
  /** The port actually listened on (useful with port 0). */
  readonly port: number;
  readonly game: Game;
  /** Whether uWS runs on its native binding. */
  readonly nativeUws: boolean;
  /** Prometheus registry behind /metrics. */
  readonly metrics: ServerMetrics;
  /**
   * Graceful stop: stop accepting connections, close every client with ServerShutdown
   * (4010), and resolve once they are gone or after config.shutdownTimeoutMs, whichever
   * comes first (stragglers are cut then).
   */
  close(): Promise<void>;
}

interface SocketData {
  session: Session | null;
  remoteAddress: string;
  /** Counted in the per-address connection limit (released on close). */
  counted: boolean;
  /** False once either side closed; uWS sockets must not be used after close. */
  open: boolean;
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

  const sockets = new Set<WebSocket<SocketData>>();
  const perAddress = new Map<string, number>();
  const allowedOrigins = config.allowedOrigins ? new Set(config.allowedOrigins) : null;
  const log = config.logger;
  const app = uws.App();

  const refuseUpgrade = (res: HttpResponse, status: string, why: string, addr: string): void => {
    log.info({ addr, status }, `WebSocket upgrade refused: ${why}`);
    res.cork(() => {
      res.writeStatus(status);
      res.writeHeader('Content-Type', 'text/plain; charset=utf-8');
      res.end(why);
    });
  };

  app.ws<SocketData>('/ws', {
    maxPayloadLength: TRANSPORT_MAX_PAYLOAD,
    idleTimeout: config.idleTimeoutS,
    // Bounded: uWS drops sends past this; the room skips snapshots well before it.
    maxBackpressure: 1024 * 1024,
    sendPingsAutomatically: true,
    upgrade: (res, req, context) => {
      const remoteAddress = Buffer.from(res.getRemoteAddressAsText()).toString();
      // Browsers always send Origin; a page on a foreign site is refused here so it cannot
      // play with its visitors' connections. Clients without one (bots, native) are not
      // browsers, and could claim any Origin anyway.
      const origin = req.getHeader('origin');
      if (allowedOrigins && origin !== '' && !allowedOrigins.has(origin))
        return refuseUpgrade(res, '403 Forbidden', `origin ${origin} is not allowed`, remoteAddress);
      const open = perAddress.get(remoteAddress) ?? 0;
      if (config.maxConnectionsPerIp > 0 && open >= config.maxConnectionsPerIp)
        return refuseUpgrade(
          res,
          '429 Too Many Requests',
          `too many connections from ${remoteAddress} (limit ${config.maxConnectionsPerIp})`,
          remoteAddress,
        );
      perAddress.set(remoteAddress, open + 1);
      const data: SocketData = { session: null, open: false, remoteAddress, counted: true };
      res.upgrade(
        data,
        req.getHeader('sec-websocket-key'),
        req.getHeader('sec-websocket-protocol'),
        req.getHeader('sec-websocket-extensions'),
        context,
      );
    },
    open: (ws) => {
      sockets.add(ws);
      const data = ws.getUserData();
      data.open = true;
      data.session = game.open(
        {
          send: (bytes) => {
            if (data.open) ws.send(bytes, true, false);
          },
          close: (code, reason) => {
            if (!data.open) return;
            data.open = false;
            ws.end(code, reason);
          },
          bufferedAmount: () => (data.open ? ws.getBufferedAmount() : 0),
        },
        data.remoteAddress,
      );
    },
    message: (ws, message, isBinary) => {
      const s = ws.getUserData().session;
      // The ArrayBuffer is only valid during this call; decoding copies what it keeps.
      if (s) game.message(s, new Uint8Array(message), isBinary);
    },
    close: (ws, code, message) => {
      sockets.delete(ws);
      const data = ws.getUserData();
      // uWS forbids touching the socket from here on.
      data.open = false;
      if (data.counted) {
        data.counted = false;
        const n = (perAddress.get(data.remoteAddress) ?? 1) - 1;
        if (n > 0) perAddress.set(data.remoteAddress, n);
        else perAddress.delete(data.remoteAddress);
      }
      if (data.session) game.closed(data.session, code, Buffer.from(message).toString());
    },
  });

  const sendJson = (res: HttpResponse, body: unknown): void => {
    res.cork(() => {
      res.writeHeader('Content-Type', 'application/json; charset=utf-8');
      res.writeHeader('Cache-Control', 'no-store');
      res.end(JSON.stringify(body));
    });
  };

  const sendStatic = (res: HttpResponse, result: StaticResult, head: boolean): void => {
    res.cork(() => {
      if (result.status !== 200) {
        res.writeStatus(result.status === 400 ? '400 Bad Request' : '404 Not Found');
        res.writeHeader('Content-Type', 'text/plain; charset=utf-8');
        // A HEAD answer has no body, or a keep-alive client reads it as the next response.
        if (head) {
          res.writeHeader('Content-Length', String(Buffer.byteLength(result.message)));
          res.endWithoutBody();
        } else res.end(result.message);
        return;
      }
      res.writeHeader('Content-Type', result.file.contentType);
      res.writeHeader('Cache-Control', result.file.cacheControl);
      res.writeHeader('X-Content-Type-Options', 'nosniff');
      // endWithoutBody(length) aborts the process in the uWS build we use (a HEAD request
      // from anyone would take the server down): state the length ourselves.
      if (head) {
        res.writeHeader('Content-Length', String(result.file.body.byteLength));
        res.endWithoutBody();
      } else res.end(result.file.body);
    });
  };

  const cpuAtStart = process.cpuUsage();
  const startedAt = performance.now();
  let stopping = false;
  app.get('/healthz', (res) => {
    sendJson(res, {
      status: stopping ? 'stopping' : 'ok',
      rooms: game.directory.rooms.size,
      players: game.playerCount,
      connections: game.sessions.size,
      uws: native ? 'native' : 'fallback',
    });
  });
  app.get('/metrics', (res) => {
    let aborted = false;
    res.onAborted(() => (aborted = true));
    game.metrics.scrape().then(
      ({ text, contentType }) => {
        if (aborted) return;
        res.cork(() => {
          res.writeHeader('Content-Type', contentType);
          res.writeHeader('Cache-Control', 'no-store');
          res.end(text);
        });
      },
      (err: unknown) => {
        log.error({ err }, 'collecting metrics failed');
        if (aborted) return;
        res.cork(() => {
          res.writeStatus('500 Internal Server Error');
          res.end('metrics unavailable');
        });
      },
    );
  });
  // Figures a load tester reads before and after a run (see game-client/bots).
  app.get('/api/stats', (res) => {
    const cpu = process.cpuUsage(cpuAtStart);
    sendJson(res, {
      uptimeMs: Math.round(performance.now() - startedAt),
      tickRate: config.tickRate,
      snapshotRate: config.snapshotRate,
      maxPlayers: config.maxPlayers,
      ticks: game.tickStats.totalTicks,
      tickP50Ms: game.tickStats.percentile(0.5),
      tickP99Ms: game.tickStats.percentile(0.99),
      tickOverruns: game.loop.overruns,
      cpuUserUs: cpu.user,
      cpuSystemUs: cpu.system,
      rssBytes: process.memoryUsage.rss(),
      rooms: game.directory.rooms.size,
      players: game.playerCount,
      connections: game.sessions.size,
    });
  });
  app.get('/api/rooms', (res) => {
    const rooms = [...game.directory.rooms.values()]
      .filter((r) => r.isPublic)
      .map((r) => ({ code: r.code, players: r.size, capacity: r.capacity }));
    sendJson(res, { rooms });
  });

  const serve = (res: HttpResponse, url: string, head: boolean): void => {
    if (url.startsWith('/assets/')) return sendStatic(res, assets.lookup(url.slice('/assets/'.length)), head);
    if (!client) return sendStatic(res, { status: 404, message: 'no client directory configured' }, head);
    const rel = url === '/' ? 'index.html' : url.slice(1);
    const result = client.lookup(rel);
    if (result.status === 404 && url === '/')
      return sendStatic(res, { status: 404, message: 'client not built: run `npm run build`' }, head);
    sendStatic(res, result, head);
  };
  // uWS aborts the process when a handler returns without responding, so a bug here must
  // still answer (500) rather than take everyone's game down.
  const guarded = (res: HttpResponse, url: string, head: boolean): void => {
    try {
      serve(res, url, head);
    } catch (err) {
      log.error({ err, url }, 'static file handler failed');
      res.cork(() => {
        res.writeStatus('500 Internal Server Error');
        res.end('internal error');
      });
    }
  };
  app.get('/*', (res, req) => guarded(res, req.getUrl(), false));
  app.head('/*', (res, req) => guarded(res, req.getUrl(), true));
  app.any('/*', (res) => {
    res.cork(() => {
      res.writeStatus('405 Method Not Allowed');
      res.writeHeader('Allow', 'GET, HEAD');
      res.end('method not allowed');
    });
  });

  const listenSocket = await new Promise<us_listen_socket>((resolvePromise, reject) => {
    app.listen(config.host, config.port, (token) => {
      if (token) resolvePromise(token);
      else reject(new Error(`could not listen on ${config.host}:${config.port} (port in use or not permitted)`));
    });
  });
  const port = uws.us_socket_local_port(listenSocket);
  game.start();

  let closing: Promise<void> | null = null;
  const shutdown = async (): Promise<void> => {
    stopping = true;
    // No new connections from here on; then every client hears why it is closed.
    uws.us_listen_socket_close(listenSocket);
    game.stop();
    const n = game.sessions.size;
    for (const s of [...game.sessions]) s.close(CloseCode.ServerShutdown, 'server restarting');
    const deadline = performance.now() + config.shutdownTimeoutMs;
    while (sockets.size > 0 && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    // Sockets still open after a polite close get cut; none may keep the process alive.
    const cut = sockets.size;
    for (const ws of [...sockets]) {
      try {
        ws.close();
      } catch {
        // already closed
      }
    }
    log.info({ clients: n, cut }, 'server stopped');
  };
  return {
    port,
    game,
    nativeUws: native,
    metrics: game.metrics,
    close: () => (closing ??= shutdown()),
  };
}

