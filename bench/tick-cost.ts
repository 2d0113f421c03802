/**
 * `npm run bench:tick`: the server's per-tick cost without sockets. One room, N players
 * on in-memory transports, seeded random walks; prints tick duration p50/p99 and the
 * bytes each client would receive per second. This isolates the simulation + snapshot
 * pipeline from the kernel (on loopback every send also pays for the receiver's TCP
 * processing) and from a load generator sharing the CPU.
 *
 * Options: --players N (default 1000), --map ID (default crowd), --ticks N (default 900),
 * --snapshot-mode delta|full (default delta; full: the whole map whole to everyone),
 * --record (also record the room's replay, into memory: the recording's tick cost).
 * --budget BYTES (each client's bandwidth budget, bytes/s; default 0: none, i.e. the
 * largest the server allows), --json FILE (also write the figures as JSON).
 *
 * With a budget it also decodes what ten sample clients receive (bench/view-probe.ts) and
 * prints their view error, nearest ten players and all, and the budget's figures: how
 * many cells waited and the longest any waited, so "holds the budget" and "the nearest
 * players are unchanged" are read from one run.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Button, ClientKind, parseTiledMap } from '../protocol/index.ts';
import { seededRandom } from '../protocol/random.ts';
import { Room, type Player } from '../game-server/room.ts';
import { MemoryTransport } from '../game-server/net/memory-transport.ts';
import { Session } from '../game-server/net/session.ts';
import { viewPolicyFor } from '../game-server/net/view-policy.ts';
import { RoomRecorder } from '../game-server/replay/room-recorder.ts';
import { summarizeBudgets } from '../game-server/net/budget.ts';
import { Limits } from '../protocol/index.ts';
import { writeFileSync } from 'node:fs';
import { ViewProbe, quantile } from './view-probe.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    players: { type: 'string' },
    map: { type: 'string' },
    ticks: { type: 'string' },
    'snapshot-mode': { type: 'string' },
    budget: { type: 'string' },
    json: { type: 'string' },
    record: { type: 'boolean' },
  },
});
const mode = values['snapshot-mode'] ?? 'delta';
if (mode !== 'delta' && mode !== 'full') throw new Error(`--snapshot-mode must be delta or full, got ${mode}`);
const players = Number(values.players ?? 1000);
const mapId = values.map ?? 'crowd';
const ticks = Number(values.ticks ?? 900);
const TICK_RATE = 30;
const budget = Number(values.budget ?? 0);
if (!Number.isInteger(budget) || (budget !== 0 && budget < Limits.MIN_BYTES_PER_SECOND)) throw new Error(`--budget must be 0 or >= ${Limits.MIN_BYTES_PER_SECOND}`);

let recorded = 0;
const map = parseTiledMap(mapId, JSON.parse(readFileSync(join(root, 'assets', 'maps', `${mapId}.json`), 'utf8')));
const room = new Room('BENCH', true, map, {
  tickRate: TICK_RATE,
  snapshotRate: TICK_RATE,
  capacity: players,
  sendSoftLimitBytes: 1 << 20,
  slowConsumerTimeoutMs: 5000,
  view: viewPolicyFor(mode),
  random: seededRandom(1),
  // The recording's bytes are counted and dropped: the disk is not what is measured.
  ...(values.record
    ? { recording: (r, tap) => new RoomRecorder(r, tap, { append: (b) => void (recorded += b.byteLength), finish: () => {}, dropped: false }, { tickRate: TICK_RATE, snapshotRate: TICK_RATE, startedAtMs: Date.now() }) }
    : {}),
  maxBytesPerSecond: budget > 0 ? budget : Limits.MAX_BYTES_PER_SECOND,
});
const transports: MemoryTransport[] = [];
const sessions: Session<Player>[] = [];
// Ten clients spread over the ids decode what they get (the same for every run: seeded).
const probeEvery = Math.max(1, Math.floor(players / 10));
const probes: ViewProbe[] = [];
for (let i = 1; i <= players; i++) {
  const probed = i % probeEvery === 0 && probes.length < 10;
  const t = new MemoryTransport({ keepFrames: probed });
  const s = new Session<Player>(i, 'bench', t, 0, 1000);
  s.slot = room.join(i, `bot${i}`, s);
  transports.push(t);
  sessions.push(s);
  if (probed) probes.push(new ViewProbe(t, i));
}
const truth = {
  at: (id: number): { x: number; y: number } | undefined => {
    const p = room.players.get(id);
    return p && p.combat.alive ? p.state : undefined;
  },
};
const bytesSent = (): number => transports.reduce((n, t) => n + t.bytesSent, 0);
const rnd = seededRandom(7);
const DIRS = [Button.Up, Button.Down, Button.Left, Button.Right, Button.Up | Button.Left, Button.Down | Button.Right, Button.Up | Button.Right, Button.Down | Button.Left];
const buttons = sessions.map(() => DIRS[Math.floor(rnd() * DIRS.length)]!);
const aims = sessions.map(() => Math.floor(rnd() * 256));
const durations: number[] = [];
const warmup = Math.min(150, Math.floor(ticks / 4));
let measuredBytes = 0;
let encodedAtWarmup = 0;
for (let tick = 0; tick < ticks; tick++) {
  for (let i = 0; i < sessions.length; i++) {
    // Change direction about once a second; sweep the aim like a player moving a mouse.
    if (rnd() < 1 / TICK_RATE) buttons[i] = DIRS[Math.floor(rnd() * DIRS.length)]!;
    aims[i] = (aims[i]! + (rnd() < 0.5 ? 1 : 255)) & 255;
    sessions[i]!.slot!.inputs.push({ kind: ClientKind.Input, seq: tick + 1, buttons: buttons[i]!, aim: aims[i]! });
  }
  if (tick === warmup) {
    measuredBytes = bytesSent();
    encodedAtWarmup = room.snapshots.encoded;
  }
  const t0 = performance.now();
  room.tick({ tick, time: (tick * 1000) / TICK_RATE, lateness: 0 });
  if (tick >= warmup) durations.push(performance.now() - t0);
  // Probes decode outside the timed part; before the warm-up ends their figures are dropped.
  for (const p of probes) p.drain(truth);
  if (tick === warmup) for (const p of probes) p.nearest.length = p.all.length = 0;
}
durations.sort((a, b) => a - b);
const pct = (p: number): number => durations[Math.min(durations.length - 1, Math.floor(p * durations.length))]!;
const seconds = (ticks - warmup) / TICK_RATE;
const kbPerClient = (bytesSent() - measuredBytes) / players / seconds / 1000;
const nearest = probes.flatMap((p) => p.nearest);
const all = probes.flatMap((p) => p.all);
const b = room.totals.budget;
const state = summarizeBudgets([...room.players.values()].map((p) => p.channel.budget));
const figures = {
  players,
  map: mapId,
  mode,
  budgetBytesPerSecond: budget || null,
  ticks: ticks - warmup,
  tickP50Ms: pct(0.5),
  tickP99Ms: pct(0.99),
  kbPerClientPerSec: kbPerClient,
  /** The client's budget in the same unit (KB = 1000 bytes), null without one. */
  budgetKbPerSec: budget ? budget / 1000 : null,
  viewErrorPx: {
    nearestTen: { p50: quantile(nearest, 0.5), p95: quantile(nearest, 0.95), p99: quantile(nearest, 0.99), samples: nearest.length },
    all: { p50: quantile(all, 0.5), p95: quantile(all, 0.95), p99: quantile(all, 0.99), samples: all.length },
  },
  budget: { ...b, longestWaitSnapshots: state.longestWait },
  /** Cell blocks encoded per tick (the rest are served from the per-tick cache): encode-once's cost. */
  blocksEncodedPerTick: (room.snapshots.encoded - encodedAtWarmup) / (ticks - warmup),
};
const px = (x: number): string => x.toFixed(2);
console.log(
  `${players} players on ${mapId} (${mode}${budget ? `, budget ${budget} B/s` : ''}), ${ticks - warmup} ticks after ${warmup} warm-up: ` +
    `tick p50 ${pct(0.5).toFixed(2)} ms, p99 ${pct(0.99).toFixed(2)} ms; ` +
    `${kbPerClient.toFixed(2)} KB/s per client` +
    (budget ? ` (${((kbPerClient * 1000) / budget).toFixed(2)}x the budget)` : '') +
    `; view error nearest ten p50/p95/p99 ${px(quantile(nearest, 0.5))}/${px(quantile(nearest, 0.95))}/${px(quantile(nearest, 0.99))} px, ` +
    `all ${px(quantile(all, 0.5))}/${px(quantile(all, 0.95))}/${px(quantile(all, 0.99))} px; ` +
    `blocks encoded per tick ${figures.blocksEncodedPerTick.toFixed(1)}; ` +
    `cells deferred ${b.cellsDeferred}, forced ${b.cellsForced}, longest wait ${state.longestWait} snapshots, over budget ${Math.round(b.overBudgetBytes)} B` +
    (values.record ? `; replay recorded ${(recorded / 1000).toFixed(0)} KB (${((recorded / players / (ticks / TICK_RATE)) * 60 / 1000).toFixed(2)} KB per player-minute)` : ''),
);
if (values.json) writeFileSync(values.json, JSON.stringify(figures, null, 2) + '\n');
