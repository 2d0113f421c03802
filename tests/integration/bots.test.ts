/**
 * The bots CLI end to end: the real server in this process on port 0, the CLI as a
 * child process (exactly what a load tester runs), judged by its JSON report and exit
 * code. Kept small (a few bots, a few seconds) so it runs in every `npm test`.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createTcpServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DustupServer } from '../../game-server/server.ts';
import type { BotsReport } from '../../game-client/bots/report.ts';
import { startServer } from './harness.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const cli = join(root, 'game-client', 'bots', 'cli.ts');

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run the CLI to completion (the timeout kills a hung run and fails the test). */
function runCli(args: string[], timeoutMs = 20_000): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', cli, ...args], { cwd: root, timeout: timeoutMs }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

let server: DustupServer;
let dir: string;
let runs = 0;
const url = (): string => `ws://127.0.0.1:${server.port}`;

async function runBots(args: string[]): Promise<{ result: CliResult; report: BotsReport }> {
  const json = join(dir, `report-${++runs}.json`);
  const result = await runCli(['--url', url(), '--workers', '1', '--json', json, ...args]);
  if (result.code !== 0) throw new Error(`bots exited ${result.code}\n${result.stderr}\n${result.stdout}`);
  return { result, report: JSON.parse(readFileSync(json, 'utf8')) as BotsReport };
}

beforeAll(async () => {
  // Snapshots at half the tick rate: the bots must measure what the server sends, not 30.
  // Every bot connects from 127.0.0.1: the per-address connection limit must not apply
  // to a load test.
  server = await startServer({ tickRate: 30, snapshotRate: 15, maxConnectionsPerIp: 0 });
  dir = mkdtempSync(join(tmpdir(), 'dustup-bots-'));
});

afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('dustup-bots against a real server', () => {
  it('20 roaming bots for 3 s: every bot connects and the report is complete and plausible', async () => {
    const { result, report } = await runBots(['--bots', '20', '--duration', '3']);
    expect(report.bots).toMatchObject({ target: 20, started: 20, connected: 20, failed: 0, disconnected: 0 });
    expect(report.rooms.count).toBe(1);
    // Snapshot rate and interval match the server's configured 15/s.
    expect(report.snapshots.expectedPerSec).toBe(15);
    expect(report.snapshots.perBotPerSec).toBeGreaterThan(13.5);
    expect(report.snapshots.perBotPerSec).toBeLessThan(16.5);
    expect(report.snapshots.intervalMeanMs).toBeGreaterThan(60);
    expect(report.snapshots.intervalMeanMs).toBeLessThan(73);
    expect(report.snapshots.jitterMs).toBeGreaterThanOrEqual(0);
    // Measured round trips on loopback: positive, and far from a second.
    expect(report.rttMs.samples).toBeGreaterThan(20 * 3);
    expect(report.rttMs.p50).toBeGreaterThan(0);
    expect(report.rttMs.p99).toBeGreaterThanOrEqual(report.rttMs.p50!);
    expect(report.rttMs.p99).toBeLessThan(500);
    // Inputs go out at the tick rate and come back acknowledged.
    expect(report.inputAckMs.samples).toBeGreaterThan(20 * 30 * 2);
    expect(report.inputAckMs.p50).toBeGreaterThan(0);
    expect(report.inputAckMs.p99).toBeLessThan(1000);
    // Prediction uses the same sim as the server: corrections are rare and small.
    expect(report.predictionErrorPx.samples).toBeGreaterThan(0);
    expect(report.predictionErrorPx.p50).toBe(0);
    // Bytes: snapshots in, ~30 inputs/s of ~8 bytes out.
    expect(report.bytes.inPerBotPerSec).toBeGreaterThan(100);
    expect(report.bytes.outPerBotPerSec).toBeGreaterThan(150);
    expect(report.bytes.outPerBotPerSec).toBeLessThan(600);
    // The server's own figures, read from /api/stats.
    expect(report.server).not.toBeNull();
    expect(report.server!.tickP99Ms).toBeGreaterThanOrEqual(report.server!.tickP50Ms);
    expect(report.server!.cpuPercent).toBeGreaterThan(0);
    expect(report.server!.players).toBe(20);
    // Tick figures over the run's own ticks (about 3 s at the server's rate), not the last 1024.
    expect(report.server!.tickSamples).toBeGreaterThan(30);
    expect(report.server!.tickSamples).toBeLessThan(1024);
    // The server's input buffer over the run: 20 bots' worth of player-ticks, rare starvation.
    const ib = report.server!.inputBuffer!;
    expect(ib.ticks).toBeGreaterThan(20 * 30);
    expect(ib.meanDepth).not.toBeNull();
    expect(ib.meanWaitMs).toBeGreaterThanOrEqual(0);
    expect(ib.starvations).toBeLessThan(ib.ticks);
    expect(result.stdout).toMatch(/input buffer\s+depth mean/);
    expect(report.generator.loopLagP99Ms).not.toBeNull();
    // A busy CI machine may add a "workers fell behind" warning; problems fail the run.
    expect(report.sanity.ok).toBe(true);
    expect(report.sanity.problems).toEqual([]);
    // The human table and the progress line went to their streams.
    expect(result.stdout).toMatch(/connected\s+20 \/ 20/);
    expect(result.stdout).toMatch(/result: OK/);
    expect(result.stderr).toMatch(/bots \d+\/20/);
  }, 30_000);

  it('--latency 50 raises the measured RTT by about 100 ms (50 each way)', async () => {
    const base = await runBots(['--bots', '5', '--duration', '2.5', '--behaviour', 'idle']);
    const laggy = await runBots(['--bots', '5', '--duration', '2.5', '--behaviour', 'idle', '--latency', '50', '--jitter', '0']);
    const increase = laggy.report.rttMs.p50! - base.report.rttMs.p50!;
    expect(increase).toBeGreaterThan(80);
    expect(increase).toBeLessThan(140);
    expect(laggy.report.bots.connected).toBe(5);
    // The input round trip grows by the same 100 ms, give or take one tick: an ack
    // leaves with the first snapshot after the input is applied, so each median sits
    // anywhere within a 33 ms tick of its input's arrival.
    expect(laggy.report.inputAckMs.p50! - base.report.inputAckMs.p50!).toBeGreaterThan(100 - 1000 / 30);
  }, 30_000);

  it('bad options print one clear line and exit 2, without a stack trace', async () => {
    const r = await runCli(['--bots', 'lots']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^dustup-bots: --bots must be a whole number from 1 to 100000, got "lots"/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const u = await runCli(['--behaviour', 'dance']);
    expect(u.code).toBe(2);
    expect(u.stderr).toMatch(/--behaviour must be one of roam, idle, fight/);
  }, 20_000);

  it('a server that is not there is one clear error and exit 1', async () => {
    // A port that was just free: nothing listens on it.
    const port = await new Promise<number>((resolve) => {
      const s = createTcpServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const r = await runCli(['--url', `ws://127.0.0.1:${port}`, '--bots', '3', '--duration', '2']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(`dustup-bots: cannot reach ws://127.0.0.1:${port}/ws: connection refused`);
  }, 20_000);
});
