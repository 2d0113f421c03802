/**
 * The real clock (monotonic time and timers) for the bots and the page's lag queue, in the one Clock shape of
 * protocol/clock.ts. The server has its own in game-server/loop.ts: bots never import
 * the server.
 */
import type { TimerClock } from '../../../protocol/clock.ts';

export const systemClock: TimerClock = {
  now: () => performance.now(),
  setTimer: (fn, ms) => setTimeout(fn, ms),
  clearTimer: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};
