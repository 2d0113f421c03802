import { describe, expect, it } from 'vitest';
import { FixedLoop, type TickInfo } from '../../../protocol/fixed-loop.ts';
import { FakeTimerClock } from '../fake-timer-clock.ts';

describe('FixedLoop (the server tick and the bots\' swarm) on an injected clock', () => {
  it("late: 'skip' runs one tick after a stall and skips the rest, then stays on the grid", () => {
    const clock = new FakeTimerClock(500);
    const ticks: TickInfo[] = [];
    const loop = new FixedLoop(10, (i) => ticks.push(i), clock, { maxCatchUp: 1, late: 'skip' });
    loop.start();
    clock.advance(250); // ticks 0, 1, 2 at 0, 100, 200 ms
    expect(ticks.map((t) => t.tick)).toEqual([0, 1, 2]);
    clock.t += 1000; // a 1 s stall: ticks 3..12 are overdue
    clock.advance(350); // to 1600 ms
    const after = ticks.slice(3).map((t) => t.tick);
    // One overdue tick runs at once (no burst), the others are never run, and the loop
    // continues from the first tick due after the stall.
    expect(after[0]).toBe(3);
    expect(after.slice(1)).toEqual([13, 14, 15, 16]);
    expect(loop.skipped).toBe(9);
    for (const t of ticks) expect(t.time).toBeCloseTo(t.tick * 100, 9);
    loop.stop();
  });

  it('by default a stall is caught up, at most maxCatchUp ticks per wake', () => {
    const clock = new FakeTimerClock(500);
    const perWake: number[] = [];
    let last = -1;
    const loop = new FixedLoop(
      10,
      () => {
        if (clock.t !== last) perWake.push(0);
        last = clock.t;
        perWake[perWake.length - 1]!++;
      },
      clock,
      { maxCatchUp: 3 },
    );
    loop.start();
    clock.advance(50); // tick 0
    clock.t += 1000; // ticks 1..10 overdue
    clock.advance(60); // to 1110 ms: ticks up to 11 due, none skipped
    expect(loop.currentTick).toBe(12);
    expect(loop.skipped).toBe(0);
    expect(Math.max(...perWake)).toBe(3);
    loop.stop();
  });

  it('timers come from the clock: stop() leaves none armed', () => {
    const clock = new FakeTimerClock(500);
    const loop = new FixedLoop(30, () => {}, clock, { late: 'skip' });
    loop.start();
    clock.advance(200);
    expect(clock.armed).toBeGreaterThan(0);
    expect(clock.pending).toBe(1);
    loop.stop();
    expect(clock.pending).toBe(0);
  });

  it('runs exactly rate ticks per second with tick times on the ideal grid, even when timers fire late', () => {
    const clock = new FakeTimerClock(1000);
    clock.lateness = 7; // every timer fires 7 ms late
    const ticks: TickInfo[] = [];
    const loop = new FixedLoop(30, (i) => ticks.push(i), clock);
    loop.start();
    clock.advance(10_000);
    // 10 s at 30 Hz: ticks 0..300 are due (tick 0 at t=0); lateness must not lose any.
    expect(ticks.length).toBeGreaterThanOrEqual(300);
    expect(ticks.length).toBeLessThanOrEqual(301);
    ticks.forEach((t, i) => {
      expect(t.tick).toBe(i);
      expect(t.time).toBeCloseTo((i * 1000) / 30, 9);
    });
    // Lateness stays bounded by the timer slop; it does not accumulate (no drift).
    const last = ticks[ticks.length - 1]!;
    expect(last.lateness).toBeLessThan(1000 / 30);
    loop.stop();
  });

  it('catches up on ticks missed during a stall instead of skipping them', () => {
    const clock = new FakeTimerClock(1000);
    const ticks: number[] = [];
    const loop = new FixedLoop(20, (i) => ticks.push(i.tick), clock);
    loop.start();
    clock.advance(100); // ticks 0,1,2 (t=0,50,100)
    const before = ticks.length;
    // Stall: the event loop is blocked for 500 ms (10 ticks' worth); no timer can fire.
    clock.t += 500;
    clock.advance(200);
    // Every tick number appears once, in order, none missing.
    expect(ticks).toEqual(Array.from({ length: ticks.length }, (_, i) => i));
    // Ticks are due at 0, 50, ... 800 ms: all 17 ran, the 10 missed ones included.
    expect(ticks.length).toBe(17);
    expect(ticks.length - before).toBe(14);
    expect(loop.overruns).toBeGreaterThan(0);
    loop.stop();
  });

  it('stop() ends the ticks', () => {
    const clock = new FakeTimerClock(1000);
    let n = 0;
    const loop = new FixedLoop(30, () => n++, clock);
    loop.start();
    clock.advance(100);
    loop.stop();
    const at = n;
    clock.advance(1000);
    expect(n).toBe(at);
  });
});
