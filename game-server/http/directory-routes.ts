/**
 * The HTTP side of matchmaking: POST /api/seat (where to play, with a seat ticket) and
 * GET /api/rooms (every node's public rooms). Both ask the room directory, which may be
 * Redis, so they answer asynchronously; uWS needs onAborted for that and every answer
 * corked. The body is small, JSON, checked field by field; each address gets a token
 * bucket of seat requests (tied to --max-connections-per-ip: 0 lifts both limits).
 */
import type { HttpRequest, HttpResponse, TemplatedApp } from 'uWebSockets.js';
import { CREATE_PRIVATE_ROOM, CloseCode, Limits, ProtocolError, ROOM_CODE_ALPHABET } from '../../protocol/index.ts';
import type { RoomDirectory, SeatRequest } from '../directory/room-directory.ts';
import type { Logger } from '../logger.ts';
import { RateLimiter } from '../net/rate-limiter.ts';
import type { UpgradeGuard } from './upgrade-guard.ts';

/** A seat request is a few dozen bytes; anything much bigger is not one. */
export const MAX_SEAT_BODY_BYTES = 512;
const ROOM_RE = new RegExp(`^(|${CREATE_PRIVATE_ROOM}|[${ROOM_CODE_ALPHABET}]{${Limits.ROOM_CODE_MIN},${Limits.ROOM_CODE_MAX}})$`);
const REQUEST_ID_RE = /^[A-Za-z0-9_-]{8,64}$/;
const HOST_RE = /^[A-Za-z0-9.-]{1,253}(:\d{1,5})?$|^\[[0-9A-Fa-f:.]{2,45}\](:\d{1,5})?$/;

export interface DirectoryRouteContext {
  directory: RoomDirectory;
  guard: UpgradeGuard;
  /** Seat requests per second per address (and the burst); 0: no limit. */
  seatsPerSecond: number;
  /** Whether this node serves TLS itself (then its own URL is wss). */
  tls: boolean;
  /** Whether X-Forwarded-Proto may be believed (behind --trust-proxy). */
  trustProxy: boolean;
  port: () => number;
  log: Logger;
}

/** HTTP status for a refusal's close code. */
function statusFor(code: number): string {
  switch (code) {
    case CloseCode.Malformed:
      return '400 Bad Request';
    case CloseCode.RoomNotFound:
      return '404 Not Found';
    case CloseCode.RoomFull:
      return '409 Conflict';
    case CloseCode.FrameTooLarge:
      return '413 Payload Too Large';
    case CloseCode.RateLimited:
      return '429 Too Many Requests';
    case CloseCode.ServerFull:
    case CloseCode.DirectoryUnavailable:
      return '503 Service Unavailable';
    default:
      return '500 Internal Server Error';
  }
}

/** The body, checked: {room, requestId?}, nothing else. */
export function parseSeatBody(text: string): Omit<SeatRequest, 'localUrl'> {
  let v: unknown;
  try {
    v = text.trim() === '' ? {} : JSON.parse(text);
  } catch {
    throw new ProtocolError(CloseCode.Malformed, 'the body must be JSON: {"room": ""}');
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ProtocolError(CloseCode.Malformed, 'the body must be a JSON object');
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o))
    if (k !== 'room' && k !== 'requestId') throw new ProtocolError(CloseCode.Malformed, `unknown field "${k.slice(0, 20)}"`);
  const room = o['room'] ?? '';
  if (typeof room !== 'string' || !ROOM_RE.test(room))
    throw new ProtocolError(CloseCode.Malformed, `room must be "", "${CREATE_PRIVATE_ROOM}" or a room code`);
  const requestId = o['requestId'];
  if (requestId !== undefined && (typeof requestId !== 'string' || !REQUEST_ID_RE.test(requestId)))
    throw new ProtocolError(CloseCode.Malformed, 'requestId must be 8..64 characters of A-Z a-z 0-9 - _');
  return requestId === undefined ? { room } : { room, requestId };
}

export function registerDirectoryRoutes(app: TemplatedApp, ctx: DirectoryRouteContext): void {
  const limiters = new Map<string, RateLimiter>();
  let lastPrune = performance.now();
  const allowed = (address: string): boolean => {
    if (ctx.seatsPerSecond <= 0) return true;
    const now = performance.now();
    // Forget quiet addresses now and then: one bucket per address must not grow forever.
    if (now - lastPrune > 60_000 || limiters.size > 10_000) {
      limiters.clear();
      lastPrune = now;
    }
    let l = limiters.get(address);
    if (!l) limiters.set(address, (l = new RateLimiter(ctx.seatsPerSecond, ctx.seatsPerSecond, now)));
    return l.take(now);
  };

  /** This node's WebSocket URL as the client reached it (used when no --public-url is set). */
  const localUrl = (req: HttpRequest): string => {
    const host = req.getHeader('host');
    const proto = ctx.trustProxy ? req.getHeader('x-forwarded-proto') : '';
    const secure = ctx.tls || proto === 'https';
    return `${secure ? 'wss' : 'ws'}://${HOST_RE.test(host) ? host : `127.0.0.1:${ctx.port()}`}/ws`;
  };

  app.post('/api/seat', (res, req) => {
    const address = ctx.guard.clientAddress(Buffer.from(res.getRemoteAddressAsText()).toString(), req);
    const url = localUrl(req);
    const reply = new Reply(res, ctx.log, '/api/seat');
    if (!allowed(address)) {
      // Read nothing more; the answer is the refusal.
      reply.error(new ProtocolError(CloseCode.RateLimited, 'too many seat requests from this address'));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    res.onData((chunk, isLast) => {
      if (reply.done) return;
      size += chunk.byteLength;
      if (size > MAX_SEAT_BODY_BYTES) {
        reply.error(new ProtocolError(CloseCode.FrameTooLarge, `the body is over ${MAX_SEAT_BODY_BYTES} bytes`));
        return;
      }
      // uWS reuses the chunk's memory after this callback: copy it.
      chunks.push(Buffer.from(new Uint8Array(chunk).slice()));
      if (!isLast) return;
      let body: Omit<SeatRequest, 'localUrl'>;
      try {
        body = parseSeatBody(Buffer.concat(chunks).toString('utf8'));
      } catch (err) {
        reply.error(err);
        return;
      }
      ctx.directory.seat({ ...body, localUrl: url }).then(
        (grant) => reply.json(grant),
        (err: unknown) => reply.error(err),
      );
    });
  });

  app.get('/api/rooms', (res, req) => {
    const url = localUrl(req);
    const reply = new Reply(res, ctx.log, '/api/rooms');
    ctx.directory.listRooms(url).then(
      (rooms) => reply.json({ rooms }),
      (err: unknown) => reply.error(err),
    );
  });
}

/** One answer to an async request: sent once, never after the client went away. */
class Reply {
  done = false;

  constructor(
    private readonly res: HttpResponse,
    private readonly log: Logger,
    private readonly url: string,
  ) {
    res.onAborted(() => (this.done = true));
  }

  json(body: unknown, status = '200 OK'): void {
    if (this.done) return;
    this.done = true;
    this.res.cork(() => {
      this.res.writeStatus(status);
      this.res.writeHeader('Content-Type', 'application/json; charset=utf-8');
      this.res.writeHeader('Cache-Control', 'no-store');
      this.res.end(JSON.stringify(body));
    });
  }

  error(err: unknown): void {
    if (err instanceof ProtocolError) {
      this.json({ error: err.message, code: err.code }, statusFor(err.code));
      return;
    }
    this.log.error({ err, url: this.url }, 'HTTP handler failed');
    this.json({ error: 'internal error', code: CloseCode.InternalError }, '500 Internal Server Error');
  }
}
