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

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: { players: { type: 'string' }, map: { type: 'string' }, ticks: { type: 'string' }, 'snapshot-mode': { type: 'string' }, record: { type: 'boolean' } },
});
const mode = values['snapshot-mode'] ?? 'delta';
if (mode !== 'delta' && mode !== 'full') throw new Error(`--snapshot-mode must be delta or full, got ${mode}`);
const players = Number(values.players ?? 1000);
const mapId = values.map ?? 'crowd';
const ticks = Number(values.ticks ?? 900);
const TICK_RATE = 30;

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
});
const transports: MemoryTransport[] = [];
const sessions: Session<Player>[] = [];
for (let i = 1; i <= players; i++) {
  const t = new MemoryTransport({ keepFrames: false });
  const s = new Session<Player>(i, 'bench', t, 0, 1000);
  s.slot = room.join(i, `bot${i}`, s);
  transports.push(t);
  sessions.push(s);
}
const bytesSent = (): number => transports.reduce((n, t) => n + t.bytesSent, 0);
const rnd = seededRandom(7);
const DIRS = [Button.Up, Button.Down, Button.Left, Button.Right, Button.Up | Button.Left, Button.Down | Button.Right, Button.Up | Button.Right, Button.Down | Button.Left];
const buttons = sessions.map(() => DIRS[Math.floor(rnd() * DIRS.length)]!);
const aims = sessions.map(() => Math.floor(rnd() * 256));
const durations: number[] = [];
const warmup = Math.min(150, Math.floor(ticks / 4));
let measuredBytes = 0;
for (let tick = 0; tick < ticks; tick++) {
  for (let i = 0; i < sessions.length; i++) {
    // Change direction about once a second; sweep the aim like a player moving a mouse.
    if (rnd() < 1 / TICK_RATE) buttons[i] = DIRS[Math.floor(rnd() * DIRS.length)]!;
    aims[i] = (aims[i]! + (rnd() < 0.5 ? 1 : 255)) & 255;
    sessions[i]!.slot!.inputs.push({ kind: ClientKind.Input, seq: tick + 1, buttons: buttons[i]!, aim: aims[i]! });
  }
  if (tick === warmup) measuredBytes = bytesSent();
  const t0 = performance.now();
  room.tick({ tick, time: (tick * 1000) / TICK_RATE, lateness: 0 });
  if (tick >= warmup) durations.push(performance.now() - t0);
}
durations.sort((a, b) => a - b);
const pct = (p: number): number => durations[Math.min(durations.length - 1, Math.floor(p * durations.length))]!;
const seconds = (ticks - warmup) / TICK_RATE;
console.log(
  `${players} players on ${mapId} (${mode}), ${ticks - warmup} ticks after ${warmup} warm-up: ` +
    `tick p50 ${pct(0.5).toFixed(2)} ms, p99 ${pct(0.99).toFixed(2)} ms; ` +
    `${((bytesSent() - measuredBytes) / players / seconds / 1000).toFixed(2)} KB/s per client` +
    (values.record ? `; replay recorded ${(recorded / 1000).toFixed(0)} KB (${((recorded / players / (ticks / TICK_RATE)) * 60 / 1000).toFixed(2)} KB per player-minute)` : ''),
);
