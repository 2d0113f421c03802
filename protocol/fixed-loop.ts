/**
 * Drift-free fixed-tick scheduler. Tick n is due at start + n * interval on a monotonic
 * clock; the timer only decides when to wake up, never how many ticks have passed, so
 * timer lateness never accumulates.
 *
 * What a late wake does depends on who ticks. The server runs every tick that is due
 * (caught up, not skipped: the simulation must not lose time), at most maxCatchUp per
 * wake so a long stall cannot starve I/O. The bots' swarm runs one and skips the rest
 * (late: 'skip'): a burst of bot updates would be a burst of sends, and each bot's input
 * sender catches up on its own.
 *
 * Timers come from the injected clock, so this runs on any runtime (and under a fake
 * clock in tests).
 */
import type { TimerClock } from './clock.ts';

export interface TickInfo {
  tick: number;
  /** Simulation time of this tick, ms since the loop started: tick * interval. */
  time: number;
  /** How late this tick runs relative to its due time, ms. */
  lateness: number;
}

export interface FixedLoopOptions {
  /** Most ticks one wake runs (default 8). */
  maxCatchUp?: number;
  /**
   * Ticks still overdue by more than one interval after a wake has run its share: 'run'
   * them on the next wakes (default), or 'skip' them and carry on from the next tick
   * due in the future (their tick numbers are never used).
   */
  late?: 'run' | 'skip';
}

const MAX_CATCH_UP = 8;
/** Wake this long before a tick is due: timers fire late, rarely early. */
const EARLY_WAKE_MS = 1;

export class FixedLoop {
  readonly interval: number;
  private readonly maxCatchUp: number;
  private readonly skipLate: boolean;
  private startTime = 0;
  private nextTick = 0;
  private handle: unknown = null;
  private running = false;
  /** Ticks that started more than one interval late. */
  overruns = 0;
  /** Ticks skipped (late: 'skip' only). */
  skipped = 0;

  constructor(
    readonly rate: number,
    private readonly onTick: (info: TickInfo) => void,
    private readonly clock: TimerClock,
    opts: FixedLoopOptions = {},
  ) {
    if (!(rate > 0 && rate <= 1000)) throw new Error(`tick rate must be in (0, 1000], got ${rate}`);
    this.interval = 1000 / rate;
    this.maxCatchUp = Math.max(1, opts.maxCatchUp ?? MAX_CATCH_UP);
    this.skipLate = opts.late === 'skip';
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

  /** The next tick number to run (ticks 0..currentTick-1 have run or were skipped). */
  get currentTick(): number {
    return this.nextTick;
  }

  private wake = (): void => {
    this.handle = null;
    if (!this.running) return;
    let ran = 0;
    while (this.running && ran < this.maxCatchUp) {
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
    if (this.skipLate) {
      const elapsed = this.now();
      if (elapsed - this.nextTick * this.interval > this.interval) {
        const resume = Math.ceil(elapsed / this.interval);
        this.skipped += resume - this.nextTick;
        this.nextTick = resume;
      }
    }
    const wait = this.nextTick * this.interval - this.now();
    this.handle = this.clock.setTimer(this.wake, Math.max(0, wait - EARLY_WAKE_MS));
  };
}
