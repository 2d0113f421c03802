/**
 * `npm run bench:netcode`: the netcode scorecard under fixed network profiles.
 *
 * For each profile it starts a fresh server process (its tick window is the profile's
 * alone), runs fight bots in one room with the bots' laggy socket delaying every frame
 * each way by the profile's latency plus up to its jitter, and reads the bots' JSON
 * report: hit agreement (the shooter's screen against the server's verdict), view
 * latency, ghost error (all drawn players, and each observer's nearest ten), input ->
 * acknowledgement, prediction corrections, the server's input buffer and its tick over
 * the run's own window. One table, a row per profile, the targets judged below it, and
 * everything written to bench/results/netcode-<timestamp>.json.
 *
 * Options: --only LAN,bad (profiles), --bots N (default 16), --duration S (default 40),
 * --map ID (default dense: one screen, so every bot is in a fight), --pin (server alone
 * on CPU 0, bots on the others, with taskset).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { PLAYER_RADIUS } from '../protocol/index.ts';
import type { BotsReport } from '../game-client/bots/report.ts';
import { nodeCommand, root, startServerProcess } from './server-process.ts';

interface Profile {
  name: string;
  /** One way, ms: every frame is held this long plus up to `jitter` more, in order. */
  latency: number;
  jitter: number;
  /** Hit agreement wanted at least (share). */
  agreement: number;
}

/** The issue's profiles and targets. */
const PROFILES: Profile[] = [
  { name: 'LAN', latency: 0, jitter: 0, agreement: 0.99 },
  { name: 'good', latency: 25, jitter: 5, agreement: 0.99 },
  { name: 'typical', latency: 60, jitter: 15, agreement: 0.99 },
  { name: 'bad', latency: 120, jitter: 40, agreement: 0.97 },
];

interface Row {
  profile: Profile;
  report: BotsReport;
  botsExit: number | null;
}

const TICK_MS = 1000 / 30;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function runProfile(p: Profile, bots: number, durationS: number, map: string, pin: { server: string; bots: string } | undefined): Promise<Row> {
  const { proc: server, port } = await startServerProcess(['--map', map, '--max-players', String(bots)], pin?.server);
  const json = join(tmpdir(), `dustup-netcode-${p.name}-${process.pid}.json`);
  try {
    const [cmd, args] = nodeCommand(
      [
        '--import', 'tsx', join(root, 'game-client', 'bots', 'cli.ts'),
        '--url', `ws://127.0.0.1:${port}`, '--bots', String(bots), '--ramp', '20/s', '--duration', String(durationS),
        '--behaviour', 'fight', '--latency', String(p.latency), '--jitter', String(p.jitter),
        '--workers', '1', '--json', json,
      ],
      pin?.bots,
    );
    const child = spawn(cmd, args, { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
    const botsExit = await new Promise<number | null>((r) => child.on('exit', r));
    const report = JSON.parse(readFileSync(json, 'utf8')) as BotsReport;
    return { profile: p, report, botsExit };
  } finally {
    server.kill('SIGTERM');
    await sleep(300);
  }
}

const fmt = (v: number | null | undefined, digits = 1): string => (v === null || v === undefined || !Number.isFinite(v) ? '-' : v.toFixed(digits));
const pct = (v: number | null | undefined): string => (v === null || v === undefined ? '-' : `${(v * 100).toFixed(2)}`);

function table(rows: Row[]): string {
  const head = [
    'profile', 'RTT p50', 'shots', 'agree %', 'false miss %', 'false hit %', 'beyond %', 'view lat p50/p99',
    'ghost p50/p95/p99 px', 'near-10 p95', 'input->ack p50/p99', 'corrections', 'buffer depth', 'starved ‰', 'tick p50/p99',
  ];
  const body = rows.map(({ profile: p, report: r }) => {
    const n = r.netcode;
    const s = n?.shots;
    const ib = r.server?.inputBuffer;
    return [
      `${p.name} (${p.latency}+${p.jitter})`,
      fmt(r.rttMs.p50),
      String(s?.judged ?? '-'),
      pct(s?.agreement),
      pct(s?.falseMissShare),
      pct(s?.falseHitShare),
      pct(s?.beyondRewindShare),
      `${fmt(n?.viewLatencyMs.p50)}/${fmt(n?.viewLatencyMs.p99)}`,
      `${fmt(n?.ghostPx.p50, 2)}/${fmt(n?.ghostPx.p95, 2)}/${fmt(n?.ghostPx.p99, 2)}`,
      fmt(n?.ghostNearestTenPx.p95, 2),
      `${fmt(r.inputAckMs.p50)}/${fmt(r.inputAckMs.p99)}`,
      String(r.predictionErrorPx.corrections),
      fmt(ib?.meanDepth, 2),
      fmt(ib?.starvedPerMille),
      `${fmt(r.server?.tickP50Ms, 2)}/${fmt(r.server?.tickP99Ms, 2)}`,
    ];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padStart(widths[i]!)).join('  ');
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

/** Each target of the issue against the row it applies to: "met" or "MISSED", with the figures. */
function judgeTargets(rows: Row[]): string[] {
  const out: string[] = [];
  const check = (ok: boolean, what: string): void => void out.push(`${ok ? 'met   ' : 'MISSED'}  ${what}`);
  for (const { profile: p, report: r } of rows) {
    const s = r.netcode?.shots;
    if (s && s.judged > 0) {
      check(
        (s.agreement ?? 0) >= p.agreement,
        `${p.name}: hit agreement ${pct(s.agreement)} % >= ${p.agreement * 100} % (${s.judged} shots)`,
      );
      if (p.agreement >= 0.99)
        check(
          (s.falseMissShare ?? 1) < 0.01 && (s.falseHitShare ?? 1) < 0.01,
          `${p.name}: false misses ${pct(s.falseMissShare)} % and false hits ${pct(s.falseHitShare)} %, each < 1 %`,
        );
    } else out.push(`n/a     ${p.name}: no shots judged`);
    const g95 = r.netcode?.ghostPx.p95 ?? null;
    if (p.name === 'LAN') check(g95 !== null && g95 < 2, `LAN: ghost error p95 ${fmt(g95, 2)} px < 2 px`);
    if (p.name === 'bad') check(g95 !== null && g95 < PLAYER_RADIUS, `bad: ghost error p95 ${fmt(g95, 2)} px < one player radius (${PLAYER_RADIUS} px)`);
    const rtt = r.rttMs.p50 ?? 0;
    const ack = r.inputAckMs;
    if (p.name === 'LAN') {
      check((ack.p50 ?? Infinity) <= rtt + TICK_MS, `LAN: input->ack p50 ${fmt(ack.p50)} ms <= RTT + 1 tick (${fmt(rtt + TICK_MS)} ms)`);
      check((ack.p99 ?? Infinity) <= rtt + 2 * TICK_MS, `LAN: input->ack p99 ${fmt(ack.p99)} ms <= RTT + 2 ticks (${fmt(rtt + 2 * TICK_MS)} ms)`);
    }
    if (p.name === 'typical')
      check((ack.p50 ?? Infinity) <= rtt + 2 * TICK_MS, `typical: input->ack p50 ${fmt(ack.p50)} ms <= RTT + 2 ticks (${fmt(rtt + 2 * TICK_MS)} ms)`);
  }
  return out;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      only: { type: 'string' },
      bots: { type: 'string' },
      duration: { type: 'string' },
      map: { type: 'string' },
      pin: { type: 'boolean' },
    },
  });
  const bots = Number(values.bots ?? 16);
  if (!(Number.isInteger(bots) && bots >= 2 && bots <= 200)) throw new Error('--bots must be 2..200');
  const durationS = Number(values.duration ?? 40);
  if (!(durationS >= 8 && durationS <= 600)) throw new Error('--duration must be 8..600 seconds');
  const map = values.map ?? 'dense';
  let pin: { server: string; bots: string } | undefined;
  if (values.pin) {
    const n = availableParallelism();
    if (n < 2) throw new Error('--pin needs at least 2 CPUs');
    pin = { server: '0', bots: `1-${n - 1}` };
  }
  const only = values.only?.split(',');
  const chosen = PROFILES.filter((p) => !only || only.includes(p.name));
  if (chosen.length === 0) throw new Error(`no profile named ${values.only}; have ${PROFILES.map((p) => p.name).join(', ')}`);
  const load = loadavg()[0]!;
  const rows: Row[] = [];
  for (const p of chosen) {
    console.log(`profile ${p.name}: ${p.latency} ms + up to ${p.jitter} ms jitter each way, ${bots} fight bots on ${map}, ${durationS} s...`);
    const row = await runProfile(p, bots, durationS, map, pin);
    if (row.botsExit !== 0) console.error(`  (bots exited with ${row.botsExit}: the run failed its own sanity checks)`);
    for (const w of row.report.sanity.warnings) console.error(`  warning: ${w}`);
    rows.push(row);
  }
  console.log(`\n${pin ? `pinned: server on CPU ${pin.server}, bots on CPUs ${pin.bots}\n` : ''}load average at the start ${load.toFixed(2)} (${cpus().length} CPUs)\n`);
  console.log(table(rows));
  console.log('');
  for (const l of judgeTargets(rows)) console.log(l);
  mkdirSync(join(root, 'bench', 'results'), { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const file = join(root, 'bench', 'results', `netcode-${stamp}.json`);
  writeFileSync(
    file,
    JSON.stringify(
      {
        date: new Date().toISOString(),
        node: process.version,
        cpus: cpus().length,
        loadAverageAtStart: load,
        pinned: pin ?? null,
        bots,
        durationS,
        map,
        targets: judgeTargets(rows),
        profiles: rows.map((r) => ({ profile: r.profile, botsExit: r.botsExit, report: r.report })),
      },
      null,
      2,
    ),
  );
  console.log(`\nwritten to ${file}`);
}

main().catch((err: Error) => {
  console.error(`bench:netcode: ${err.message}`);
  process.exit(1);
});
