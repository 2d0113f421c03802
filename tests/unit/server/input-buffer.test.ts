/**
 * The adaptive input buffer against a simulated network: a client producing one input
 * per tick on its own clock (the real InputSender, steered by the server's InputTiming
 * after a one-way delay), a FIFO link with seeded jitter, and the server's InputQueue
 * ticking on a fake clock. Nothing here sleeps: time is a number the loop advances.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ClientKind, type InputMsg } from '../../../protocol/index.ts';
import { InputQueue, newInputTotals } from '../../../game-server/net/input-queue.ts';
import { InputSender } from '../../../game-client/src/net/input-sender.ts';
import { seededRandom } from '../../../protocol/random.ts';

const TICK = 1000 / 30;

interface Phase {
  /** Duration, ms. */
  ms: number;
  /** One-way delay = base + random * jitter (FIFO: never before the previous one). */
  jitterMs: number;
}

interface Sim {
  /** Per tick: the queue length after the take, the starvations, the adjust sent. */
  depth: number[];
  starvedAt: number[];
  waits: number[];
  targets: number[];
  adjusts: number[];
  applied: number[];
  queue: InputQueue;
}

/**
 * `clientFrameMs`: how often the client's update runs (its send-time resolution).
 * `timing`: whether the client obeys InputTiming.
 */
function simulate(
  phases: Phase[],
  opts: { seed?: number; baseMs?: number; clientFrameMs?: number; timing?: boolean; clientPhaseMs?: number; stall?: { everyMs: number; ms: number } } = {},
): Sim {
  const random = seededRandom(opts.seed ?? 1);
  const base = opts.baseMs ?? 0;
  const frame = opts.clientFrameMs ?? 1;
  const q = new InputQueue(30, TICK);
  const sender = new InputSender(30);
  const totals = newInputTotals();
  // Messages in flight, each way: [deliverAt, payload].
  const up: [number, InputMsg][] = [];
  const down: [number, number][] = [];
  let lastUp = -Infinity;
  let lastDown = -Infinity;
  const out: InputMsg[] = [];
  const sim: Sim = { depth: [], starvedAt: [], waits: [], targets: [], adjusts: [], applied: [], queue: q };
  const total = phases.reduce((a, p) => a + p.ms, 0);
  const jitterAt = (t: number): number => {
    let acc = 0;
    for (const p of phases) {
      acc += p.ms;
      if (t < acc) return p.jitterMs;
    }
    return 0;
  };
  let nextTick = 0;
  let tick = 0;
  let nextFrame = opts.clientPhaseMs ?? 7.3;
  sender.start(nextFrame);
  let sentAdjust = 0;
  for (let t = 0; t <= total; t += 0.25) {
    // Deliveries due.
    while (up.length && up[0]![0] <= t) q.push(up.shift()![1], t);
    while (down.length && down[0]![0] <= t) {
      const a = down.shift()![1];
      if (opts.timing !== false) sender.adjust(a);
    }
    const stalled = opts.stall !== undefined && t % opts.stall.everyMs < opts.stall.ms;
    if (t >= nextFrame && !stalled) {
      nextFrame = t + frame;
      sender.update(t, 0, 0, (seq) => {
        let at = t + base + random() * jitterAt(t);
        if (at < lastUp) at = lastUp;
        lastUp = at;
        up.push([at, { kind: ClientKind.Input, seq, buttons: 0, aim: 0 }]);
      });
    }
    if (t >= nextTick) {
      const before = totals.waitMsSum;
      const n = q.take(out, t, true, totals);
      for (let i = 0; i < n; i++) sim.applied.push(out[i]!.seq);
      sim.depth.push(q.length);
      sim.waits.push(n > 0 ? (totals.waitMsSum - before) / n : Number.NaN);
      if (n === 0 && q.lastReceivedSeq > 0) sim.starvedAt.push(t);
      sim.targets.push(q.timing.targetMs);
      if (tick % 8 === 0) {
        const a = q.timing.adjust;
        if (a !== sentAdjust) {
          sentAdjust = a;
          let at = t + base + random() * jitterAt(t);
          if (at < lastDown) at = lastDown;
          lastDown = at;
          down.push([at, a]);
        }
      }
      sim.adjusts.push(sentAdjust);
      tick++;
      nextTick += TICK;
    }
  }
  return sim;
}

const mean = (xs: number[]): number => xs.filter((x) => !Number.isNaN(x)).reduce((a, b) => a + b, 0) / xs.filter((x) => !Number.isNaN(x)).length;
/** Ticks of [fromMs, toMs). */
const during = <T>(xs: T[], fromMs: number, toMs: number): T[] => xs.slice(Math.ceil(fromMs / TICK), Math.floor(toMs / TICK));

describe('adaptive input buffer', () => {
  it('with inputs arriving evenly it holds none extra: each applied on the first tick after arrival', () => {
    const sim = simulate([{ ms: 20_000, jitterMs: 0 }], { baseMs: 20 });
    const settled = during(sim.depth, 5000, 20_000);
    expect(Math.max(...settled), 'nothing waits past the next tick').toBe(0);
    const waits = during(sim.waits, 5000, 20_000);
    // Every input waits less than a tick; typically about the safety margin.
    expect(Math.max(...waits)).toBeLessThan(TICK);
    expect(mean(waits)).toBeLessThan(6);
    expect(sim.starvedAt.filter((t) => t > 5000)).toEqual([]);
    expect(during(sim.targets, 5000, 20_000).every((x) => x < 4)).toBe(true);
  });

  it('converges from any starting phase: the client timing moves the wait to the target', () => {
    for (const phase of [0.5, 9, 17, 25, 32.9]) {
      const sim = simulate([{ ms: 12_000, jitterMs: 0 }], { baseMs: 5, clientPhaseMs: phase });
      const waits = during(sim.waits, 6000, 12_000);
      expect(mean(waits), `phase ${phase}`).toBeLessThan(6);
      expect(mean(waits), `phase ${phase}`).toBeGreaterThan(0.5);
      // And then the server stops asking.
      expect(during(sim.adjusts, 8000, 12_000).every((a) => Math.abs(a) <= 2), `phase ${phase}`).toBe(true);
    }
  });

  it('without the timing feedback a clean link leaves up to a tick of wait (what the feedback removes)', () => {
    const sim = simulate([{ ms: 10_000, jitterMs: 0 }], { baseMs: 5, clientPhaseMs: 9, timing: false });
    expect(mean(during(sim.waits, 3000, 10_000))).toBeGreaterThan(15);
  });

  it('grows under injected jitter (starving rarely), and shrinks back when the jitter stops', () => {
    const sim = simulate(
      [
        { ms: 8000, jitterMs: 0 },
        { ms: 12_000, jitterMs: 45 },
        { ms: 16_000, jitterMs: 0 },
      ],
      { baseMs: 30, seed: 3 },
    );
    const calm = mean(during(sim.waits, 4000, 8000));
    const rough = mean(during(sim.waits, 12_000, 20_000));
    const after = mean(during(sim.waits, 30_000, 36_000));
    expect(rough, 'waits grow with the jitter').toBeGreaterThan(calm + 15);
    // Uniform 0..45 ms: the latest come about half of that later than typical.
    expect(Math.min(...during(sim.targets, 12_000, 20_000)), 'the target covers the jitter').toBeGreaterThan(15);
    expect(after, 'and shrink back once it stops').toBeLessThan(6);
    expect(Math.max(...during(sim.targets, 30_000, 36_000))).toBeLessThan(4);
    // Starvation stays rare under jitter: under 3% of the rough ticks.
    const roughStarved = sim.starvedAt.filter((t) => t >= 10_000 && t < 20_000).length;
    expect(roughStarved / (10_000 / TICK)).toBeLessThan(0.03);
    expect(sim.queue.starved).toBe(sim.starvedAt.length);
  });

  it('a client that updates only every quarter tick still settles within a tick of wait', () => {
    const sim = simulate([{ ms: 15_000, jitterMs: 0 }], { baseMs: 1, clientFrameMs: TICK / 4 });
    const waits = during(sim.waits, 8000, 15_000);
    expect(mean(waits)).toBeLessThan(TICK / 2);
    expect(sim.starvedAt.filter((t) => t > 8000).length).toBeLessThan(10);
  });

  it('a client whose machine stalls (its inputs of that time never made) does not make the buffer hold more than 2 ticks', () => {
    const sim = simulate([{ ms: 20_000, jitterMs: 5 }], { baseMs: 20, stall: { everyMs: 1500, ms: 250 } });
    const waits = during(sim.waits, 5000, 20_000);
    expect(Math.max(...during(sim.targets, 5000, 20_000))).toBeLessThanOrEqual(2 * TICK + 2 + 1e-9);
    // The bursts after each stall wait a little longer than the target until drained.
    expect(mean(waits)).toBeLessThan(3 * TICK);
    // Those ticks do starve (nothing was sent for them), and are counted.
    expect(sim.starvedAt.length).toBeGreaterThan(0);
  });

  it('ordering and exactly-once hold under any jitter, timing and frame rate (seeded)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1e6 }),
        fc.array(fc.record({ ms: fc.integer({ min: 200, max: 3000 }), jitterMs: fc.integer({ min: 0, max: 150 }) }), { minLength: 1, maxLength: 4 }),
        fc.integer({ min: 1, max: 40 }),
        fc.boolean(),
        (seed, phases, frame, timing) => {
          const sim = simulate(phases, { seed, baseMs: seed % 80, clientFrameMs: frame, timing });
          // Applied in order, each once, none skipped (nothing overflowed in these runs).
          sim.applied.forEach((s, i) => expect(s).toBe(i + 1));
          expect(sim.queue.dropped).toBe(0);
        },
      ),
      { seed: 42, numRuns: 40 },
    );
  });
});
