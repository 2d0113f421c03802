/**
 * `npm run bench:cluster`: the scaled-out figures of issue 11, one run, real processes
 * (a real redis-server, real node processes, real sockets), JSON into bench/results/.
 *
 * 1. Join through the directory: p50/p99 ms from POST /api/seat to the Welcome, entering
 *    on one node and playing on the other, against a single process (no Redis) in the
 *    same run, both through /api/seat and with the old direct Hello; Redis commands per
 *    join (INFO commandstats deltas, less the idle lease refreshes over as long).
 * 2. Players held with tick p99 under half the tick budget: 1 node, then 2 nodes, roaming
 *    bots ramping up (cluster-capacity.ts). On this 2-core machine the bots share the
 *    cores with the nodes: the run prints the bots' CPU next to the nodes'.
 * 3. After a kill -9 of a node in a match: seconds until the last orphaned player plays
 *    again on another node (cluster-failover.ts).
 *
 * Options: --joins N (default 200), --max-bots N (default 3000), --ramp N (bots/s,
 * default 50), --window S (default 3), --orphans N (default 64), --only joins,capacity,failover
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { startRedisServer, type LocalRedis } from '../scripts/redis-server.ts';
import { NodeFleet, type NodeProcess } from '../tests/integration/cluster/node-process.ts';
import { measureCapacity, type CapacityFigures } from './cluster-capacity.ts';
import { measureFailover, type FailoverFigures } from './cluster-failover.ts';
import { commandCalls, delta, directJoin, percentiles, seatJoin, timeJoins, type Percentiles } from './cluster-joins.ts';

const root = join(import.meta.dirname, '..');

const { values } = parseArgs({
  options: {
    joins: { type: 'string', default: '200' },
    'max-bots': { type: 'string', default: '3000' },
    ramp: { type: 'string', default: '50' },
    window: { type: 'string', default: '3' },
    orphans: { type: 'string', default: '64' },
    only: { type: 'string', default: 'joins,capacity,failover' },
  },
});
const joins = Number(values.joins);
const only = new Set(values.only.split(','));

const fleet = new NodeFleet();
let redis: LocalRedis;

/** Two fresh nodes (or one) on an empty Redis. */
async function freshCluster(count: number, flags: string[] = []): Promise<NodeProcess[]> {
  await fleet.stopAll();
  await redis.restart();
  const nodes: NodeProcess[] = [];
  for (let i = 1; i <= count; i++)
    nodes.push(await fleet.start({ redisUrl: redis.url, nodeId: `n${i}`, flags: ['--log-level', 'info', ...flags] }));
  return nodes;
}

interface JoinResults {
  single: { direct: Percentiles; seat: Percentiles };
  cluster: { seatOtherNode: Percentiles; seatSameNode: Percentiles };
  redisCommandsPerJoin: number;
  redisCommandsPerJoinByCommand: Record<string, number>;
  idleCommandsPerSecond: number;
}

async function measureJoins(): Promise<JoinResults> {
  console.log(`joins: ${joins} one after another per path`);
  await fleet.stopAll();
  const single = await fleet.start({ flags: ['--log-level', 'info'] });
  const direct = await timeJoins(joins, (i) => directJoin(single, `d${i}`));
  direct.close();
  const singleSeat = await timeJoins(joins, (i) => seatJoin(single, `s${i}`));
  singleSeat.close();
  await fleet.stopAll();

  const [a, b] = await freshCluster(2);
  const client = new Redis(redis.url);
  // Idle first: what two nodes send with nobody joining (lease refreshes, listings).
  const idleS = 5;
  const idle0 = await commandCalls(client);
  await new Promise((r) => setTimeout(r, idleS * 1000));
  const idle = delta(await commandCalls(client), idle0);
  const idleTotal = Object.values(idle).reduce((x, y) => x + y, 0) - 1; // less our own INFO
  const t0 = performance.now();
  const before = await commandCalls(client);
  // Enter on a: quick play fills rooms wherever the directory says; record both cases.
  const other: number[] = [];
  const same: number[] = [];
  const sockets: { close(): void }[] = [];
  for (let i = 0; i < joins; i++) {
    const j = await seatJoin(i % 2 === 0 ? a! : b!, `c${i}`);
    (j.seat.node === (i % 2 === 0 ? a! : b!).nodeId ? same : other).push(j.ms);
    sockets.push({ close: () => j.ws.close(1000) });
  }
  const after = await commandCalls(client);
  const spentS = (performance.now() - t0) / 1000;
  for (const s of sockets) s.close();
  const d = delta(after, before);
  d.info = (d.info ?? 1) - 1;
  const idleShare = (idleTotal / idleS) * spentS;
  const total = Object.values(d).reduce((x, y) => x + y, 0) - idleShare;
  const byCommand: Record<string, number> = {};
  for (const [k, v] of Object.entries(d)) {
    const idleK = ((idle[k] ?? 0) / idleS) * spentS;
    const perJoin = Math.round(((v - idleK) / joins) * 100) / 100;
    if (perJoin > 0) byCommand[k] = perJoin;
  }
  client.disconnect();
  return {
    single: { direct: percentiles(direct.ms), seat: percentiles(singleSeat.ms) },
    cluster: { seatOtherNode: percentiles(other), seatSameNode: percentiles(same) },
    redisCommandsPerJoin: Math.round((total / joins) * 100) / 100,
    redisCommandsPerJoinByCommand: byCommand,
    idleCommandsPerSecond: Math.round((idleTotal / idleS) * 10) / 10,
  };
}

async function main(): Promise<void> {
  redis = await startRedisServer();
  const results: {
    machine: { cpus: number; model: string; loadavg: number[] };
    startedAt: string;
    joins?: JoinResults;
    capacity?: { oneNode: CapacityFigures; twoNodes: CapacityFigures };
    failover?: FailoverFigures;
  } = {
    machine: { cpus: cpus().length, model: cpus()[0]?.model ?? '', loadavg: loadavg().map((x) => Math.round(x * 100) / 100) },
    startedAt: new Date().toISOString(),
  };
  try {
    if (only.has('joins')) {
      results.joins = await measureJoins();
      console.log(JSON.stringify(results.joins, null, 2));
    }
    if (only.has('capacity')) {
      const opts = { maxBots: Number(values['max-bots']), rampPerSec: Number(values.ramp), windowS: Number(values.window), minPlayers: 600 };
      console.log('capacity: 1 node');
      const oneNode = await measureCapacity(await freshCluster(1, ['--max-connections-per-ip', '0']), opts);
      console.log('capacity: 2 nodes');
      const twoNodes = await measureCapacity(await freshCluster(2, ['--max-connections-per-ip', '0']), opts);
      results.capacity = { oneNode, twoNodes };
      for (const c of [oneNode, twoNodes])
        console.log(
          `${c.nodes} node(s): held ${c.totalHeld} players with every tick p99 under ${c.budgetMs / 2} ms ` +
            `(${c.perNode.map((p) => `${p.node} ${p.playersHeld}${p.crossed ? '' : ' (not crossed: bot limit)'}`).join(', ')}); ` +
            `CPU per 100 players ${JSON.stringify(c.cpuPctPer100Players)} % of a core, half a core at ${JSON.stringify(c.projectedPlayersAtHalfCore)} players`,
        );
    }
    if (only.has('failover')) {
      // Rooms big enough for every orphan: the figure is the re-seat, not room overflow.
      const [a, b] = await freshCluster(2, ['--max-players', String(Number(values.orphans) + 1), '--max-connections-per-ip', '0']);
      results.failover = await measureFailover(a!, b!, Number(values.orphans), 5000);
      console.log(JSON.stringify(results.failover, null, 2));
    }
  } finally {
    await fleet.stopAll();
    await redis.stop();
  }
  mkdirSync(join(root, 'bench', 'results'), { recursive: true });
  const file = join(root, 'bench', 'results', `cluster-${results.startedAt.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`written to ${file}`);
}

await main();
