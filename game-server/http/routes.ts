/**
 * The HTTP side of the one port: /healthz, /metrics, /api/stats, /api/rooms, the built
 * client and /assets. Every handler answers, even when it fails (500): uWS aborts the
 * process when a request is left without a response.
 */
import type { HttpResponse, TemplatedApp } from 'uWebSockets.js';
import type { Game } from '../game.ts';
import { DEFAULT_WINDOW } from '../tick-stats.ts';
import type { Logger } from '../logger.ts';
import { registerDirectoryRoutes, type DirectoryRouteContext } from './directory-routes.ts';
import { summarizeBudgets, type ClientBudget } from '../net/budget.ts';
import type { Room } from '../room.ts';
import type { StaticResult, StaticRoot } from '../static-files.ts';
import { registerReplayRoutes } from './replay-routes.ts';

export interface RouteContext {
  game: Game;
  /** Served at /assets/. */
  assets: StaticRoot;
  /** The built client, served at /; null when none is configured. */
  client: StaticRoot | null;
  /** Whether uWS runs on its native binding (shown in /healthz). */
  nativeUws: boolean;
  /** True once shutdown began (/healthz says 'stopping'). */
  stopping(): boolean;
  /** Figures /api/stats repeats from the config. */
  config: { tickRate: number; snapshotRate: number; maxPlayers: number };
  log: Logger;
  directoryRoutes: DirectoryRouteContext;
}

export function registerRoutes(app: TemplatedApp, ctx: RouteContext): void {
  const { game, log } = ctx;
  const cpuAtStart = process.cpuUsage();
  const startedAt = performance.now();

  app.get('/healthz', (res) => {
    answer(res, log, '/healthz', () =>
      sendJson(res, {
        status: ctx.stopping() ? 'stopping' : 'ok',
        rooms: game.directory.rooms.size,
        players: game.playerCount,
        connections: game.sessions.size,
        uws: ctx.nativeUws ? 'native' : 'fallback',
        node: { id: game.directory.node.id, epoch: game.directory.node.epoch },
        directory: game.directory.status(),
      }),
    );
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
  // Figures a load tester reads before and after a run (see game-client/bots). With
  // ?since=N the tick percentiles cover ticks N.. only: the tester's own window.
  app.get('/api/stats', (res, req) => {
    const sinceText = req.getQuery('since');
    answer(res, log, '/api/stats', () => {
      const cpu = process.cpuUsage(cpuAtStart);
      const stats = game.tickStats;
      const asked = sinceText ? Number(sinceText) : Number.NaN;
      const since = Number.isFinite(asked) && asked >= 0 ? asked : Math.max(0, stats.totalTicks - DEFAULT_WINDOW);
      const first = stats.firstKept(since);
      const input = game.roomTotals.input;
      sendJson(res, {
        uptimeMs: Math.round(performance.now() - startedAt),
        tickRate: ctx.config.tickRate,
        snapshotRate: ctx.config.snapshotRate,
        maxPlayers: ctx.config.maxPlayers,
        ticks: stats.totalTicks,
        tickP50Ms: stats.percentile(0.5, since),
        tickP99Ms: stats.percentile(0.99, since),
        /** The ticks the two percentiles cover: first .. ticks - 1. */
        tickWindow: { first, count: stats.totalTicks - first },
        // Cumulative since start: a reader takes the difference over its window.
        input: { ...input },
        // Bandwidth budget: cumulative counters, and every open connection's state now.
        budget: { ...game.roomTotals.budget, now: summarizeBudgets(openBudgets(game.directory.rooms.values())) },
        tickOverruns: game.loop.overruns,
        cpuUserUs: cpu.user,
        cpuSystemUs: cpu.system,
        rssBytes: process.memoryUsage.rss(),
        rooms: game.directory.rooms.size,
        players: game.playerCount,
        connections: game.sessions.size,
        // Cumulative, like input: a reader takes the difference (Redis commands per join).
        directory: { ...game.directory.status(), commands: game.directory.commands },
      });
    });
  });
  // /api/seat and /api/rooms ask the room directory (maybe Redis): directory-routes.ts.
  registerDirectoryRoutes(app, ctx.directoryRoutes);

  registerReplayRoutes(app, game.replays, log);

  const serve = (res: HttpResponse, url: string, head: boolean): void => {
    if (url.startsWith('/assets/')) return sendStatic(res, ctx.assets.lookup(url.slice('/assets/'.length)), head);
    if (!ctx.client) return sendStatic(res, { status: 404, message: 'no client directory configured' }, head);
    const rel = url === '/' ? 'index.html' : url.slice(1);
    const result = ctx.client.lookup(rel);
    if (result.status === 404 && url === '/')
      return sendStatic(res, { status: 404, message: 'client not built: run `npm run build`' }, head);
    sendStatic(res, result, head);
  };
  app.get('/*', (res, req) => {
    const url = req.getUrl();
    answer(res, log, url, () => serve(res, url, false));
  });
  app.head('/*', (res, req) => {
    const url = req.getUrl();
    answer(res, log, url, () => serve(res, url, true));
  });
  app.any('/*', (res, req) => {
    const seat = req.getUrl() === '/api/seat';
    res.cork(() => {
      res.writeStatus('405 Method Not Allowed');
      res.writeHeader('Allow', seat ? 'POST' : 'GET, HEAD');
      res.end('method not allowed');
    });
  });
}

/** Run a synchronous handler; if it throws, log it and answer 500 instead. */
function answer(res: HttpResponse, log: Logger, url: string, handle: () => void): void {
  try {
    handle();
  } catch (err) {
    log.error({ err, url }, 'HTTP handler failed');
    try {
      res.cork(() => {
        res.writeStatus('500 Internal Server Error');
        res.end('internal error');
      });
    } catch {
      // the response was already sent
    }
  }
}

function sendJson(res: HttpResponse, body: unknown): void {
  res.cork(() => {
    res.writeHeader('Content-Type', 'application/json; charset=utf-8');
    res.writeHeader('Cache-Control', 'no-store');
    res.end(JSON.stringify(body));
  });
}

function sendStatic(res: HttpResponse, result: StaticResult, head: boolean): void {
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
}

/** The budgets of every open connection (for /api/stats). */
function* openBudgets(rooms: Iterable<Room>): Iterable<ClientBudget> {
  for (const room of rooms) for (const p of room.players.values()) if (p.channel.open) yield p.channel.budget;
}
