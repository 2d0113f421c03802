/**
 * The live progress line. On a terminal it is one line rewritten in place every
 * second; in a log (CI, a pipe) it is a plain line every few seconds, because a
 * carriage return in a log file is noise.
 */
import type { Measures } from './metrics.ts';

export interface ProgressSample {
  elapsedS: number;
  target: number;
  playing: number;
  connecting: number;
  failed: number;
  disconnected: number;
  /** The latest interval only (all workers merged). */
  interval: Measures;
  /** Mean worker event-loop utilisation over the interval, 0..1. */
  busy: number;
}

const f = (v: number, d = 1): string => (Number.isFinite(v) ? v.toFixed(d) : '-');

export function formatProgress(p: ProgressSample): string {
  const m = p.interval;
  const c = m.counters;
  const perBot = (v: number): number => (c.botSeconds > 0 ? v / c.botSeconds : Number.NaN);
  const rtt = m.h.rttMs;
  return (
    `${f(p.elapsedS).padStart(6)}s  bots ${p.playing}/${p.target}` +
    (p.connecting ? ` (+${p.connecting} connecting)` : '') +
    `  failed ${p.failed}` +
    (p.disconnected ? `  dropped ${p.disconnected}` : '') +
    `  rtt p50 ${f(rtt.percentile(0.5))} p99 ${f(rtt.percentile(0.99))} ms` +
    `  ${f(perBot(c.snapshots))} snap/s/bot` +
    `  ${f(perBot(c.bytesIn) / 1024, 2)} KB/s in/bot` +
    `  workers ${Math.round(p.busy * 100)}% busy`
  );
}

export class ProgressLine {
  private lastPrint = -Infinity;
  private drawn = false;

  constructor(
    private readonly out: NodeJS.WriteStream,
    /** Lines are printed at most this often when the output is not a terminal, ms. */
    private readonly logEveryMs = 5000,
  ) {}

  get isTTY(): boolean {
    return this.out.isTTY === true;
  }

  show(line: string, nowMs: number): void {
    if (this.isTTY) {
      const cols = this.out.columns || 160;
      this.out.write(`\r${line.length >= cols ? line.slice(0, cols - 1) : line}\x1b[K`);
      this.drawn = true;
    } else if (nowMs - this.lastPrint >= this.logEveryMs) {
      this.lastPrint = nowMs;
      this.out.write(`${line}\n`);
    }
  }

  /** End the rewritten line so what follows starts on a fresh one. */
  done(): void {
    if (this.drawn) this.out.write('\n');
    this.drawn = false;
  }
}
