import { describe, it, expect } from 'vitest';
import type { EntityState, ResolvedSnapshot } from '../../../protocol/index.ts';
import { Interpolator, lerpAngleByte } from '../../../game-client/src/net/interpolator.ts';
import { rng } from './helpers.ts';

const RATE = 30;
const INTERVAL = 1000 / RATE;

/** Entity with position in px (converted to the wire's 1/8 px). */
const ent = (id: number, xPx: number, yPx: number, aim = 0): EntityState => ({
  id,
  x: xPx * 8,
  y: yPx * 8,
  vx: 0,
  vy: 0,
  aim,
});
const snap = (tick: number, serverTime: number, entities: EntityState[]): ResolvedSnapshot => ({
  tick,
  serverTime,
  ackSeq: 0,
  entities,
});
const byId = <T extends { id: number }>(list: readonly T[], id: number): T | undefined => list.find((e) => e.id === id);

describe('Interpolator.sample', () => {
  const interp = new Interpolator(10);
  interp.push(snap(1, 1000, [ent(1, 0, 100, 250), ent(3, 50, 50)]), 5000);
  interp.push(snap(2, 1100, [ent(1, 80, 60, 6), ent(2, 10, 10)]), 5100);

  it('returns the exact point between the two bracketing snapshots', () => {
    const mid = byId(interp.sample(1050), 1)!;
    expect(mid.x).toBe(40);
    expect(mid.y).toBe(80);
    const q = byId(interp.sample(1025), 1)!;
    expect(q.x).toBe(20);
    expect(q.y).toBe(90);
  });

  it('interpolates the aim the short way round', () => {
    // 250 -> 6 (one byte = 1/256 turn) passes through 0, not through 128.
    const mid = byId(interp.sample(1050), 1)!;
    expect(mid.aim).toBe(0);
    expect(lerpAngleByte(6, 250, 0.5)).toBe(0);
    expect(lerpAngleByte(0, 64, 0.5)).toBeCloseTo(Math.PI / 4, 12);
    expect(lerpAngleByte(250, 6, 0.25)).toBeCloseTo(((253 / 256) * 2 * Math.PI), 12);
  });

  it('shows an entity that appears only from the snapshot that has it', () => {
    expect(byId(interp.sample(1050), 2)).toBeUndefined();
    const at = byId(interp.sample(1100), 2)!;
    expect(at.x).toBe(10);
  });

  it('holds a disappearing entity where it was last seen, then drops it', () => {
    const held = byId(interp.sample(1099), 3)!;
    expect(held.x).toBe(50);
    expect(byId(interp.sample(1100), 3)).toBeUndefined();
  });

  it('clamps to the newest snapshot instead of extrapolating', () => {
    const late = byId(interp.sample(1100 + 5000), 1)!;
    expect(late.x).toBe(80);
    expect(late.y).toBe(60);
    const early = byId(interp.sample(0), 1)!;
    expect(early.x).toBe(0);
  });

  it('ignores a snapshot older than the newest one', () => {
    const i2 = new Interpolator(10);
    i2.push(snap(2, 1100, [ent(1, 80, 0)]), 0);
    i2.push(snap(1, 1000, [ent(1, 0, 0)]), 1);
    expect(i2.stale).toBe(1);
    expect(i2.bufferedCount).toBe(1);
  });
});

/**
 * Snapshots every INTERVAL of server time, delivered after a base latency plus
 * `extra(i)` ms; frames at 60 fps. Returns what a test needs to inspect.
 */
function run(
  interp: Interpolator,
  opts: { fromTick: number; ticks: number; latency: number; extra: (i: number) => number },
  onFrame: (now: number) => void,
): void {
  const arrivals: { at: number; msg: ResolvedSnapshot }[] = [];
  for (let i = opts.fromTick; i < opts.fromTick + opts.ticks; i++) {
    const serverTime = i * INTERVAL;
    arrivals.push({ at: serverTime + opts.latency + opts.extra(i), msg: snap(i, serverTime, [ent(1, i, 0)]) });
  }
  // TCP delivers in order: a frame cannot overtake the one before it.
  for (let k = 1; k < arrivals.length; k++) arrivals[k]!.at = Math.max(arrivals[k]!.at, arrivals[k - 1]!.at);
  const start = arrivals[0]!.at;
  const end = arrivals[arrivals.length - 1]!.at;
  let next = 0;
  for (let now = start; now <= end; now += 1000 / 60) {
    while (next < arrivals.length && arrivals[next]!.at <= now) {
      interp.push(arrivals[next]!.msg, arrivals[next]!.at);
      next++;
    }
    interp.update(now);
    onFrame(now);
  }
}

describe('Interpolator render clock', () => {
  it('keeps the floor delay (2 intervals) on a clean link and renders between snapshots', () => {
    const interp = new Interpolator(RATE);
    let starved = 0;
    run(interp, { fromTick: 0, ticks: 300, latency: 40, extra: () => 0 }, (now) => {
      if (now > 1000 && interp.renderTime > interp.newestTime) starved++;
    });
    expect(interp.targetDelay).toBeCloseTo(2 * INTERVAL, 6);
    expect(starved).toBe(0);
    // The render clock sits about the target delay behind the newest server time.
    const lag = interp.newestTime - interp.renderTime;
    expect(lag).toBeGreaterThan(INTERVAL * 0.9);
    expect(lag).toBeLessThan(INTERVAL * 2.2);
  });

  it('grows the delay under jitter, shrinks it back after, and never runs backwards', () => {
    const interp = new Interpolator(RATE);
    const random = rng(42);
    let prev = -Infinity;
    let backwards = 0;
    const check = (): void => {
      if (interp.renderTime < prev) backwards++;
      prev = interp.renderTime;
    };
    run(interp, { fromTick: 0, ticks: 90, latency: 50, extra: () => 0 }, check);
    const calm = interp.targetDelay;
    expect(calm).toBeCloseTo(2 * INTERVAL, 6);

    let starvedDuringJitter = 0;
    let checkedFrames = 0;
    run(interp, { fromTick: 90, ticks: 300, latency: 50, extra: () => random() * 100 }, (now) => {
      check();
      // After 5 s of it (the delay has converged: it moves at most 5% of real time).
      if (now > 90 * INTERVAL + 5000) {
        checkedFrames++;
        if (interp.renderTime > interp.newestTime) starvedDuringJitter++;
      }
    });
    const jittery = interp.targetDelay;
    // Most of the 100 ms spread is added to the delay.
    expect(jittery).toBeGreaterThan(calm + 60);
    expect(interp.variation).toBeGreaterThan(80);
    expect(interp.jitter).toBeGreaterThan(10);
    // Adapted, the buffer almost never runs dry despite up to 100 ms of extra delay
    // (a fixed 2-interval delay starves on about half of these frames).
    expect(checkedFrames).toBeGreaterThan(200);
    expect(starvedDuringJitter / checkedFrames).toBeLessThan(0.01);

    let now = 0;
    run(interp, { fromTick: 390, ticks: 600, latency: 50, extra: () => 0 }, (t) => {
      check();
      now = t;
    });
    expect(interp.targetDelay).toBeLessThan(calm + 2);
    // The clock has sped up to the new target rather than jumping.
    expect(Math.abs(interp.delay(now) - interp.targetDelay)).toBeLessThan(5);
    expect(backwards).toBe(0);
    expect(interp.forwardJumps).toBe(0);
  });

  it('converges by changing speed by at most 5%', () => {
    const interp = new Interpolator(RATE);
    const rates: number[] = [];
    run(interp, { fromTick: 0, ticks: 200, latency: 30, extra: (i) => (i % 20 === 10 ? 120 : 0) }, () => {
      rates.push(interp.rate);
    });
    expect(Math.min(...rates)).toBeGreaterThanOrEqual(0.95);
    expect(Math.max(...rates)).toBeLessThanOrEqual(1.05);
    expect(Math.min(...rates)).toBeLessThan(1);
  });

  it('jumps forward (never back) after a long stall', () => {
    const interp = new Interpolator(RATE);
    run(interp, { fromTick: 0, ticks: 30, latency: 30, extra: () => 0 }, () => {});
    const before = interp.renderTime;
    // 5 s without frames (a background tab), snapshots keep arriving.
    for (let i = 30; i < 180; i++) interp.push(snap(i, i * INTERVAL, [ent(1, i, 0)]), i * INTERVAL + 30);
    interp.update(179 * INTERVAL + 30);
    expect(interp.forwardJumps).toBe(1);
    expect(interp.renderTime).toBeGreaterThan(before + 4000);
    expect(interp.delay(179 * INTERVAL + 30)).toBeCloseTo(interp.targetDelay, 6);
  });

  it('a frame longer than the error does not overshoot the target', () => {
    const interp = new Interpolator(RATE, { snapBehindMs: 10_000 });
    interp.push(snap(0, 0, [ent(1, 0, 0)]), 0);
    interp.push(snap(100, 100 * INTERVAL, [ent(1, 0, 0)]), 100 * INTERVAL);
    const now = 100 * INTERVAL + 2000;
    interp.update(now);
    expect(interp.renderTime).toBeLessThanOrEqual(interp.targetTime(now) + 1e-9);
  });
});

/**
 * A page that draws one frame every `frameMs` on a link with a fixed 5 ms one-way
 * delay (local clock = server clock + 1000 ms): a snapshot that arrives while a frame is
 * being drawn has its handler run when the frame ends, just before the next one, as a
 * browser's event loop does. Returns the figures once the window has filled.
 */
function stalledPage(frameMs: number, opts: ConstructorParameters<typeof Interpolator>[1] = {}) {
  const interp = new Interpolator(RATE, opts);
  let sent = 0;
  let maxTarget = 0;
  let maxDelay = 0;
  let starvedAtStart = 0;
  for (let frame = 0; frame * frameMs < 8000; frame++) {
    const now = 1000 + frame * frameMs;
    // Everything that reached the socket during the last frame is handled now.
    while (sent * INTERVAL + 1005 <= now) {
      interp.push(snap(sent, sent * INTERVAL, [ent(1, sent, 0)]), now);
      sent++;
    }
    interp.update(now);
    interp.sample();
    if (now < 4000) {
      starvedAtStart = interp.starvedSamples;
      continue;
    }
    maxTarget = Math.max(maxTarget, interp.targetDelay);
    maxDelay = Math.max(maxDelay, interp.delay(now));
  }
  return { interp, maxTarget, maxDelay, starvedAfterWarmup: interp.starvedSamples - starvedAtStart };
}

describe('Interpolator under frame stalls', () => {
  it('at 9 frames/s (110 ms frames) on a clean link the delay stays at its clean-link value, not 300+ ms', () => {
    const fast = stalledPage(1000 / 60);
    const slow = stalledPage(110);
    // A few snapshot intervals, as at 60 frames/s: the frame time is not taken as jitter.
    expect(fast.maxTarget).toBeCloseTo(2 * INTERVAL, 6);
    expect(slow.maxTarget).toBeLessThanOrEqual(3 * INTERVAL);
    expect(slow.maxDelay).toBeLessThan(4 * INTERVAL);
    // And the shorter delay never leaves a frame without a pair to draw between.
    expect(slow.starvedAfterWarmup).toBe(0);
  });

  it('the same page, measuring arrivals at face value (no stall allowance), would draw others a frame and more late', () => {
    const naive = stalledPage(110, { stallAllowanceMs: Infinity });
    expect(naive.maxTarget).toBeGreaterThan(INTERVAL + 100);
  });

  it('real network jitter is still measured on a page that keeps up', () => {
    const interp = new Interpolator(RATE);
    const random = rng(3);
    let sent = 0;
    const due: number[] = [];
    for (let frame = 0; frame < 300; frame++) {
      const now = 1000 + frame * (1000 / 60);
      while (sent * INTERVAL + 1005 <= now) due.push(sent++);
      // Each snapshot is held 0..80 ms more, in order (TCP).
      let last = 0;
      while (due.length > 0) {
        const k = due[0]!;
        const at = Math.max(last, 1005 + k * INTERVAL + Math.floor(random() * 80));
        if (at > now) break;
        last = at;
        interp.push(snap(k, k * INTERVAL, [ent(1, k, 0)]), now);
        due.shift();
      }
      interp.update(now);
    }
    expect(interp.variation).toBeGreaterThan(50);
    expect(interp.targetDelay).toBeGreaterThan(INTERVAL + 50);
  });
});

describe('Interpolator delay ceiling', () => {
  /** A link whose snapshots come 0..150 ms late: the jitter asks for a long delay. */
  function jittery(ceiling: number) {
    const interp = new Interpolator(RATE);
    const random = rng(9);
    let t = 1000;
    for (let k = 0; k < 120; k++) {
      t = Math.max(t, 1000 + k * INTERVAL + random() * 150);
      interp.setCeiling(ceiling);
      interp.push(snap(k, k * INTERVAL, [ent(1, k, 0)]), t);
      interp.update(t);
    }
    return { interp, now: t };
  }

  it('holds the delay under the ceiling though the jitter asks for more, and says it is capped', () => {
    const free = jittery(Infinity);
    expect(free.interp.targetDelay).toBeGreaterThan(120);
    expect(free.interp.capped).toBe(false);
    const held = jittery(90);
    expect(held.interp.wantedDelay).toBeGreaterThan(120);
    expect(held.interp.targetDelay).toBe(90);
    expect(held.interp.delay(held.now)).toBeLessThanOrEqual(90 + 1e-9);
    expect(held.interp.capped).toBe(true);
    expect(held.interp.beyondCeiling).toBe(false);
  });

  it('a ceiling lowered at once brings the render clock under it at the next frame, forward only', () => {
    const { interp, now } = jittery(Infinity);
    const before = interp.renderTime;
    interp.setCeiling(60);
    interp.update(now + 10);
    expect(interp.renderTime).toBeGreaterThan(before);
    expect(interp.delay(now + 10)).toBeLessThanOrEqual(60 + 1e-9);
    expect(interp.ceilingJumps).toBe(1);
  });

  it('below one interval it keeps one interval (a pair to draw) and reports the view beyond the limit', () => {
    const { interp } = jittery(10);
    expect(interp.targetDelay).toBe(INTERVAL);
    expect(interp.beyondCeiling).toBe(true);
  });
});
