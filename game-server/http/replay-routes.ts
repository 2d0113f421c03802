/**
 * GET /api/replays (the listing) and GET /replays/ID (one file, as it is on disk).
 * The ID is checked by the store against its strict pattern before it comes near a
 * path; anything else is 400 or 404 and nothing outside the replay folder is read.
 * A finished replay never changes (immutable, cached for a day); a live or cut-short
 * one may still grow, so it is revalidated each time.
 */
import { readFile } from 'node:fs/promises';
import type { HttpResponse, TemplatedApp } from 'uWebSockets.js';
import { trailerFooterBytes, TRAILER_BYTES } from '../../protocol/replay/index.ts';
import type { Logger } from '../logger.ts';
import { REPLAY_ID, type ReplayStore } from '../replay/replay-store.ts';

export function registerReplayRoutes(app: TemplatedApp, store: ReplayStore | null, log: Logger): void {
  app.get('/api/replays', (res) => {
    const state = guard(res);
    if (!store) return send(res, state, '200 OK', 'application/json; charset=utf-8', JSON.stringify({ enabled: false, replays: [] }), 'no-store');
    store.list().then(
      (replays) => send(res, state, '200 OK', 'application/json; charset=utf-8', JSON.stringify({ enabled: true, replays }), 'no-store'),
      (err: unknown) => {
        log.error({ err }, 'listing replays failed');
        send(res, state, '500 Internal Server Error', 'text/plain; charset=utf-8', 'could not list replays', 'no-store');
      },
    );
  });
  app.get('/replays/:id', (res, req) => {
    const id = req.getParameter(0) ?? '';
    const ifNoneMatch = req.getHeader('if-none-match');
    const state = guard(res);
    const text = (status: string, body: string): void => send(res, state, status, 'text/plain; charset=utf-8', body, 'no-store');
    if (!REPLAY_ID.test(id)) return text('400 Bad Request', 'not a replay id');
    if (!store) return text('404 Not Found', 'replays are off on this server');
    void serveReplay(store, id, ifNoneMatch).then(
      (r) => {
        if (!r) return text('404 Not Found', 'no such replay');
        if (r.notModified) return send(res, state, '304 Not Modified', null, null, r.cacheControl, r.etag);
        send(res, state, '200 OK', 'application/octet-stream', r.body!, r.cacheControl, r.etag);
      },
      (err: unknown) => {
        log.error({ err, replay: id }, 'serving a replay failed');
        text('500 Internal Server Error', 'could not read the replay');
      },
    );
  });
}

async function serveReplay(
  store: ReplayStore,
  id: string,
  ifNoneMatch: string,
): Promise<{ body: Uint8Array | null; etag: string; cacheControl: string; notModified: boolean } | null> {
  const found = await store.resolve(id);
  if (!found) return null;
  const etag = `"${found.size.toString(36)}-${Math.floor(found.mtimeMs).toString(36)}"`;
  const body = await readFile(found.path);
  const finished = body.length > TRAILER_BYTES && trailerFooterBytes(body.subarray(body.length - TRAILER_BYTES)) > 0;
  const cacheControl = finished ? 'public, max-age=86400, immutable' : 'no-cache';
  if (ifNoneMatch === etag) return { body: null, etag, cacheControl, notModified: true };
  return { body, etag, cacheControl, notModified: false };
}

interface Guard {
  aborted: boolean;
}

/** uWS needs onAborted before any async answer; a gone client is not written to. */
function guard(res: HttpResponse): Guard {
  const g = { aborted: false };
  res.onAborted(() => (g.aborted = true));
  return g;
}

function send(
  res: HttpResponse,
  g: Guard,
  status: string,
  type: string | null,
  body: string | Uint8Array | null,
  cacheControl: string,
  etag?: string,
): void {
  if (g.aborted) return;
  g.aborted = true;
  res.cork(() => {
    res.writeStatus(status);
    if (type) res.writeHeader('Content-Type', type);
    res.writeHeader('Cache-Control', cacheControl);
    res.writeHeader('X-Content-Type-Options', 'nosniff');
    if (etag) res.writeHeader('ETag', etag);
    // uWS writes Content-Length itself from the body given to end().
    if (body === null) res.endWithoutBody();
    else res.end(body);
  });
}
