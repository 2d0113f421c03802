/**
 * One timer for every delayed delivery in a worker: all laggy sockets' messages, in
 * both directions, wait in one min-heap keyed by delivery time. A thousand bots then
 * cost one pending timer, not tens of thousands of setTimeouts a second.
 *
 * Entries are pooled: at 30 Hz in and out per bot, allocating one object per message
 * would be tens of thousands of short-lived objects a second per worker.
 */
import type { TimerClock } from '../../../protocol/clock.ts';
import { systemClock } from './system-clock.ts';

/** Whatever is delivered: the scheduler calls target.deliver(entry) when it is due. */
export interface DelayTarget {
  deliver(e: DelayedItem): void;
}

/** One queued delivery; fields are free for the target to use (kind, payload). */
export interface DelayedItem {
  at: number;
  /** Insertion order: equal times deliver first-in first-out. */
  order: number;
  target: DelayTarget | null;
  kind: number;
  data: unknown;
  code: number;
  reason: string;
}

/**
 * Timers fire on whole milliseconds and may run a fraction early against
 * performance.now(); delivering what is due within this much avoids a 1 ms re-arm spin.
 */
const EARLY_MS = 0.75;

export class DelayScheduler {
  private readonly heap: DelayedItem[] = [];
  private readonly pool: DelayedItem[] = [];
  private nextOrder = 0;
  private timer: unknown = null;
  private timerAt = Infinity;
  /** Deliveries made, for tests and stats. */
  delivered = 0;

  constructor(private readonly clock: TimerClock = systemClock) {}

  get pending(): number {
    return this.heap.length;
  }

  get now(): number {
    return this.clock.now();
  }

  /** A pooled item to fill in and pass to push(). */
  take(): DelayedItem {
    return this.pool.pop() ?? { at: 0, order: 0, target: null, kind: 0, data: null, code: 0, reason: '' };
  }

  push(item: DelayedItem): void {
    item.order = this.nextOrder++;
    const h = this.heap;
    h.push(item);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(item, h[p]!)) break;
      h[i] = h[p]!;
      i = p;
    }
    h[i] = item;
    if (item.at < this.timerAt) this.arm(item.at);
  }

  /** Deliver everything due by now (the timer calls this; tests may too). */
  run(): void {
    const now = this.clock.now();
    const h = this.heap;
    while (h.length > 0 && h[0]!.at <= now + EARLY_MS) {
      const top = this.pop();
      const target = top.target;
      this.delivered++;
      try {
        target?.deliver(top);
      } finally {
        top.target = null;
        top.data = null;
        top.reason = '';
        this.pool.push(top);
      }
    }
    if (h.length > 0) this.arm(h[0]!.at);
  }

  /** Drop everything queued (shutdown). */
  clear(): void {
    if (this.timer !== null) this.clock.clearTimer(this.timer);
    this.timer = null;
    this.timerAt = Infinity;
    this.heap.length = 0;
  }

  private readonly onTimer = (): void => {
    this.timer = null;
    this.timerAt = Infinity;
    this.run();
  };

  private arm(at: number): void {
    if (this.timer !== null) this.clock.clearTimer(this.timer);
    this.timerAt = at;
    this.timer = this.clock.setTimer(this.onTimer, Math.max(0, at - this.clock.now()));
  }

  private pop(): DelayedItem {
    const h = this.heap;
    const top = h[0]!;
    const last = h.pop()!;
    const n = h.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const c = r < n && before(h[r]!, h[l]!) ? r : l;
        if (!before(h[c]!, last)) break;
        h[i] = h[c]!;
        i = c;
      }
      h[i] = last;
    }
    return top;
  }
}

function before(a: DelayedItem, b: DelayedItem): boolean {
  return a.at < b.at || (a.at === b.at && a.order < b.order);
}
