/**
 * The figures behind ClientStats (the F3 overlay, bot reports). Page lifetime: rates
 * and counts run on across reconnects, and the figures of the connection in use are
 * copied in on each update.
 */
import type { ClientStats } from './client-types.ts';
import type { NetSession } from './net-session.ts';
import { RateMeter } from './rate-meter.ts';

export class StatsTracker {
  /** Reused: callers read it as it is updated. */
  readonly stats: ClientStats = {
    rtt: Number.NaN,
    rttSmoothed: Number.NaN,
    clockOffset: 0,
    snapshotRate: 0,
    snapshotJitter: 0,
    interpolationDelay: Number.NaN,
    interpolationTarget: Number.NaN,
    viewAge: Number.NaN,
    rewindLimit: Number.NaN,
    viewLimit: 'ok',
    bytesInPerSec: 0,
    bytesOutPerSec: 0,
    predictionError: 0,
    predictionErrorMax: 0,
    corrections: 0,
    pendingInputs: 0,
    tickRate: 0,
    inputsSent: 0,
    snapshotsReceived: 0,
  };
  private snapshots = 0;
  private readonly inMeter = new RateMeter();
  private readonly outMeter = new RateMeter();
  private readonly snapMeter = new RateMeter();
  /** Start of the window predictionErrorMax covers (a second). */
  private errorWindowStart = Number.NaN;

  /** A snapshot arrived (counted whether or not it could be applied). */
  snapshotArrived(): void {
    this.snapshots++;
  }

  /** Refresh at local ms `now`; bytes are totals over every connection so far. */
  update(now: number, session: NetSession, bytesIn: number, bytesOut: number): void {
    const st = this.stats;
    this.inMeter.update(bytesIn, now);
    this.outMeter.update(bytesOut, now);
    this.snapMeter.update(this.snapshots, now);
    const { clock, interpolator: interp, reconciler: r, inputs } = session;
    st.rtt = clock.rtt;
    st.rttSmoothed = clock.smoothedRtt;
    st.clockOffset = clock.offset;
    st.snapshotRate = this.snapMeter.rate;
    st.snapshotJitter = interp.jitter;
    st.interpolationDelay = interp.delay(now);
    st.interpolationTarget = interp.targetDelay;
    st.viewAge = session.viewAge(now);
    st.rewindLimit = session.rewindLimitMs;
    st.viewLimit = interp.beyondCeiling ? 'beyond' : interp.capped ? 'capped' : 'ok';
    st.bytesInPerSec = this.inMeter.rate;
    st.bytesOutPerSec = this.outMeter.rate;
    st.predictionError = r.lastError;
    if (Number.isNaN(this.errorWindowStart) || now - this.errorWindowStart >= 1000) {
      this.errorWindowStart = now;
      st.predictionErrorMax = r.takeMaxError();
    }
    st.corrections = r.corrections;
    st.pendingInputs = inputs.history.pending;
    st.tickRate = session.welcome.tickRate;
    st.inputsSent = inputs.produced;
    st.snapshotsReceived = this.snapshots;
  }
}
