/**
 * `npm run bench:replay`: what recording costs and what a replay weighs.
 *
 * 1. Crowd: N players (default 1000) on the crowd map, seeded random walks, each firing
 *    about once a second, recorded for --seconds (default 60) into memory. Prints the
 *    file's size per player-minute (target <= 10 KB), the recorder's own time per tick
 *    (timed around its record call) beside the whole tick's.
 * 2. Seek: a 10-minute match of --seek-players (default 32, a full room) on the arena
 *    map; opens it and seeks to random ticks from a fresh cursor and from the previous
 *    position, forwards and back. Prints open time and seek p50/p99/max (target < 200 ms).
 *    The crowd file's seeks are printed too (its keyframes are the heaviest).
 * Writes bench/results/replay.json.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Button, ClientKind, parseTiledMap } from '../protocol/index.ts';
import { seededRandom } from '../protocol/random.ts';
import { ReplayCursor, readReplay } from '../protocol/replay/index.ts';
import { MemoryTransport } from '../game-server/net/memory-transport.ts';
import { Session } from '../game-server/net/session.ts';
import { viewPolicyFor } from '../game-server/net/view-policy.ts';
import { RoomRecorder } from '../game-server/replay/room-recorder.ts';
import { Room, type Player } from '../game-server/room.ts';
import { ReplayWorld } from '../game-client/src/replay/replay-world.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: { players: { type: 'string' }, seconds: { type: 'string' }, 'seek-players': { type: 'string' }, 'seek-minutes': { type: 'string' } },
});
const TICK_RATE = 30;

interface Recorded {
  bytes: Uint8Array;
  tickMs: number[];
  recordMs: number[];
}

function record(mapId: string, players: number, seconds: number): Recorded {
  const map = parseTiledMap(mapId, JSON.parse(readFileSync(join(root, 'assets', 'maps', `${mapId}.json`), 'utf8')));
  const chunks: Uint8Array[] = [];
  const recordMs: number[] = [];
  const room = new Room('BENCH', true, map, {
    tickRate: TICK_RATE,
    snapshotRate: TICK_RATE,
    capacity: players,
    sendSoftLimitBytes: 1 << 20,
    slowConsumerTimeoutMs: 5000,
    view: viewPolicyFor('delta'),
    random: seededRandom(1),
    recording: (r, tap) => {
      const rec = new RoomRecorder(r, tap, { append: (b) => void chunks.push(b), finish: () => {}, dropped: false }, { tickRate: TICK_RATE, snapshotRate: TICK_RATE, startedAtMs: Date.now() });
      return {
        record: (tick, time, events, snapshot) => {
          const t0 = performance.now();
          rec.record(tick, time, events, snapshot);
          recordMs.push(performance.now() - t0);
        },
        finish: () => rec.finish(),
      };
    },
  });
  const sessions: Session<Player>[] = [];
  for (let i = 1; i <= players; i++) {
    const s = new Session<Player>(i, 'bench', new MemoryTransport({ keepFrames: false }), 0, 1000);
    s.slot = room.join(i, `bot${i}`, s);
    sessions.push(s);
  }
  const rnd = seededRandom(7);
  const DIRS = [Button.Up, Button.Down, Button.Left, Button.Right, Button.Up | Button.Left, Button.Down | Button.Right, Button.Up | Button.Right, Button.Down | Button.Left];
  const buttons = sessions.map(() => DIRS[Math.floor(rnd() * DIRS.length)]!);
  const aims = sessions.map(() => Math.floor(rnd() * 256));
  const tickMs: number[] = [];
  const ticks = seconds * TICK_RATE;
  for (let tick = 0; tick < ticks; tick++) {
    const time = (tick * 1000) / TICK_RATE;
    for (let i = 0; i < sessions.length; i++) {
      if (rnd() < 1 / TICK_RATE) buttons[i] = DIRS[Math.floor(rnd() * DIRS.length)]!;
      aims[i] = (aims[i]! + (rnd() < 0.5 ? 1 : 255)) & 255;
      const fire = rnd() < 1 / TICK_RATE;
      sessions[i]!.slot!.inputs.push({ kind: ClientKind.Input, seq: tick + 1, buttons: buttons[i]! | (fire ? Button.Fire : 0), aim: aims[i]!, ...(fire ? { viewTime: Math.round(time) } : {}) });
    }
    const t0 = performance.now();
    room.tick({ tick, time, lateness: 0 });
    tickMs.push(performance.now() - t0);
  }
  for (const s of sessions) room.leave(s.slot!);
  const n = chunks.reduce((a, c) => a + c.byteLength, 0);
  const bytes = new Uint8Array(n);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.byteLength;
  }
  return { bytes, tickMs, recordMs };
}

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
};
const r2 = (x: number): number => Math.round(x * 100) / 100;

function seeks(bytes: Uint8Array, n: number): { openMs: number; fresh: number[]; moving: number[] } {
  const t0 = performance.now();
  const replay = readReplay(bytes);
  const openMs = performance.now() - t0;
  const rnd = seededRandom(99);
  const span = replay.lastTick - replay.firstTick;
  const target = (): number => replay.firstTick + Math.floor(rnd() * (span + 1));
  const fresh: number[] = [];
  const moving: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = target();
    const s = performance.now();
    new ReplayCursor(replay, new ReplayWorld()).seek(t);
    fresh.push(performance.now() - s);
  }
  const c = new ReplayCursor(replay, new ReplayWorld());
  for (let i = 0; i < n; i++) {
    const t = target();
    const s = performance.now();
    c.seek(t);
    moving.push(performance.now() - s);
  }
  return { openMs, fresh, moving };
}

const crowdPlayers = Number(values.players ?? 1000);
const crowdSeconds = Number(values.seconds ?? 60);
const crowd = record('crowd', crowdPlayers, crowdSeconds);
const perPlayerMinute = crowd.bytes.byteLength / crowdPlayers / (crowdSeconds / 60);
const crowdSeeks = seeks(crowd.bytes, 40);

const seekPlayers = Number(values['seek-players'] ?? 32);
const seekMinutes = Number(values['seek-minutes'] ?? 10);
const long = record('arena', seekPlayers, seekMinutes * 60);
const longSeeks = seeks(long.bytes, 200);

const result = {
  machine: 'shared 2-core machine (other helpers running): figures are noisy, compare within one run',
  crowd: {
    players: crowdPlayers,
    seconds: crowdSeconds,
    bytes: crowd.bytes.byteLength,
    kbPerPlayerMinute: r2(perPlayerMinute / 1000),
    tickP50Ms: r2(pct(crowd.tickMs, 0.5)),
    recordP50Ms: r2(pct(crowd.recordMs, 0.5)),
    recordP99Ms: r2(pct(crowd.recordMs, 0.99)),
    recordShareOfTick: r2(crowd.recordMs.reduce((a, b) => a + b, 0) / crowd.tickMs.reduce((a, b) => a + b, 0)),
    openMs: r2(crowdSeeks.openMs),
    seekFreshP50Ms: r2(pct(crowdSeeks.fresh, 0.5)),
    seekFreshMaxMs: r2(pct(crowdSeeks.fresh, 1)),
  },
  seek: {
    players: seekPlayers,
    minutes: seekMinutes,
    bytes: long.bytes.byteLength,
    kbPerPlayerMinute: r2(long.bytes.byteLength / seekPlayers / seekMinutes / 1000),
    openMs: r2(longSeeks.openMs),
    seekFreshP50Ms: r2(pct(longSeeks.fresh, 0.5)),
    seekFreshP99Ms: r2(pct(longSeeks.fresh, 0.99)),
    seekFreshMaxMs: r2(pct(longSeeks.fresh, 1)),
    seekMovingP50Ms: r2(pct(longSeeks.moving, 0.5)),
    seekMovingMaxMs: r2(pct(longSeeks.moving, 1)),
  },
};
console.log(
  `crowd, ${crowdPlayers} players, ${crowdSeconds} s: ${(crowd.bytes.byteLength / 1000).toFixed(0)} KB, ` +
    `${result.crowd.kbPerPlayerMinute} KB per player-minute (target <= 10); recorder p50 ${result.crowd.recordP50Ms} ms ` +
    `of a ${result.crowd.tickP50Ms} ms tick (${(result.crowd.recordShareOfTick * 100).toFixed(1)}% of tick time); ` +
    `open ${result.crowd.openMs} ms, seek p50 ${result.crowd.seekFreshP50Ms} ms, max ${result.crowd.seekFreshMaxMs} ms`,
);
console.log(
  `${seekMinutes}-minute match, ${seekPlayers} players: ${(long.bytes.byteLength / 1000).toFixed(0)} KB; open ${result.seek.openMs} ms; ` +
    `seek from a fresh cursor p50 ${result.seek.seekFreshP50Ms} ms, p99 ${result.seek.seekFreshP99Ms} ms, max ${result.seek.seekFreshMaxMs} ms; ` +
    `from the last position p50 ${result.seek.seekMovingP50Ms} ms, max ${result.seek.seekMovingMaxMs} ms (target < 200 ms)`,
);
mkdirSync(join(root, 'bench', 'results'), { recursive: true });
writeFileSync(join(root, 'bench', 'results', 'replay.json'), JSON.stringify(result, null, 2) + '\n');
