/**
 * The clock the server's tick loop (protocol/fixed-loop.ts) runs on: Node's monotonic
 * time and timers. protocol/ declares no runtime timers, so each process kind brings
 * its own (the bots': game-client/bots/system-clock.ts).
 */
import type { TimerClock } from '../protocol/index.ts';

export const systemClock: TimerClock = {
  now: () => performance.now(),
  setTimer: (fn, ms) => setTimeout(fn, ms),
  clearTimer: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};
