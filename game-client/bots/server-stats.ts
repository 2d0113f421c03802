/**
 * The server's own figures, read from GET /api/stats (same port as the game) at the
 * start and the end of a run: tick duration percentiles over its last 1024 ticks, and
 * cumulative CPU time, whose difference over the difference in uptime is the server's
 * CPU use during the run. The first read doubles as the reachability check.
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
}

/** The server could not be reached at all (nothing listening, unknown host, ...). */
export class UnreachableError extends Error {}

/**
 * GET the stats. node:http rather than fetch: fetch refuses some ports outright ("bad
 * port", e.g. 9 or 6000) and keeps connections alive after the run.
 */
export function fetchServerStats(statsUrl: string, timeoutMs = 5000): Promise<ServerStats> {
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
