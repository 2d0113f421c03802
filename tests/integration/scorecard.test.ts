/**
 * The netcode scorecard against a real server on port 0, with known injected latency:
 * fight bots (a Swarm in this process, real sockets through the bots' laggy socket)
 * whose view latency must come out as their interpolation delay plus the injected one-way
 * delay, whose ghost error must be small on a clean link, and a constructed hit and miss
 * whose verdicts must be paired and counted as agreeing.
 */
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Button, CREATE_PRIVATE_ROOM, EventType, type ShotEvent } from '../../protocol/index.ts';
import type { DustupServer } from '../../game-server/server.ts';
import { GameClient } from '../../game-client/src/net/client.ts';
import type { LocalShot } from '../../game-client/src/net/client-types.ts';
import { GhostJudge } from '../../game-client/bots/ghost-judge.ts';
import { Measures } from '../../game-client/bots/metrics.ts';
import { buildReport } from '../../game-client/bots/report.ts';
import { ShotJudge } from '../../game-client/bots/shot-judge.ts';
import { Swarm, type SwarmConfig, type WorkerMessage } from '../../game-client/bots/swarm.ts';
import { parseBotArgs } from '../../game-client/bots/args.ts';
import { startServer, waitFor } from './harness.ts';

let server: DustupServer;

beforeAll(async () => {
  server = await startServer({ mapId: 'dense', maxConnectionsPerIp: 0 });
});
afterAll(async () => {
  await server?.close();
});

const ONE_WAY_MS = 40;

describe('the scorecard with a known one-way delay', () => {
  it(`${ONE_WAY_MS} ms each way: view latency = interpolation delay + ~${ONE_WAY_MS} ms, ghost error small, shots judged`, async () => {
    const bots = 6;
    const cfg: SwarmConfig = {
      url: `ws://127.0.0.1:${server.port}/ws`,
      totalBots: bots,
      workerIndex: 0,
      workers: 1,
      rampPerSec: 50,
      behaviour: 'fight',
      latencyMs: ONE_WAY_MS,
      jitterMs: 0,
      seed: 7,
      namePrefix: 'score',
      room: '',
      rooms: 0,
      startEpochMs: Date.now(),
      tickRate: 30,
      reportEveryMs: 500,
    };
    const measures = new Measures();
    const ghost = new GhostJudge(1000 / 30);
    const onMessage = (m: WorkerMessage): void => {
      if (m.type !== 'interval') return;
      measures.add(m.measures);
      if (m.ghost) ghost.add(m.ghost);
    };
    const swarm = new Swarm(cfg, onMessage);
    swarm.start();
    try {
      // Past the scorecard's 3 s settling, then enough frames and shots to judge.
      await waitFor(
        () => measures.h.viewLatencyMs.count > bots * 30 * 3 && measures.counters.shotsJudged >= 5,
        'view samples and judged shots',
        30_000,
      );
    } finally {
      swarm.stop();
    }
    const parsed = parseBotArgs(['--url', cfg.url, '--bots', String(bots), '--behaviour', 'fight', '--latency', String(ONE_WAY_MS)]);
    if (parsed.kind !== 'ok') throw new Error('bot arguments');
    const report = buildReport({
      config: parsed.config,
      measures,
      startedAt: new Date(),
      elapsedS: 1,
      started: bots,
      playingAtEnd: bots,
      busy: null,
      processCpuPercent: null,
      statsBefore: null,
      statsAfter: null,
      serverError: null,
      ghost: ghost.finish(),
    });
    const n = report.netcode!;
    // What the interpolator itself says its delay is (behind the newest snapshot the
    // stream could have delivered), per frame, over the same frames.
    const interp = measures.h.interpolationDelayMs;
    expect(interp.count).toBe(n.viewLatencyMs.samples);
    // The others are as old as the interpolation delay plus the trip down.
    const extra = n.viewLatencyMs.p50! - interp.percentile(0.5);
    expect(extra).toBeGreaterThan(ONE_WAY_MS - 12);
    expect(extra).toBeLessThan(ONE_WAY_MS + 12);
    // And never younger than one snapshot interval plus the trip.
    expect(n.viewLatencyMs.p50!).toBeGreaterThan(1000 / 30 + ONE_WAY_MS);
    // A clean link draws players where the server had them, to the wire's 1/2 px grid.
    expect(n.ghostPx.samples).toBeGreaterThan(100);
    expect(n.ghostPx.p50!).toBeLessThan(1);
    expect(n.ghostPx.p95!).toBeLessThan(2);
    expect(n.ghostNearestTenPx.samples).toBeGreaterThan(0);
    // Every judged shot is in exactly one class.
    const s = n.shots;
    expect(s.judged).toBeGreaterThanOrEqual(5);
    expect(s.agree + s.falseMisses + s.falseHits + s.wrongTarget).toBe(s.judged);
    expect(s.beyondRewind).toBe(0);
  }, 45_000);
});

describe('a constructed hit and miss', () => {
  let duel: DustupServer;
  // The duel map keeps every spawn point in range and in sight of every other.
  beforeAll(async () => {
    duel = await startServer({ mapId: 'duel' });
  });
  afterAll(async () => {
    await duel?.close();
  });

  it('a shot at a player standing still and one fired away from it: both verdicts paired with the screen, both agreeing', async () => {
    const url = `ws://127.0.0.1:${duel.port}/ws`;
    const opts = { url, WebSocket: WebSocket as never };
    // A private room: the two are alone in it.
    const target = new GameClient({ ...opts, name: 'Target', room: CREATE_PRIVATE_ROOM });
    const wt = await target.connect();
    const shooter = new GameClient({ ...opts, name: 'Shooter', room: target.roomCode });
    await shooter.connect();
    const measures = new Measures();
    const judge = new ShotJudge(measures);
    const verdicts: ShotEvent[] = [];
    const drawn: LocalShot[] = [];
    shooter.onLocalShot((s) => {
      drawn.push({ ...s });
      judge.predicted(s.seq, s.hitId);
    });
    shooter.onEvent((e) => {
      if (e.type === EventType.Shot && e.shooter === shooter.playerId && e.seq !== undefined) {
        verdicts.push(e);
        judge.verdict(e.seq, e.target ?? -1, e.refused === 1);
      }
    });
    const timer = setInterval(() => {
      target.update();
      shooter.update();
    }, 1000 / 60);
    try {
      // Spawn protection does not matter: a protected player still stops the beam.
      const seen = await waitFor(() => shooter.remotePlayers().find((p) => p.id === wt.playerId), 'the target drawn', 5000);
      const me = await waitFor(() => shooter.predictedState, 'own state', 5000);
      const toward = Math.atan2(seen.y - me.y, seen.x - me.x);
      const fireOnce = async (aim: number, n: number): Promise<void> => {
        shooter.setAim(aim);
        shooter.setButtons(Button.Fire);
        await waitFor(() => drawn.length >= n, `shot ${n} drawn`, 3000);
        shooter.setButtons(0);
        await waitFor(() => verdicts.length >= n, `verdict ${n}`, 3000);
        // Past the cooldown before the next.
        await new Promise((r) => setTimeout(r, 400));
      };
      await fireOnce(toward, 1);
      await fireOnce(toward + Math.PI, 2);
    } finally {
      clearInterval(timer);
      shooter.close();
      target.close();
    }
    expect(drawn[0]!.hitId).toBe(wt.playerId);
    expect(verdicts[0]).toMatchObject({ seq: drawn[0]!.seq, target: wt.playerId, refused: 0 });
    expect(drawn[1]!.hitId).toBe(-1);
    expect(verdicts[1]).toMatchObject({ seq: drawn[1]!.seq, target: -1, refused: 0 });
    expect(measures.counters).toMatchObject({ shotsJudged: 2, shotsAgree: 2, shotsFalseMiss: 0, shotsFalseHit: 0 });
  }, 20_000);
});
