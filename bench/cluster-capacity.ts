/**
 * Players a cluster holds with every node's tick p99 under half the tick budget. Roaming
 * bots (the bots CLI, one process per entry node, each seating through its node) ramp up
 * steadily; every window each node's tick p99 over that window alone is read from
 * /api/stats?since=. A node has "crossed" at its second window in a row over half the
 * budget; what it held is its player count in its last window under. The cluster's total is the sum
 * in the last window where no node had crossed. The ramp stops when every node crossed,
 * or at the bot limit (then the figure is a floor, and the bots were the limit).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { cpuPercent, sampleProcess, type ProcSample } from './proc-stats.ts';
import type { NodeProcess } from '../tests/integration/cluster/node-process.ts';

const root = join(import.meta.dirname, '..');

export interface CapacityOptions {
  maxBots: number;
  rampPerSec: number;
  windowS: number;
  /** Ramp at least to this many players, even past every crossing (for the CPU projection). */
  minPlayers: number;
}

export interface Window {
  atS: number;
  perNode: { node: string; players: number; tickP99Ms: number; cpuPct: number }[];
  botsCpuPct: number;
  nodesCpuPct: number;
}

export interface CapacityFigures {
  nodes: number;
  budgetMs: number;
  /**
   * What the tick p99 cannot show on a shared machine: each node's own CPU per 100
   * players (median over windows with 50+ players, from /proc, so time spent waiting for
   * a core is not in it), and the players at which that node would use half a core, the
   * average tick at half its budget. A projection, not a measure of p99.
   */
  cpuPctPer100Players: Record<string, number | null>;
  projectedPlayersAtHalfCore: Record<string, number | null>;
  perNode: { node: string; playersHeld: number; crossed: boolean }[];
  totalHeld: number;
  /** Every node crossed: the figure is the servers' limit, not the bots'. */
  allCrossed: boolean;
  windows: Window[];
}

interface Stats {
  ticks: number;
  tickRate: number;
  tickP99Ms: number;
  players: number;
}

async function stats(n: NodeProcess, since?: number): Promise<Stats> {
  const r = await fetch(`${n.httpUrl}/api/stats${since === undefined ? '' : `?since=${since}`}`);
  return (await r.json()) as Stats;
}

function startBots(entry: NodeProcess, bots: number, rampPerSec: number, durationS: number, seed: number): ChildProcess {
  return spawn(
    process.execPath,
    ['--import', 'tsx', join(root, 'game-client', 'bots', 'cli.ts'),
      '--url', entry.publicUrl, '--bots', String(bots), '--ramp', `${rampPerSec}/s`, '--duration', String(durationS),
      '--seat', '--behaviour', 'roam', '--workers', '1', '--seed', String(seed), '--name', `${entry.nodeId}-`],
    { cwd: root, stdio: ['ignore', 'ignore', 'ignore'] },
  );
}

const wait = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function measureCapacity(nodes: NodeProcess[], opts: CapacityOptions): Promise<CapacityFigures> {
  const first = await stats(nodes[0]!);
  const budgetMs = 1000 / first.tickRate;
  const half = budgetMs / 2;
  const perEntry = Math.ceil(opts.maxBots / nodes.length);
  const durationS = Math.ceil(opts.maxBots / opts.rampPerSec) + 10;
  const bots = nodes.map((n, i) => startBots(n, perEntry, opts.rampPerSec / nodes.length, durationS, 100 + i));
  const windows: Window[] = [];
  const crossedAt = new Map<string, number>();
  const held = new Map<string, number>(nodes.map((n) => [n.nodeId!, 0]));
  const over = new Map<string, number>();
  let totalHeld = 0;
  let since = await Promise.all(nodes.map(async (n) => (await stats(n)).ticks));
  let before: ProcSample[] = [];
  // A bots process that finished has no /proc entry: it counts as idle from its last sample.
  const sample = (): ProcSample[] =>
    [...bots.map((b) => b.pid!), ...nodes.map((n) => n.pid)].map((pid, i) => {
      try {
        return sampleProcess(pid);
      } catch {
        const last = before[i];
        return last ? { ...last, at: performance.now() } : { at: performance.now(), cpuMs: 0, rssBytes: 0 };
      }
    });
  before = sample();
  const startedAt = performance.now();
  try {
    for (;;) {
      await wait(opts.windowS * 1000);
      const now = sample();
      const s = await Promise.all(nodes.map((n, i) => stats(n, since[i])));
      since = s.map((x) => x.ticks);
      const cpu = now.map((x, i) => cpuPercent(before[i]!, x));
      before = now;
      const w: Window = {
        atS: Math.round((performance.now() - startedAt) / 100) / 10,
        perNode: s.map((x, i) => ({
          node: nodes[i]!.nodeId!,
          players: x.players,
          tickP99Ms: Math.round(x.tickP99Ms * 100) / 100,
          cpuPct: Math.round(cpu[bots.length + i]!),
        })),
        botsCpuPct: Math.round(cpu.slice(0, bots.length).reduce((a, b) => a + b, 0)),
        nodesCpuPct: Math.round(cpu.slice(bots.length).reduce((a, b) => a + b, 0)),
      };
      windows.push(w);
      console.log(
        `  ${w.atS}s: ${w.perNode.map((p) => `${p.node} ${p.players} players p99 ${p.tickP99Ms} ms ${p.cpuPct} % CPU`).join(', ')}; bots ${w.botsCpuPct} % CPU`,
      );
      const total = w.perNode.reduce((a, p) => a + p.players, 0);
      for (const p of w.perNode) {
        if (crossedAt.has(p.node)) continue;
        // Two windows in a row over: one join burst (or a neighbour's spike on a shared
        // machine) is not the node's limit.
        if (p.tickP99Ms > half) {
          over.set(p.node, (over.get(p.node) ?? 0) + 1);
          if (over.get(p.node)! >= 2) crossedAt.set(p.node, w.atS);
        } else {
          over.set(p.node, 0);
          held.set(p.node, p.players);
        }
      }
      if (crossedAt.size === 0 && w.perNode.every((p) => over.get(p.node) === 0)) totalHeld = total;
      // Past every crossing, ramp on to minPlayers: the CPU projection needs windows.
      if (crossedAt.size === nodes.length && total >= opts.minPlayers) break;
      // Every bot connected (or the run is over) and still under: the bots are the limit.
      if (total >= opts.maxBots - nodes.length || bots.every((b) => b.exitCode !== null)) break;
    }
  } finally {
    for (const b of bots) if (b.exitCode === null) b.kill('SIGKILL');
  }
  const cpuPer100: Record<string, number | null> = {};
  const projected: Record<string, number | null> = {};
  for (const n of nodes) {
    const rates = windows
      .flatMap((w) => w.perNode.filter((p) => p.node === n.nodeId && p.players >= 50))
      .map((p) => (100 * p.cpuPct) / p.players)
      .sort((a, b) => a - b);
    const median = rates.length ? rates[Math.floor(rates.length / 2)]! : null;
    cpuPer100[n.nodeId!] = median === null ? null : Math.round(median * 100) / 100;
    projected[n.nodeId!] = median === null ? null : Math.round((50 / median) * 100);
  }
  return {
    nodes: nodes.length,
    budgetMs: Math.round(budgetMs * 100) / 100,
    cpuPctPer100Players: cpuPer100,
    projectedPlayersAtHalfCore: projected,
    perNode: nodes.map((n) => ({ node: n.nodeId!, playersHeld: held.get(n.nodeId!)!, crossed: crossedAt.has(n.nodeId!) })),
    totalHeld,
    allCrossed: crossedAt.size === nodes.length,
    windows,
  };
}
