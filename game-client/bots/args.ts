/**
 * The bots' command line: parsing and validation, pure (no process access), so every
 * rule is unit-tested. Every problem is one clear sentence naming the option.
 */
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { isValidRoomCode } from '../../protocol/index.ts';
import { BEHAVIOURS, type BehaviourName } from './behaviours.ts';

export interface BotsConfig {
  /** WebSocket endpoint, e.g. ws://127.0.0.1:8080/ws */
  wsUrl: string;
  /** The server's stats endpoint on the same port, e.g. http://127.0.0.1:8080/api/stats */
  statsUrl: string;
  bots: number;
  rampPerSec: number;
  durationS: number;
  /** Room code for every bot, or '' for quick play. */
  room: string;
  /** Spread bots over this many rooms (0: plain quick play). */
  rooms: number;
  behaviour: BehaviourName;
  latencyMs: number;
  jitterMs: number;
  /** Snapshot bytes per second each bot asks for (Hello.maxBytesPerSecond); 0: the server's. */
  budget: number;
  workers: number;
  /** Where to write the JSON report, or null. */
  jsonPath: string | null;
  seed: number;
  namePrefix: string;
  /** Ask the node where to play (POST /api/seat) and join with the seat ticket: a cluster. */
  seat: boolean;
  /** Come back by itself after a lost connection (GameClient's reconnect). */
  reconnect: boolean;
}

export const DEFAULTS = {
  url: 'ws://127.0.0.1:8080',
  bots: 100,
  rampPerSec: 100,
  durationS: 30,
  behaviour: 'roam' as BehaviourName,
  latencyMs: 0,
  jitterMs: 0,
  seed: 1,
  namePrefix: 'bot',
};

export const defaultWorkers = (): number => Math.max(1, availableParallelism() - 1);

export const HELP = `dustup-bots: headless Dustup players for load tests

Usage: npm run bots -- [options]        (or: dustup-bots [options])
  e.g. npm run bots -- --url ws://127.0.0.1:8080 --bots 500 --duration 60

Options:
  --url URL            server to load: ws://HOST:PORT (path /ws is added), wss://, or
                       http(s)://HOST:PORT                      (default ${DEFAULTS.url})
  --bots N             bots to connect                          (default ${DEFAULTS.bots})
  --ramp N/s           connect N bots per second, e.g. 50/s     (default ${DEFAULTS.rampPerSec}/s)
  --duration S         length of the run in seconds, ramp included (default ${DEFAULTS.durationS})
  --room CODE          every bot joins this room                (default: quick play)
  --rooms K            spread the bots over K rooms: each group's first bot opens a
                       room with quick play, the rest join it by code. Quick play only
                       opens a new room when every public room is full, so for exactly
                       K rooms start the server with --max-players <bots/K>
  --behaviour B        roam (walk to random points around walls, aim around),
                       idle (stand and look around), or fight (chase the nearest
                       player, aim at it and shoot when in range)
                                                                (default ${DEFAULTS.behaviour})
  --latency MS         extra one-way delay, each direction, inside the bots (default 0)
  --jitter MS          plus up to this much random delay each way; order is kept (default 0)
  --budget BYTES       snapshot bytes per second each bot asks the server for at most
                       (a client on a slow link); 0 = the server's limit   (default 0)
  --workers W          worker threads to spread the bots over   (default: cores - 1 = ${defaultWorkers()})
  --json FILE          also write the report as JSON to FILE
  --seed N             seed for every random choice (same seed, same run) (default ${DEFAULTS.seed})
  --name PREFIX        bot names are PREFIX1, PREFIX2, ...      (default ${DEFAULTS.namePrefix})
  --seat               join through the node's POST /api/seat, as the browser does:
                       in a cluster each bot lands on the node hosting its room
                       (--url names any node; works against one process too)
  --reconnect          a bot whose connection is lost comes back by itself (resume
                       token; with --seat, a new seat when its node is gone or says
                       4012/4013); only a final close counts as a disconnect
  -h, --help           show this help

While running, one progress line (every 5 s when the output is not a terminal); at the
end, a table (stdout) and with --json the same report as JSON.
Exit codes: 0 ok; 1 the run failed (server unreachable, or the run failed its sanity
checks: most bots never connected, snapshots far below the server's rate); 2 bad options.`;

export type ParseResult = { kind: 'help' } | { kind: 'error'; message: string } | { kind: 'ok'; config: BotsConfig };

class UsageError extends Error {}

const fail = (message: string): never => {
  throw new UsageError(message);
};

function integer(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  const s = raw.trim();
  const n = /^[+-]?\d+$/.test(s) ? Number(s) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max)
    fail(`--${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
  return n;
}

function decimal(name: string, raw: string | undefined, fallback: number, min: number, max: number, unit: string): number {
  if (raw === undefined) return fallback;
  const s = raw.trim();
  const n = /^[+-]?(\d+\.?\d*|\.\d+)$/.test(s) ? Number(s) : Number.NaN;
  if (!Number.isFinite(n) || n < min || n > max) fail(`--${name} must be a number of ${unit} from ${min} to ${max}, got "${raw}"`);
  return n;
}

/** ws(s)://host:port[/path] or http(s)://... -> the WebSocket URL and the stats URL. */
export function endpoints(raw: string): { wsUrl: string; statsUrl: string } {
  let u: URL;
  try {
    u = new URL(raw.includes('://') ? raw : `ws://${raw}`);
  } catch {
    return fail(`--url "${raw}" is not a URL; expected ws://HOST:PORT`);
  }
  const proto = u.protocol;
  if (!['ws:', 'wss:', 'http:', 'https:'].includes(proto))
    fail(`--url "${raw}" must start with ws://, wss://, http:// or https://`);
  if (!u.hostname) fail(`--url "${raw}" has no host`);
  const secure = proto === 'wss:' || proto === 'https:';
  const ws = new URL(u.href);
  ws.protocol = secure ? 'wss:' : 'ws:';
  if (ws.pathname === '' || ws.pathname === '/') ws.pathname = '/ws';
  ws.hash = '';
  const stats = new URL(u.href);
  stats.protocol = secure ? 'https:' : 'http:';
  stats.pathname = '/api/stats';
  stats.search = '';
  stats.hash = '';
  return { wsUrl: ws.href, statsUrl: stats.href };
}

export function parseBotArgs(argv: string[]): ParseResult {
  try {
    let values;
    try {
      ({ values } = parseArgs({
        args: argv,
        options: {
          url: { type: 'string' },
          bots: { type: 'string' },
          ramp: { type: 'string' },
          duration: { type: 'string' },
          room: { type: 'string' },
          rooms: { type: 'string' },
          behaviour: { type: 'string' },
          behavior: { type: 'string' },
          latency: { type: 'string' },
          jitter: { type: 'string' },
          budget: { type: 'string' },
          workers: { type: 'string' },
          json: { type: 'string' },
          seed: { type: 'string' },
          name: { type: 'string' },
          seat: { type: 'boolean' },
          reconnect: { type: 'boolean' },
          help: { type: 'boolean', short: 'h' },
        },
        strict: true,
        allowPositionals: false,
      }));
    } catch (err) {
      // node's messages are good ("Unknown option '--bot'"); drop its trailing advice.
      return { kind: 'error', message: (err as Error).message.replace(/\. To specify a positional.*$/s, '') };
    }
    if (values.help) return { kind: 'help' };

    const { wsUrl, statsUrl } = endpoints(values.url ?? DEFAULTS.url);
    const bots = integer('bots', values.bots, DEFAULTS.bots, 1, 100_000);
    let rampPerSec = DEFAULTS.rampPerSec;
    if (values.ramp !== undefined) {
      const m = /^\s*(\d+\.?\d*|\.\d+)\s*(\/\s*s)?\s*$/.exec(values.ramp);
      const n = m ? Number(m[1]) : Number.NaN;
      if (!(n > 0 && n <= 100_000)) fail(`--ramp must be bots per second, like 50/s (more than 0, at most 100000), got "${values.ramp}"`);
      rampPerSec = n;
    }
    const durationS = decimal('duration', values.duration, DEFAULTS.durationS, 0.5, 7 * 24 * 3600, 'seconds');
    const rampS = (bots - 1) / rampPerSec;
    if (rampS >= durationS)
      fail(
        `--bots ${bots} at --ramp ${rampPerSec}/s take ${rampS.toFixed(1)} s to start, ` +
          `not less than --duration ${durationS} s: raise --ramp or --duration`,
      );

    let room = '';
    if (values.room !== undefined) {
      room = values.room.trim().toUpperCase();
      if (!isValidRoomCode(room))
        fail(`--room "${values.room}" is not a room code (4 to 8 letters and digits, without 0, O, 1, I, L)`);
    }
    const rooms = values.rooms === undefined ? 0 : integer('rooms', values.rooms, 0, 1, bots);
    if (room && rooms > 0) fail('--room and --rooms cannot be combined: one names a room, the other spreads bots over several');

    if (values.behaviour !== undefined && values.behavior !== undefined && values.behaviour !== values.behavior)
      fail('--behaviour and --behavior disagree; give one');
    const b = (values.behaviour ?? values.behavior ?? DEFAULTS.behaviour).trim().toLowerCase();
    if (!(BEHAVIOURS as readonly string[]).includes(b))
      fail(`--behaviour must be one of ${BEHAVIOURS.join(', ')}, got "${values.behaviour ?? values.behavior}"`);

    const latencyMs = decimal('latency', values.latency, DEFAULTS.latencyMs, 0, 10_000, 'ms');
    const jitterMs = decimal('jitter', values.jitter, DEFAULTS.jitterMs, 0, 10_000, 'ms');
    const budget = integer('budget', values.budget, 0, 0, 100_000_000);
    const workers = integer('workers', values.workers, defaultWorkers(), 1, 256);
    const seed = integer('seed', values.seed, DEFAULTS.seed, 0, 0xffffffff);
    let jsonPath: string | null = null;
    if (values.json !== undefined) {
      if (values.json.trim() === '') fail('--json needs a file name');
      jsonPath = values.json;
    }
    const namePrefix = values.name ?? DEFAULTS.namePrefix;
    if (namePrefix.length > 12) fail(`--name must be at most 12 characters (names are cut at 16), got "${namePrefix}"`);

    return {
      kind: 'ok',
      config: {
        wsUrl,
        statsUrl,
        bots,
        rampPerSec,
        durationS,
        room,
        rooms,
        behaviour: b as BehaviourName,
        latencyMs,
        jitterMs,
        budget,
        workers: Math.min(workers, bots),
        jsonPath,
        seed,
        namePrefix,
        seat: values.seat === true,
        reconnect: values.reconnect === true,
      },
    };
  } catch (err) {
    if (err instanceof UsageError) return { kind: 'error', message: err.message };
    throw err;
  }
}
