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
  /** Close every connection with ServerShutdown and stop listening. */
  close(): Promise<void>;
}

interface SocketData {
  session: Session | null;
  remoteAddress: string;
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
  const app = uws.App();

  app.ws<SocketData>('/ws', {
    maxPayloadLength: TRANSPORT_MAX_PAYLOAD,
    idleTimeout: config.idleTimeoutS,
    // Bounded: uWS drops sends past this; the room skips snapshots well before it.
    maxBackpressure: 1024 * 1024,
    sendPingsAutomatically: true,
    upgrade: (res, req, context) => {
      const data: SocketData = {
        session: null,
        open: false,
        remoteAddress: Buffer.from(res.getRemoteAddressAsText()).toString(),
      };
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
        res.end(result.message);
        return;
      }
      res.writeHeader('Content-Type', result.file.contentType);
      res.writeHeader('Cache-Control', result.file.cacheControl);
      res.writeHeader('X-Content-Type-Options', 'nosniff');
      if (head) res.endWithoutBody(result.file.body.byteLength);
      else res.end(result.file.body);
    });
  };

  const cpuAtStart = process.cpuUsage();
  const startedAt = performance.now();
  app.get('/healthz', (res) => {
    sendJson(res, { status: 'ok', rooms: game.directory.rooms.size, players: game.playerCount, uws: native ? 'native' : 'fallback' });
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
  app.get('/*', (res, req) => serve(res, req.getUrl(), false));
  app.head('/*', (res, req) => serve(res, req.getUrl(), true));
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

  let closed = false;
  return {
    port,
    game,
    nativeUws: native,
    close: async () => {
      if (closed) return;
      closed = true;
      game.stop();
      uws.us_listen_socket_close(listenSocket);
      for (const s of [...game.sessions]) s.close(CloseCode.ServerShutdown, 'server shutting down');
      // Sockets still open after a polite close get cut; none may keep the process alive.
      for (const ws of [...sockets]) {
        try {
          ws.close();
        } catch {
          // already closed
        }
      }
    },
  };
}

