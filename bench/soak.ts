/**
 * `npm run soak -- --bots 200 --minutes 10`: a long run to show the server's memory
 * stays flat and its ticks stay fast. Not a test (it takes minutes): it starts the
 * server and the bots CLI as their own processes, like bench/run.ts, and prints the
 * server's RSS (from /proc, i.e. from outside), CPU and tick p50/p99 (/api/stats, the
 * last ~1024 ticks) every --interval seconds, then a summary: RSS after the ramp vs at
 * the end, its least-squares slope in MB per minute, and the tick p99 range.
 * The figures are also written to bench/results/soak-<timestamp>.json.
 *
 * Options: --bots N (200), --minutes M (10), --interval S (30), --ramp N (50 bots/s),
 * --map ID (arena), --max-players N (32: 200 bots fill 7 rooms), --behaviour B (roam).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { cpuPercent, sampleProcess, type ProcSample } from './proc-stats.ts';
import { root, serverStats, startServerProcess, type ServerProcess } from './server-process.ts';


interface Options {
  bots: number;
  minutes: number;
  intervalS: number;
  ramp: number;
  map: string;
  maxPlayers: number;
  behaviour: string;
}

interface Row {
  /** Seconds since the bots started. */
  t: number;
  players: number;
  rssMB: number;
  cpuPct: number;
  tickP50Ms: number;
  tickP99Ms: number;
  tickOverruns: number;
}

interface ApiStats {
  players: number;
  tickP50Ms: number;
  tickP99Ms: number;
  tickOverruns: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function options(): Options {
  const { values } = parseArgs({
    options: {
      bots: { type: 'string' },
      minutes: { type: 'string' },
      interval: { type: 'string' },
      ramp: { type: 'string' },
      map: { type: 'string' },
      'max-players': { type: 'string' },
      behaviour: { type: 'string' },
    },
  });
  const num = (name: string, raw: string | undefined, fallback: number, min: number): number => {
    const n = raw === undefined ? fallback : Number(raw);
    if (!Number.isFinite(n) || n < min) throw new Error(`--${name} must be a number >= ${min}, got "${raw}"`);
    return n;
  };
  return {
    bots: Math.round(num('bots', values.bots, 200, 1)),
    minutes: num('minutes', values.minutes, 10, 0.5),
    intervalS: num('interval', values.interval, 30, 1),
    ramp: num('ramp', values.ramp, 50, 1),
    map: values.map ?? 'arena',
    maxPlayers: Math.round(num('max-players', values['max-players'], 32, 1)),
    behaviour: values.behaviour ?? 'roam',
  };
}

function startServer(o: Options): Promise<ServerProcess> {
  return startServerProcess(['--map', o.map, '--max-players', String(o.maxPlayers)]);
}

const apiStats = (port: number): Promise<ApiStats> => serverStats<ApiStats>(port);

/** Least-squares slope of y over x. */
function slope(xs: number[], ys: number[]): number {
  const n = xs.length;
  if (n < 2) return 0;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i]! - mx) * (ys[i]! - my);
    den += (xs[i]! - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

const f = (v: number, d = 1): string => (Number.isFinite(v) ? v.toFixed(d) : '-');

async function main(): Promise<void> {
  const o = options();
  console.log(
    `soak: ${o.bots} ${o.behaviour} bots for ${o.minutes} min on map ${o.map} (max ${o.maxPlayers} per room), ` +
      `a line every ${o.intervalS} s`,
  );
  const { proc: server, port } = await startServer(o);
  const rampS = Math.ceil(o.bots / o.ramp);
  const durationS = Math.ceil(o.minutes * 60) + rampS + 15;
  const bots = spawn(
    process.execPath,
    [
      '--import', 'tsx', join(root, 'game-client', 'bots', 'cli.ts'),
      '--url', `ws://127.0.0.1:${port}`, '--bots', String(o.bots), '--ramp', `${o.ramp}/s`,
      '--duration', String(durationS), '--behaviour', o.behaviour, '--workers', '1',
    ],
    { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  // The bots' own progress line would interleave with the table; pass on anything else.
  bots.stderr!.setEncoding('utf8');
  bots.stderr!.on('data', (chunk: string) => {
    for (const line of chunk.split('\n'))
      if (line.trim() !== '' && !/^\s*[\d.]+s\s+bots \d+\/\d+/.test(line)) process.stderr.write(`bots: ${line}\n`);
  });
  const rows: Row[] = [];
  const t0 = performance.now();
  let stop = false;
  const end = (): void => {
    stop = true;
  };
  process.once('SIGINT', end);
  process.once('SIGTERM', end);
  bots.once('exit', end);
  try {
    console.log('     t   players   RSS MB   CPU %   tick p50 ms   tick p99 ms   overruns');
    let prev: ProcSample = sampleProcess(server.pid!);
    const deadline = t0 + (rampS + o.minutes * 60) * 1000;
    let next = t0 + o.intervalS * 1000;
    while (!stop) {
      const wait = Math.min(next, deadline) - performance.now();
      if (wait > 0) await sleep(Math.min(wait, 1000));
      if (performance.now() < Math.min(next, deadline)) continue;
      const cur = sampleProcess(server.pid!);
      const st = await apiStats(port);
      const row: Row = {
        t: Math.round((performance.now() - t0) / 1000),
        players: st.players,
        rssMB: cur.rssBytes / 1048576,
        cpuPct: cpuPercent(prev, cur),
        tickP50Ms: st.tickP50Ms,
        tickP99Ms: st.tickP99Ms,
        tickOverruns: st.tickOverruns,
      };
      prev = cur;
      rows.push(row);
      console.log(
        `${String(row.t).padStart(5)}s ${String(row.players).padStart(9)} ${f(row.rssMB).padStart(8)} ${f(row.cpuPct).padStart(7)} ` +
          `${f(row.tickP50Ms, 2).padStart(13)} ${f(row.tickP99Ms, 2).padStart(13)} ${String(row.tickOverruns).padStart(10)}`,
      );
      if (performance.now() >= deadline) break;
      next += o.intervalS * 1000;
    }
  } finally {
    bots.kill('SIGTERM');
    server.kill('SIGTERM');
    await sleep(500);
  }
  // Memory after the ramp (the first full row) against the end: flat means no leak.
  const steady = rows.filter((r) => r.t >= rampS + 5);
  const use = steady.length >= 2 ? steady : rows;
  if (use.length === 0) throw new Error('no samples taken');
  const first = use[0]!;
  const last = use[use.length - 1]!;
  const mbPerMin = slope(use.map((r) => r.t / 60), use.map((r) => r.rssMB));
  const p99s = use.map((r) => r.tickP99Ms).sort((a, b) => a - b);
  const summary = {
    bots: o.bots,
    minutes: o.minutes,
    rssStartMB: first.rssMB,
    rssEndMB: last.rssMB,
    rssSlopeMBPerMin: mbPerMin,
    tickP99MinMs: p99s[0]!,
    tickP99MedianMs: p99s[Math.floor(p99s.length / 2)]!,
    tickP99MaxMs: p99s[p99s.length - 1]!,
    tickOverruns: last.tickOverruns,
  };
  console.log(
    `\nRSS ${f(summary.rssStartMB)} MB at ${first.t}s -> ${f(summary.rssEndMB)} MB at ${last.t}s ` +
      `(slope ${f(mbPerMin, 2)} MB/min); tick p99 ${f(summary.tickP99MinMs, 2)}..${f(summary.tickP99MaxMs, 2)} ms ` +
      `(median ${f(summary.tickP99MedianMs, 2)}), ${summary.tickOverruns} overruns`,
  );
  mkdirSync(join(root, 'bench', 'results'), { recursive: true });
  const file = join(root, 'bench', 'results', `soak-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(
    file,
    JSON.stringify({ date: new Date().toISOString(), node: process.version, cpus: cpus().length, options: o, summary, rows }, null, 2),
  );
  console.log(`written to ${file}`);
}

main().catch((err: Error) => {
  console.error(`soak: ${err.message}`);
  process.exit(1);
});
