import { describe, expect, it } from 'vitest';
import { FixedLoop, type TickInfo } from '../../../game-server/loop.ts';
import { FakeTimerClock } from '../fake-timer-clock.ts';

describe('FixedLoop', () => {
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
