/**
 * Drift-free fixed-tick scheduler. Tick n is due at start + n * interval on a monotonic
 * clock; the timer only decides when to wake up, never how many ticks have passed, so
 * timer lateness never accumulates. A late wake-up runs every tick that is due (caught
 * up, not skipped), at most MAX_CATCH_UP per wake so a long stall cannot starve I/O.
 */

export interface LoopClock {
  /** Monotonic milliseconds. */
  now(): number;
  setTimer(fn: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
}

export const systemClock: LoopClock = {
  now: () => performance.now(),
  setTimer: (fn, ms) => setTimeout(fn, ms),
  clearTimer: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

export interface TickInfo {
  tick: number;
  /** Simulation time of this tick, ms since the loop started: tick * interval. */
  time: number;
  /** How late this tick runs relative to its due time, ms. */
  lateness: number;
}

const MAX_CATCH_UP = 8;
/** Wake this long before a tick is due: timers fire late, rarely early. */
const EARLY_WAKE_MS = 1;

export class FixedLoop {
  readonly interval: number;
  private startTime = 0;
  private nextTick = 0;
  private handle: unknown = null;
  private running = false;
  /** Ticks that started more than one interval late. */
  overruns = 0;

  constructor(
    readonly rate: number,
    private readonly onTick: (info: TickInfo) => void,
    private readonly clock: LoopClock = systemClock,
  ) {
    if (!(rate > 0 && rate <= 1000)) throw new Error(`tick rate must be in (0, 1000], got ${rate}`);
    this.interval = 1000 / rate;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.startTime = this.clock.now();
    this.nextTick = 0;
    this.wake();
  }

  stop(): void {
    this.running = false;
    if (this.handle !== null) this.clock.clearTimer(this.handle);
    this.handle = null;
  }

  /** Simulation-clock time now, ms since start (the same clock snapshot times use). */
  now(): number {
    return this.clock.now() - this.startTime;
  }

  /** The next tick number to run (ticks 0..currentTick-1 have run). */
  get currentTick(): number {
    return this.nextTick;
  }

  private wake = (): void => {
    this.handle = null;
    if (!this.running) return;
    let ran = 0;
    while (this.running && ran < MAX_CATCH_UP) {
      const due = this.nextTick * this.interval;
      const elapsed = this.now();
      if (elapsed < due) break;
      const lateness = elapsed - due;
      if (lateness > this.interval) this.overruns++;
      const tick = this.nextTick++;
      this.onTick({ tick, time: due, lateness });
      ran++;
    }
    if (!this.running) return;
    const wait = this.nextTick * this.interval - this.now();
    this.handle = this.clock.setTimer(this.wake, Math.max(0, wait - EARLY_WAKE_MS));
  };
}
