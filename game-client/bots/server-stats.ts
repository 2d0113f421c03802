/**
 * The server's own figures, read from GET /api/stats (same port as the game) at the
 * start and the end of a run. The end read asks for `?since=<ticks at the start>`, so
 * its tick duration percentiles cover the run's own ticks; cumulative CPU time and the
 * input buffer counters are differenced between the two reads. The first read doubles
 * as the reachability check.
 */
import { get as httpGet } from 'node:http';
import { get as httpsGet } from 'node:https';
import { describeSocketError } from './ws-link.ts';

/** The fields of /api/stats the report uses (the server may send more). */
export interface ServerStats {
  uptimeMs: number;
  tickRate: number;
  snapshotRate: number;
  tickP50Ms: number;
  tickP99Ms: number;
  tickOverruns: number;
  cpuUserUs: number;
  cpuSystemUs: number;
  rssBytes: number;
  rooms: number;
  players: number;
  connections: number;
  /** Seats per room, when the server reports it. */
  maxPlayers?: number;
  /** Ticks run so far (servers that report it accept ?since=). */
  ticks?: number;
  /** The ticks tickP50Ms / tickP99Ms cover. */
  tickWindow?: { first: number; count: number };
  /** Cumulative input buffer counters (game-server/net/input-queue.ts InputTotals). */
  input?: InputCounters;
}

export interface InputCounters {
  ticks: number;
  starved: number;
  /** Servers that report it: starvations on ticks the server ran late itself. */
  starvedBehind?: number;
  applied: number;
  caughtUp: number;
  depthSum: number;
  waitMsSum: number;
}

/** The server could not be reached at all (nothing listening, unknown host, ...). */
export class UnreachableError extends Error {}

/**
 * GET the stats. node:http rather than fetch: fetch refuses some ports outright ("bad
 * port", e.g. 9 or 6000) and keeps connections alive after the run.
 */
export function fetchServerStats(baseUrl: string, timeoutMs = 5000, sinceTick?: number): Promise<ServerStats> {
  const statsUrl = sinceTick === undefined ? baseUrl : `${baseUrl}${baseUrl.includes('?') ? '&' : '?'}since=${sinceTick}`;
  return new Promise<ServerStats>((resolve, reject) => {
    const get = statsUrl.startsWith('https:') ? httpsGet : httpGet;
    const req = get(statsUrl, { timeout: timeoutMs, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', (err) => reject(new UnreachableError(describeSocketError(err))));
      res.on('end', () => {
        if (res.statusCode !== 200) {
          reject(new Error(`GET ${statsUrl} answered HTTP ${res.statusCode}`));
          return;
        }
        let body: Partial<ServerStats>;
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Partial<ServerStats>;
        } catch {
          reject(new Error(`GET ${statsUrl} did not return JSON`));
          return;
        }
        if (typeof body.uptimeMs !== 'number' || typeof body.cpuUserUs !== 'number')
          reject(new Error(`GET ${statsUrl} did not return Dustup server stats`));
        else resolve(body as ServerStats);
      });
    });
    req.on('timeout', () => {
      req.destroy();
      reject(new UnreachableError(`no answer within ${timeoutMs / 1000} s`));
    });
    req.on('error', (err: Error & { code?: string }) => reject(new UnreachableError(describeSocketError(err))));
  });
}

/** CPU use of the server process between two reads, percent of one core. */
export function serverCpuPercent(a: ServerStats, b: ServerStats): number {
  const cpuUs = b.cpuUserUs + b.cpuSystemUs - (a.cpuUserUs + a.cpuSystemUs);
  const wallMs = b.uptimeMs - a.uptimeMs;
  return wallMs > 0 ? (cpuUs / 1000 / wallMs) * 100 : Number.NaN;
}

/** The input buffer over a run: the difference of the two reads' counters. */
export interface InputBufferFigures {
  /** Player-ticks measured (connected players whose inputs had started). */
  ticks: number;
  starvations: number;
  /** Starvations per 1000 player-ticks. */
  starvedPerMille: number | null;
  /** Ticks without input that the server ran more than a tick late (its own stall, not the network). */
  starvedBehind: number;
  /** Inputs queued after a tick, mean over player-ticks. */
  meanDepth: number | null;
  /** Arrival-to-tick wait of an applied input, mean, ms. */
  meanWaitMs: number | null;
  /** Ticks that applied two inputs to drop a tick of surplus. */
  catchUps: number;
}

export function inputBufferFigures(a: ServerStats | null, b: ServerStats): InputBufferFigures | null {
  const end = b.input;
  if (!end) return null;
  const z: InputCounters = { ticks: 0, starved: 0, starvedBehind: 0, applied: 0, caughtUp: 0, depthSum: 0, waitMsSum: 0 };
  const start = a?.input ?? z;
  const ticks = end.ticks - start.ticks;
  const applied = end.applied - start.applied;
  const r = (v: number): number => Math.round(v * 100) / 100;
  return {
    ticks,
    starvations: end.starved - start.starved,
    starvedPerMille: ticks > 0 ? r(((end.starved - start.starved) * 1000) / ticks) : null,
    starvedBehind: (end.starvedBehind ?? 0) - (start.starvedBehind ?? 0),
    meanDepth: ticks > 0 ? r((end.depthSum - start.depthSum) / ticks) : null,
    meanWaitMs: applied > 0 ? r((end.waitMsSum - start.waitMsSum) / applied) : null,
    catchUps: end.caughtUp - start.caughtUp,
  };
}
