/**
 * The tests' TimerClock: time moves only when the test says so, and timers fire in
 * order as it passes them, never sooner than 1 ms (like Node's) and `lateness` ms late
 * (a sluggish event loop). Shared by the loop, fixed-loop and swarm tests.
 */
import type { TimerClock } from '../../protocol/clock.ts';

export class FakeTimerClock implements TimerClock {
  /** Extra delay added to every timer armed from now on. */
  lateness = 0;
  /** Timers armed so far. */
  armed = 0;
  private timers: { at: number; fn: () => void; id: number }[] = [];
  private nextId = 1;

  constructor(public t = 1000) {}

  now = (): number => this.t;

  setTimer = (fn: () => void, ms: number): unknown => {
    this.armed++;
    const id = this.nextId++;
    this.timers.push({ at: this.t + Math.max(1, ms) + this.lateness, fn, id });
    return id;
  };

  clearTimer = (h: unknown): void => {
    this.timers = this.timers.filter((x) => x.id !== h);
  };

  /** Advance time by `ms`, firing due timers in order. */
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

  /** Timers armed and not yet fired or cleared. */
  get pending(): number {
    return this.timers.length;
  }
}
