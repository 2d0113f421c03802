/**
 * ?lag=MS&jitter=MS for the browser client: the page's own WebSocket behind the same
 * order-keeping delay queue the bots use (laggy-socket.ts, delay-scheduler.ts), so a
 * developer can play at 150 ms and watch prediction, interpolation and lag compensation
 * work. Each way gets lag + random * jitter ms. The settings object is read per message:
 * the F3 overlay's control changes them while connected.
 */
import { DelayScheduler } from './delay-scheduler.ts';
import { LaggySocket, type LagOptions } from './laggy-socket.ts';
import type { WebSocketCtor } from './connection.ts';

/** Upper bound for either value, ms: beyond it the game is not playable anyway. */
export const MAX_PAGE_LAG_MS = 2000;

export interface PageLag {
  latencyMs: number;
  jitterMs: number;
}

/** The page's ?lag= and ?jitter= (ms, clamped to 0..MAX_PAGE_LAG_MS); null when neither is set. */
export function lagFromQuery(search: string): PageLag | null {
  const q = new URLSearchParams(search);
  if (!q.has('lag') && !q.has('jitter')) return null;
  const ms = (v: string | null): number => {
    const n = Number(v);
    return Number.isFinite(n) ? Math.min(MAX_PAGE_LAG_MS, Math.max(0, Math.round(n))) : 0;
  };
  return { latencyMs: ms(q.get('lag')), jitterMs: ms(q.get('jitter')) };
}

/** A WebSocket constructor for GameClient whose sockets are delayed as `lag` says (now and later). */
export function laggyBrowserWebSocket(lag: PageLag, random: () => number = Math.random): WebSocketCtor {
  const scheduler = new DelayScheduler();
  const opts: LagOptions = {
    get latencyMs() {
      return lag.latencyMs;
    },
    get jitterMs() {
      return lag.jitterMs;
    },
    random,
    scheduler,
    alwaysQueue: true,
  };
  function Ctor(url: string): LaggySocket {
    const sock = new LaggySocket(opts);
    const ws = new WebSocket(url);
    ws.binaryType = 'arraybuffer';
    sock.attach({
      get readyState() {
        return ws.readyState;
      },
      send: (data) => ws.send(data),
      close: (code, reason) => ws.close(code, reason),
    });
    ws.onopen = () => sock.handleOpen();
    ws.onmessage = (ev: MessageEvent) => sock.handleMessage(typeof ev.data === 'string' ? ev.data : new Uint8Array(ev.data as ArrayBuffer));
    ws.onerror = () => sock.handleError('socket error');
    ws.onclose = (ev: CloseEvent) => sock.handleClose(ev.code, ev.reason);
    return sock;
  }
  return Ctor as unknown as WebSocketCtor;
}
