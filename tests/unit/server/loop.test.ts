import { describe, expect, it } from 'vitest';
import { FixedLoop, type LoopClock, type TickInfo } from '../../../game-server/loop.ts';

/** A clock whose time only moves when the test says so; timers fire when time passes them. */
class FakeClock implements LoopClock {
  t = 1000;
  private timers: { at: number; fn: () => void; id: number }[] = [];
  private nextId = 1;
  /** Extra delay added to every timer, to model a sluggish event loop. */
  lateness = 0;
  now = (): number => this.t;
  setTimer = (fn: () => void, ms: number): unknown => {
    const id = this.nextId++;
    // Like Node, a timer never fires sooner than 1 ms from now.
    this.timers.push({ at: this.t + Math.max(1, ms) + this.lateness, fn, id });
    return id;
  };
  clearTimer = (h: unknown): void => {
    this.timers = this.timers.filter((x) => x.id !== h);
  };
  /** Advance time to `until`, firing due timers in order. */
  advance(ms: number): void {
    const until = this.t + ms;
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at);
      const next = this.timers[0];
      if (!next || next.at > until) break;
      this.timers.shift();
      this.t = Math.max(this.t, next.at);
      next.fn();
    }
    this.t = until;
  }
}

describe('FixedLoop', () => {
  it('runs exactly rate ticks per second with tick times on the ideal grid, even when timers fire late', () => {
    const clock = new FakeClock();
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
    const clock = new FakeClock();
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
    const clock = new FakeClock();
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
