import { describe, expect, it } from 'vitest';
import { Swarm, type IntervalReport, type SwarmConfig, type WorkerMessage } from '../../../game-client/bots/swarm.ts';
import { FakeTimerClock } from '../fake-timer-clock.ts';

const config: SwarmConfig = {
  url: 'ws://127.0.0.1:1/ws',
  totalBots: 0,
  workerIndex: 0,
  workers: 1,
  rampPerSec: 100,
  behaviour: 'idle',
  latencyMs: 0,
  jitterMs: 0,
  budget: 0,
  seed: 1,
  namePrefix: 'bot',
  room: '',
  rooms: 0,
  startEpochMs: Date.now(),
  tickRate: 30,
  reportEveryMs: 1000,
};

function intervals(posted: WorkerMessage[]): IntervalReport[] {
  return posted.filter((m): m is IntervalReport => m.type === 'interval');
}

describe("the swarm's loop (the shared FixedLoop on the injected clock)", () => {
  it('wakes at 4x the tick rate and reports once per interval', () => {
    const clock = new FakeTimerClock(10_000);
    const posted: WorkerMessage[] = [];
    const swarm = new Swarm(config, (m) => posted.push(m), clock);
    swarm.start();
    clock.advance(1000);
    // 120 wakes due at 0, 8.3, ... 991.7 ms; the report at 1000 ms waits for the next wake.
    expect(swarm.measures.counters.loopWakes).toBe(120);
    clock.advance(10);
    const reports = intervals(posted);
    expect(reports).toHaveLength(1);
    expect(reports[0]!.measures.counters.loopWakes).toBe(121);
    expect(reports[0]!.measures.counters.loopLateWakes).toBe(0);
    swarm.stop();
    expect(clock.pending).toBe(0);
    expect(intervals(posted).at(-1)!.final).toBe(true);
  });

  it('after a stall it wakes once, counts it late, and skips the missed wakes instead of bursting', () => {
    const clock = new FakeTimerClock(10_000);
    const posted: WorkerMessage[] = [];
    const swarm = new Swarm({ ...config, reportEveryMs: 60_000 }, (m) => posted.push(m), clock);
    swarm.start();
    clock.advance(100); // wakes 0..12
    const before = swarm.measures.counters.loopWakes;
    clock.t += 505; // the thread was blocked for 60 wakes' worth, to 605 ms
    clock.advance(15);
    const after = swarm.measures.counters.loopWakes - before;
    // One late wake, then the grid again (wakes at 608.3, 616.7): no catch-up burst of 60.
    expect(after).toBe(3);
    expect(swarm.measures.counters.loopLateWakes).toBe(1);
    expect(swarm.measures.h.loopLagMs.max).toBeGreaterThan(400);
    swarm.stop();
  });
});
