/**
 * How early one client's inputs reach the tick that applies them, and how much earlier
 * they need to: the measure behind the adaptive input buffer (input-queue.ts) and the
 * InputTiming feedback that asks the client to send a little later or sooner.
 *
 * Each applied input gives a slack sample: the tick's time minus its arrival (ms); an
 * input that came after the tick it was due for gives a negative one (how late it was).
 * The typical slack is an EWMA of the samples; the jitter margin is how much later than
 * that typical slack the latest inputs of the last WINDOW arrived (the two latest
 * aside). The target keeps those in time, plus SAFETY_MS: on a clean link that is a
 * couple of ms, so inputs are applied on the first tick after they arrive; under jitter
 * it grows as soon as three inputs came late, and shrinks back as they leave the window.
 *
 * The buffer itself is the client's send timing: asking the client to run slower while
 * its inputs wait longer than the target (faster while they wait less) moves every input
 * instead of holding some back. A whole tick of surplus is dropped at the server at once
 * (two inputs in one tick), since a client can only shift its clock slowly.
 */

/** Samples the jitter margin covers: about four seconds at 30 Hz. */
const WINDOW = 128;
/** EWMA weight of one slack sample. */
const ALPHA = 1 / 8;
/** Kept on top of the measured jitter: timer granularity on both sides. */
export const SAFETY_MS = 2;
/**
 * A margin is never more than this many ticks (what the old fixed buffer held), so the
 * buffer is never deeper than that one was. A longer gap is a stall (a frozen tab, a
 * machine out of CPU: the inputs of that time were never produced) more than jitter, and
 * no buffer brings those inputs back; holding every input that long would only add the
 * gap to each one after it. Such gaps starve, and are counted.
 */
const MAX_MARGIN_TICKS = 2;
/** Per-mille interval change asked for per ms of surplus (a 1 s time constant at 30 Hz). */
const GAIN = 1;
/** Largest stretch or squeeze of the client's input interval, per mille. */
export const MAX_ADJUST = 50;
/** Within this much of the target the client is left alone, ms. */
const DEADBAND_MS = 1;

export class InputTiming {
  /** Typical slack of recent inputs, ms; NaN before the first. */
  slackMs = Number.NaN;
  private readonly late = new Float64Array(WINDOW);
  private count = 0;
  private next = 0;
  private marginMs = 0;
  private marginStale = true;

  constructor(readonly stepMs: number) {}

  reset(): void {
    this.slackMs = Number.NaN;
    this.count = 0;
    this.next = 0;
    this.marginMs = 0;
    this.marginStale = true;
  }

  /** One input's slack, ms (negative: it came after the tick it was due for). */
  sample(slack: number): void {
    if (Number.isNaN(this.slackMs)) this.slackMs = slack;
    // How much later than usual this one came (positive) or earlier (negative).
    this.late[this.next] = this.slackMs - slack;
    this.next = (this.next + 1) % WINDOW;
    if (this.count < WINDOW) this.count++;
    this.slackMs += (slack - this.slackMs) * ALPHA;
    this.marginStale = true;
  }

  /** Two inputs went in one tick: every later input waits a tick less than the typical slack says. */
  shifted(byMs: number): void {
    if (!Number.isNaN(this.slackMs)) this.slackMs -= byMs;
  }

  /** The jitter of the window: how much later than usual its latest inputs came, ms (>= 0). */
  get jitterMs(): number {
    if (this.marginStale) {
      // The third latest (about the window's 98th percentile), found without sorting:
      // this runs every tick for every player, and one stall of the client's machine
      // is not jitter to size a buffer by for seconds after.
      let a = 0;
      let b = 0;
      let c = 0;
      for (let i = 0; i < this.count; i++) {
        const v = this.late[i]!;
        if (v <= c) continue;
        if (v > a) {
          c = b;
          b = a;
          a = v;
        } else if (v > b) {
          c = b;
          b = v;
        } else c = v;
      }
      this.marginMs = Math.min(c, MAX_MARGIN_TICKS * this.stepMs);
      this.marginStale = false;
    }
    return this.marginMs;
  }

  /** The slack inputs should have, ms: the jitter plus the safety margin. */
  get targetMs(): number {
    return this.jitterMs + SAFETY_MS;
  }

  /** Slack beyond the target, ms (negative: inputs come later than the jitter needs). */
  get surplusMs(): number {
    return Number.isNaN(this.slackMs) ? 0 : this.slackMs - this.targetMs;
  }

  /**
   * What to ask of the client: stretch (positive) or squeeze (negative) its input
   * interval by this many per mille; 0 within the deadband.
   */
  get adjust(): number {
    const e = this.surplusMs;
    if (Math.abs(e) < DEADBAND_MS) return 0;
    return Math.max(-MAX_ADJUST, Math.min(MAX_ADJUST, Math.round(e * GAIN)));
  }

  /** A whole tick (and a margin) more than needed is waiting: drop it at the server. */
  get tickToSpare(): boolean {
    return this.surplusMs > this.stepMs + SAFETY_MS;
  }
}
