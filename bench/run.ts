/**
 * `npm run bench`: load scenarios against a real server, measured from outside.
 *
 * For each scenario it starts the server as its own process, connects the bots (the
 * `dustup-bots` CLI, also its own process), waits until every bot plays, then measures
 * over a fixed window: server CPU (% of one core, from /proc), RSS, tick duration
 * p50/p99 (the server's /api/stats), and from the bots' report the bytes each client
 * receives per second and the snapshots each bot gets per second. One table is printed
 * and everything is written to bench/results/<timestamp>.json.
 *
 * "-full" scenarios run the same load as their namesake with --snapshot-mode full (the
 * whole room to every client every snapshot, as full-state servers do), so the ratio
 * (printed per pair) is measured in the same run on the same machine.
 *
 * Options: --only NAME[,NAME] (scenarios), --window S (measurement window, default 20),
 * --pin (server alone on CPU 0, bots on the rest, with taskset: the server's figures
 * without the load generator preempting it).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { cpuPercent, sampleProcess, type ProcSample } from './proc-stats.ts';
import { nodeCommand, root, serverStats, startServerProcess, type ServerProcess } from './server-process.ts';


interface Scenario {
  name: string;
  what: string;
  map: string;
  bots: number;
  maxPlayers: number;
  snapshotMode: 'delta' | 'full';
  ramp: number;
  /** The server's --max-bytes-per-second (absent: its default, 64 KiB/s). */
  budget?: number;
}

const SCENARIOS: Scenario[] = [
  { name: 'dense', what: '100 players, one small arena, everyone sees everyone', map: 'dense', bots: 100, maxPlayers: 100, snapshotMode: 'delta', ramp: 50 },
  { name: 'dense-full', what: 'dense, but full state to everyone (peer-style baseline)', map: 'dense', bots: 100, maxPlayers: 100, snapshotMode: 'full', ramp: 50 },
  { name: 'crowd', what: '1,000 players spread over a 256x256-tile map, one room', map: 'crowd', bots: 1000, maxPlayers: 1000, snapshotMode: 'delta', ramp: 200 },
  // Crowds at one spot: the dense arena is 3 x 2 interest cells, so every cell holds far
  // more than the 64 players protocol 4 could send as a delta.
  ...[200, 400].flatMap((n): Scenario[] => [
    { name: `dense-${n}`, what: `${n} players in the dense arena, all on one screen`, map: 'dense', bots: n, maxPlayers: n, snapshotMode: 'delta', ramp: 100 },
    { name: `dense-${n}-full`, what: `dense-${n}, but full state to everyone`, map: 'dense', bots: n, maxPlayers: n, snapshotMode: 'full', ramp: 100 },
  ]),
  // Bandwidth budget (issue 10): dense-400 runs with the default 64 KiB/s budget; the same
  // load without any budget, and with one small enough to bite (12 KB/s).
  { name: 'dense-400-nobudget', what: 'dense-400 without a bandwidth budget', map: 'dense', bots: 400, maxPlayers: 400, snapshotMode: 'delta', ramp: 100, budget: 100_000_000 },
  { name: 'dense-400-budget12k', what: 'dense-400 with a 12 KB/s budget per client', map: 'dense', bots: 400, maxPlayers: 400, snapshotMode: 'delta', ramp: 100, budget: 12_000 },
];

/** The budget each scenario's clients had, bytes/s (the server default when not set). */
const budgetOf = (s: Scenario): number => s.budget ?? 65536;

interface Result {
  scenario: string;
  what: string;
  bots: number;
  playing: number;
  windowS: number;
  serverCpuPct: number;
  serverRssMB: number;
  tickP50Ms: number;
  tickP99Ms: number;
  tickOverruns: number;
  bytesPerClientPerSec: number | null;
  snapshotsPerBotPerSec: number | null;
  rttP50Ms: number | null;
  botsCpuPct: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** --pin: the server alone on CPU 0, the bots on the others (needs taskset and 2+ CPUs). */
let pin: { server: string; bots: string } | undefined;

function startServer(s: Scenario): Promise<ServerProcess> {
  const budget = s.budget === undefined ? [] : ['--max-bytes-per-second', String(s.budget)];
  return startServerProcess(['--map', s.map, '--max-players', String(s.maxPlayers), '--snapshot-mode', s.snapshotMode, ...budget], pin?.server);
}

interface ServerStats {
  players: number;
  tickP50Ms: number;
  tickP99Ms: number;
  tickOverruns: number;
}

const stats = (port: number): Promise<ServerStats> => serverStats<ServerStats>(port);

async function runScenario(s: Scenario, windowS: number): Promise<Result> {
  const { proc: server, port } = await startServer(s);
  const jsonPath = join(tmpdir(), `dustup-bench-${s.name}-${process.pid}.json`);
  const rampS = Math.ceil(s.bots / s.ramp);
  // Long enough for a slow ramp, the settling time and the window; the bots end on their own.
  const durationS = rampS * 2 + 10 + windowS + 5;
  const [botsCmd, botsArgs] = nodeCommand(
    [
      '--import', 'tsx', join(root, 'game-client', 'bots', 'cli.ts'),
      '--url', `ws://127.0.0.1:${port}`, '--bots', String(s.bots), '--ramp', `${s.ramp}/s`,
      '--duration', String(durationS), '--behaviour', 'roam', '--workers', '1', '--json', jsonPath,
    ],
    pin?.bots,
  );
  const bots = spawn(botsCmd, botsArgs, { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  const botsExit = new Promise<number | null>((r) => bots.on('exit', r));
  try {
    // Wait until every bot plays (or the ramp is long over), then settle for 3 s.
    const deadline = performance.now() + (rampS * 2 + 5) * 1000;
    while (performance.now() < deadline) {
      if ((await stats(port)).players >= s.bots) break;
      await sleep(250);
    }
    await sleep(3000);
    const playing = (await stats(port)).players;
    const a: ProcSample = sampleProcess(server.pid!);
    const botsA = sampleProcess(bots.pid!);
    await sleep(windowS * 1000);
    const b = sampleProcess(server.pid!);
    const botsB = sampleProcess(bots.pid!);
    const st = await stats(port);
    const code = await botsExit;
    const report = JSON.parse(readFileSync(jsonPath, 'utf8'));
    if (code !== 0) console.error(`  (bots exited with ${code}: the run failed its own sanity checks)`);
    return {
      scenario: s.name,
      what: s.what,
      bots: s.bots,
      playing,
      windowS,
      serverCpuPct: cpuPercent(a, b),
      serverRssMB: b.rssBytes / 1048576,
      tickP50Ms: st.tickP50Ms,
      tickP99Ms: st.tickP99Ms,
      tickOverruns: st.tickOverruns,
      bytesPerClientPerSec: report.bytes?.inPerBotPerSec ?? null,
      snapshotsPerBotPerSec: report.snapshots?.perBotPerSec ?? null,
      rttP50Ms: report.rttMs?.p50 ?? null,
      botsCpuPct: cpuPercent(botsA, botsB),
    };
  } finally {
    bots.kill('SIGTERM');
    server.kill('SIGTERM');
    await sleep(300);
  }
}

const fmt = (v: number | null, digits = 1): string => (v === null || !Number.isFinite(v) ? '-' : v.toFixed(digits));

function table(results: Result[]): string {
  const head = ['scenario', 'bots', 'playing', 'server CPU %', 'RSS MB', 'tick p50 ms', 'tick p99 ms', 'KB/s per client', 'snaps/s per bot', 'RTT p50 ms', 'bots CPU %'];
  const rows = results.map((r) => [
    r.scenario,
    String(r.bots),
    String(r.playing),
    fmt(r.serverCpuPct),
    fmt(r.serverRssMB, 0),
    fmt(r.tickP50Ms, 2),
    fmt(r.tickP99Ms, 2),
    fmt(r.bytesPerClientPerSec === null ? null : r.bytesPerClientPerSec / 1000, 2),
    fmt(r.snapshotsPerBotPerSec),
    fmt(r.rttP50Ms),
    fmt(r.botsCpuPct),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padStart(widths[i]!)).join('  ');
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { only: { type: 'string' }, window: { type: 'string' }, pin: { type: 'boolean' } } });
  if (values.pin) {
    const n = (await import('node:os')).availableParallelism();
    if (n < 2) throw new Error('--pin needs at least 2 CPUs');
    pin = { server: '0', bots: `1-${n - 1}` };
  }
  const windowS = Number(values.window ?? 20);
  if (!(windowS >= 3 && windowS <= 600)) throw new Error('--window must be 3..600 seconds');
  const only = values.only?.split(',');
  const chosen = SCENARIOS.filter((s) => !only || only.includes(s.name));
  if (chosen.length === 0) throw new Error(`no scenario named ${values.only}; have ${SCENARIOS.map((s) => s.name).join(', ')}`);
  const results: Result[] = [];
  for (const s of chosen) {
    console.log(`scenario ${s.name}: ${s.what} (${s.bots} roaming bots, 30 Hz ticks and snapshots, ${windowS} s window)...`);
    results.push(await runScenario(s, windowS));
  }
  console.log(`\n${pin ? `pinned: server on CPU ${pin.server}, bots on CPUs ${pin.bots}\n` : ''}${table(results)}`);
  // Each scenario next to its full-state twin (NAME and NAME-full), measured in this run.
  for (const delta of results) {
    const full = results.find((r) => r.scenario === `${delta.scenario}-full`);
    if (!delta.bytesPerClientPerSec || !full?.bytesPerClientPerSec) continue;
    console.log(
      `\n${delta.scenario} vs full state: bytes per client ${(delta.bytesPerClientPerSec / full.bytesPerClientPerSec).toFixed(3)}x ` +
        `(${(full.bytesPerClientPerSec / delta.bytesPerClientPerSec).toFixed(1)}x fewer), ` +
        `server CPU ${fmt(delta.serverCpuPct)}% vs ${fmt(full.serverCpuPct)}% (${fmt(delta.serverCpuPct / full.serverCpuPct, 2)}x)`,
    );
  }
  // Bandwidth budget: each delta run's bytes per client against its clients' budget.
  for (const r of results) {
    const s = SCENARIOS.find((x) => x.name === r.scenario)!;
    if (s.snapshotMode !== 'delta' || !r.bytesPerClientPerSec || budgetOf(s) >= 100_000_000) continue;
    console.log(`${r.scenario}: ${fmt(r.bytesPerClientPerSec / 1000, 2)} KB/s per client against a budget of ${fmt(budgetOf(s) / 1000, 1)} KB/s (${fmt(r.bytesPerClientPerSec / budgetOf(s), 2)}x)`);
  }
  mkdirSync(join(root, 'bench', 'results'), { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const file = join(root, 'bench', 'results', `${stamp}.json`);
  writeFileSync(
    file,
    JSON.stringify({ date: new Date().toISOString(), node: process.version, cpus: (await import('node:os')).cpus().length, pinned: pin ?? null, results }, null, 2),
  );
  console.log(`\nwritten to ${file}`);
}

main().catch((err: Error) => {
  console.error(`bench: ${err.message}`);
  process.exit(1);
});
