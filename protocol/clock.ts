/**
 * The one clock type of the project. Everything that depends on time takes one of these
 * instead of reading performance.now() or arming setTimeout itself, so tests step time
 * by hand and the same code runs on a browser, Node or a fake.
 *
 * protocol/ only declares the shape: the real clock is bound to a runtime's globals,
 * so each side makes its own (game-server/loop.ts, game-client/bots/system-clock.ts).
 */

/** A monotonic time source: what the client's net code, the bots and the server read. */
export interface Clock {
  /** Monotonic milliseconds (only differences mean anything). */
  now(): number;
}

/** A clock that can also wake its owner: what a loop or a delivery scheduler needs. */
export interface TimerClock extends Clock {
  /** Call fn once, about ms from now; the handle is only for clearTimer. */
  setTimer(fn: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
}
