/**
 * The server's tick loop: the drift-free FixedLoop of protocol/ (shared with the bots'
 * swarm) driven by this process's clock. The names are the ones the server has always
 * imported from here.
 */
import type { TimerClock } from '../protocol/clock.ts';

export { FixedLoop, type FixedLoopOptions, type TickInfo } from '../protocol/fixed-loop.ts';

/** The clock a loop runs on; see protocol/clock.ts. */
export type LoopClock = TimerClock;

/** Node's monotonic clock and timers. */
export const systemClock: LoopClock = {
  now: () => performance.now(),
  setTimer: (fn, ms) => setTimeout(fn, ms),
  clearTimer: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};
