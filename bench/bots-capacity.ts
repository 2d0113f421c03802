/**
 * How many roaming bots one bot worker (one thread, about one core) keeps up with.
 *
 *   npx tsx bench/bots-capacity.ts [--counts 250,500,750,1000] [--duration 25] [--ramp 200]
 *
 * Starts the real server as its own process (port 0, default 30 Hz ticks and snapshots,
 * rooms of 32), then for each count runs the bots CLI with --workers 1 and reads its
 * JSON report. A count is kept up with when the bots receive >= 97% of the server's
 * snapshots, the worker's loop lag p99 stays under one tick, its event loop is busy
 * under 85% of the time (headroom for bursts), and snapshots do not arrive in clumps
 * (the interval p50 stays above half the nominal interval: a worker that falls behind
 * reads several queued snapshots at once).
 *
 * Note: on a small machine the server, the bots' main thread and the kernel's loopback
 * TCP share the cores with the worker; the figure is for this machine as a whole.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { BotsReport } from '../game-client/bots/report.ts';
import { root, startServerProcess } from './server-process.ts';

const { values } = parseArgs({
  options: {
    counts: { type: 'string', default: '250,500,750,1000' },
    duration: { type: 'string', default: '25' },
    ramp: { type: 'string', default: '200' },
    behaviour: { type: 'string', default: 'roam' },
  },
});
const counts = values.counts.split(',').map(Number);
const duration = Number(values.duration);

async function startServer(): Promise<{ port: number; stop: () => void }> {
  const { proc, port } = await startServerProcess([]);
  return { port, stop: () => proc.kill('SIGTERM') };
}

function runBots(port: number, n: number, json: string): Promise<BotsReport> {
  const args = [
    '--import', 'tsx', join(root, 'game-client', 'bots', 'cli.ts'),
    '--url', `ws://127.0.0.1:${port}`, '--bots', String(n), '--ramp', values.ramp,
    '--duration', String(duration), '--workers', '1', '--behaviour', values.behaviour, '--json', json,
  ];
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { cwd: root, timeout: (duration + 60) * 1000 }, (err, _out, stderr) => {
      try {
        resolve(JSON.parse(readFileSync(json, 'utf8')) as BotsReport);
      } catch {
        reject(new Error(`bots run for ${n} failed: ${err?.message ?? ''}\n${stderr}`));
      }
    });
  });
}

const dir = mkdtempSync(join(tmpdir(), 'bots-capacity-'));
console.log(`machine: ${availableParallelism()} cores (${cpus()[0]?.model ?? '?'}), node ${process.version}`);
console.log(`each run: --workers 1 --ramp ${values.ramp}/s --duration ${duration} --behaviour ${values.behaviour}, fresh server\n`);
const header = ['bots', 'snap/s/bot', 'intv p50/p99 ms', 'rtt p50/p99 ms', 'ack p50/p99 ms', 'loop lag p99', 'worker busy', 'bots proc CPU', 'server CPU', 'keeps up'];
console.log(header.join(' | '));
let best = 0;
let bestReport: BotsReport | null = null;
for (const n of counts) {
  // A fresh server per count: rooms, baselines and its tick window start clean.
  const server = await startServer();
  let r: BotsReport;
  try {
    r = await runBots(server.port, n, join(dir, `r${n}.json`));
  } finally {
    server.stop();
  }
  const expected = r.snapshots.expectedPerSec ?? 30;
  const tickMs = 1000 / expected;
  const keeps =
    r.bots.connected === n &&
    (r.snapshots.perBotPerSec ?? 0) >= 0.97 * expected &&
    (r.generator.loopLagP99Ms ?? Infinity) < tickMs &&
    (r.generator.busy ?? 1) < 0.85 &&
    (r.snapshots.intervalP50Ms ?? 0) > tickMs / 2;
  if (keeps && n > best) {
    best = n;
    bestReport = r;
  }
  console.log(
    [
      n,
      r.snapshots.perBotPerSec,
      `${r.snapshots.intervalP50Ms}/${r.snapshots.intervalP99Ms}`,
      `${r.rttMs.p50}/${r.rttMs.p99}`,
      `${r.inputAckMs.p50}/${r.inputAckMs.p99}`,
      r.generator.loopLagP99Ms,
      `${Math.round((r.generator.busy ?? 0) * 100)}%`,
      `${Math.round(r.generator.processCpuPercent ?? 0)}%`,
      `${Math.round(r.server?.cpuPercent ?? 0)}%`,
      keeps ? 'yes' : 'no',
    ].join(' | '),
  );
  await new Promise((res) => setTimeout(res, 1000));
}
rmSync(dir, { recursive: true, force: true });
console.log(
  best
    ? `\nlargest count one worker kept up with: ${best} bots (worker busy ${Math.round((bestReport!.generator.busy ?? 0) * 100)}%)`
    : '\nno count was kept up with',
);
