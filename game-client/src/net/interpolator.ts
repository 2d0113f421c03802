/**
 * Shows other players in the past, between two snapshots that really happened, instead
 * of guessing their future.
 *
 * Render time runs on the server's timebase, a delay behind the newest snapshot the
 * network could have delivered by now. "Server time now, as the snapshot stream sees
 * it" is estimated from the arrivals themselves: each snapshot gives
 * serverTime - arrivalTime, and the largest such value in a recent window belongs to
 * the snapshot that travelled fastest. That estimate already includes the one-way
 * latency, and it needs no symmetric-path assumption (a ping/pong offset would, since
 * it must add rtt/2).
 *
 * The delay is one snapshot interval (to have a pair to interpolate between) plus the
 * packet delay variation of the window: how much later than the fastest snapshot the
 * slowest one arrived (RFC 5481 recommends this measure for sizing de-jitter buffers;
 * the RFC 3550 mean jitter, also reported, underestimates the spikes that starve the
 * buffer, all the more on TCP where one late frame holds back the ones behind it).
 * The floor is a few intervals; when the jitter stops, the spikes leave the window and
 * the delay shrinks back.
 * The render clock never jumps backwards: it advances by frame time scaled by
 * 0.95..1.05 to converge on the target, and jumps forward only when it is far behind
 * (after a stall or a background tab) or older than the ceiling.
 *
 * Frame stalls are not network jitter. Arrival times are read when the message handler
 * runs, and a page busy drawing a 110 ms frame runs the handlers of everything that came
 * during it only afterwards, bunched: taken at face value, a browser at 9 frames/s
 * measures its own frame time as delay variation and draws the others hundreds of ms
 * late. So each arrival is bounded two ways. Its latest possible time, the handler's, is
 * what the fastest-snapshot estimate uses (an arrival taken as earlier than it was would
 * move the render clock past data that is not there). Its earliest possible time is used
 * for the slowest one: a handler that runs more than `stallAllowanceMs` after the last
 * frame began was held up by that frame, so the snapshot is taken to have come no later
 * than that allowance into the frame. What is lost is only lateness that happened inside
 * a frame, which no frame could have shown anyway: the next frame draws after the
 * bunched handlers have run.
 *
 * The ceiling keeps the view young enough for lag compensation: the server refuses a
 * shot whose view is older than its rewind limit, so the session sets a ceiling on the
 * delay (the limit less what the network and the server add) and the delay stays under
 * it even when the jitter asks for more (others may then freeze for a moment, which is
 * better than shots that cannot hit).
 */
import { ANGLE_STEPS, POS_SCALE, VEL_SCALE, type EntityState, type ResolvedSnapshot } from '../../../protocol/index.ts';

export interface InterpolatorOptions {
  /** Lower bound on the delay, in snapshot intervals. */
  minDelayIntervals?: number;
  /** Upper bound on the delay, ms. */
  maxDelayMs?: number;
  /** Largest playback-rate change used to converge on the target (0.05 = ±5%). */
  maxRateAdjust?: number;
  /** Further behind the target than this (ms), the render clock jumps forward. */
  snapBehindMs?: number;
  /** Snapshots kept at most. */
  maxBuffered?: number;
  /** Window (in snapshots) for the fastest-arrival estimate and the delay variation. */
  offsetWindow?: number;
  /** Gain of the jitter estimate per snapshot (RFC 3550 uses 1/16). */
  jitterGain?: number;
  /**
   * A message handler running this long (ms) after the last frame began was held up by
   * that frame; its arrival is taken as no later than this into the frame. Default one
   * snapshot interval: longer than a frame of any page that keeps up.
   */
  stallAllowanceMs?: number;
}

interface Buffered {
  tick: number;
  time: number;
  entities: EntityState[];
  byId: Map<number, EntityState>;
}

const TWO_PI = 2 * Math.PI;

export class Interpolator {
  readonly snapshotRate: number;
  /** Nominal time between snapshots, ms. */
  readonly intervalMs: number;
  private readonly minDelay: number;
  private readonly maxDelay: number;
  private readonly maxAdjust: number;
  private readonly snapBehind: number;
  private readonly maxBuffered: number;
  private readonly jitterGain: number;
  private readonly stallAllowance: number;

  private readonly buffer: Buffered[] = [];
  /** Rings of serverTime - arrival for the last offsetWindow snapshots: by the handler's time, and by the earliest it can have been. */
  private readonly offsets: Float64Array;
  private readonly earlyOffsets: Float64Array;
  private offsetCount = 0;
  private offsetNext = 0;
  /** max of offsets: serverTime - localTime of the fastest recent snapshot. */
  private streamOffset = 0;
  /** max - min of offsets: how late the slowest recent snapshot was, ms. */
  private delayVariation = 0;
  private lastArrival = Number.NaN;
  private lastServerTime = Number.NaN;
  /** Local time of the latest update() (the frame that ran last). */
  private lastFrame = Number.NaN;
  /** Most delay the view may have, ms (the session sets it from the rewind limit). */
  private ceiling = Infinity;

  /** Render time on the server's timebase, ms (NaN before the first snapshot). */
  renderTime = Number.NaN;
  private lastNow = Number.NaN;
  /** Current playback rate of the render clock (1 = real time). */
  rate = 1;
  /** Measured snapshot arrival jitter, ms (RFC 3550 interarrival jitter; reported, not steered by). */
  jitter = 0;
  /** Times the render clock was jumped forward. */
  forwardJumps = 0;
  /** Snapshots ignored because they were older than one already received. */
  stale = 0;
  /** Frames sampled while render time was past the newest snapshot (starved). */
  starvedSamples = 0;
  /** Times the render clock was jumped forward to get under the ceiling. */
  ceilingJumps = 0;

  private readonly out: EntityState[] = [];
  private readonly pool: EntityState[] = [];

  constructor(snapshotRate: number, opts: InterpolatorOptions = {}) {
    if (!(snapshotRate > 0)) throw new Error(`snapshot rate must be positive, got ${snapshotRate}`);
    this.snapshotRate = snapshotRate;
    this.intervalMs = 1000 / snapshotRate;
    this.minDelay = (opts.minDelayIntervals ?? 2) * this.intervalMs;
    this.maxDelay = Math.max(this.minDelay, opts.maxDelayMs ?? 1000);
    this.maxAdjust = opts.maxRateAdjust ?? 0.05;
    this.snapBehind = opts.snapBehindMs ?? Math.max(250, 4 * this.intervalMs);
    this.maxBuffered = Math.max(4, opts.maxBuffered ?? Math.ceil(snapshotRate * 3));
    this.jitterGain = opts.jitterGain ?? 1 / 16;
    this.stallAllowance = opts.stallAllowanceMs ?? this.intervalMs;
    this.offsets = new Float64Array(Math.max(1, opts.offsetWindow ?? Math.ceil(snapshotRate * 2)));
    this.earlyOffsets = new Float64Array(this.offsets.length);
  }

  /** The delay the jitter asks for, before the ceiling, ms. */
  get wantedDelay(): number {
    return Math.min(this.maxDelay, Math.max(this.minDelay, this.intervalMs + this.delayVariation));
  }

  /**
   * The delay the render clock steers toward, ms: what the jitter asks for, under the
   * ceiling, but never under one interval (below that there is no pair to interpolate).
   */
  get targetDelay(): number {
    return Math.min(this.wantedDelay, Math.max(this.intervalMs, this.ceiling));
  }

  /**
   * The most delay the view may have from now on, ms (Infinity: no limit). The render
   * clock is jumped forward at the next update if it is older.
   */
  setCeiling(ms: number): void {
    this.ceiling = Number.isNaN(ms) ? Infinity : ms;
  }

  get delayCeiling(): number {
    return this.ceiling;
  }

  /** The ceiling is holding the delay below what the jitter asks for. */
  get capped(): boolean {
    return this.wantedDelay > this.ceiling;
  }

  /** Not even one interval fits under the ceiling: the network alone is too slow for it. */
  get beyondCeiling(): boolean {
    return this.ceiling < this.intervalMs;
  }

  /** The newest server time the snapshot stream could have delivered by local time `now`. */
  streamNow(now: number): number {
    return now + this.streamOffset;
  }

  /** How far behind the estimated newest server time the render clock actually is, ms. */
  delay(now: number): number {
    return Number.isNaN(this.renderTime) ? Number.NaN : now + this.streamOffset - this.renderTime;
  }

  /** Render time the clock converges on at local time `now`. */
  targetTime(now: number): number {
    return now + this.streamOffset - this.targetDelay;
  }

  /** Packet delay variation over the window, ms: the margin in the delay. */
  get variation(): number {
    return this.delayVariation;
  }

  get bufferedCount(): number {
    return this.buffer.length;
  }

  /** Server time of the newest buffered snapshot (NaN if none). */
  get newestTime(): number {
    const b = this.buffer[this.buffer.length - 1];
    return b ? b.time : Number.NaN;
  }

  /** Add a snapshot that arrived at local time `arrival` (ms). */
  push(snap: ResolvedSnapshot, arrival: number): void {
    const newest = this.buffer[this.buffer.length - 1];
    if (newest && snap.serverTime <= newest.time) {
      this.stale++;
      return;
    }
    const byId = new Map<number, EntityState>();
    for (const e of snap.entities) byId.set(e.id, e);
    this.buffer.push({ tick: snap.tick, time: snap.serverTime, entities: snap.entities, byId });
    if (this.buffer.length > this.maxBuffered) this.buffer.splice(0, this.buffer.length - this.maxBuffered);

    // The earliest this snapshot can have come (see the top of the file).
    let early = arrival;
    if (!Number.isNaN(this.lastFrame)) {
      early = Math.min(arrival, this.lastFrame + this.stallAllowance);
      // Bunched ones keep their order.
      if (early < this.lastArrival) early = Math.min(arrival, this.lastArrival);
    }
    // Jitter: how much the spacing of arrivals differs from the spacing of send times
    // (send-time spacing, not the nominal interval, so skipped snapshots are not jitter).
    if (!Number.isNaN(this.lastArrival)) {
      const d = early - this.lastArrival - (snap.serverTime - this.lastServerTime);
      this.jitter += (Math.abs(d) - this.jitter) * this.jitterGain;
    }
    this.lastArrival = early;
    this.lastServerTime = snap.serverTime;

    this.offsets[this.offsetNext] = snap.serverTime - arrival;
    this.earlyOffsets[this.offsetNext] = snap.serverTime - early;
    this.offsetNext = (this.offsetNext + 1) % this.offsets.length;
    if (this.offsetCount < this.offsets.length) this.offsetCount++;
    let hi = -Infinity;
    let lo = Infinity;
    for (let i = 0; i < this.offsetCount; i++) {
      const o = this.offsets[i]!;
      if (o > hi) hi = o;
      const e = this.earlyOffsets[i]!;
      if (e < lo) lo = e;
    }
    this.streamOffset = hi;
    this.delayVariation = hi - lo;

    if (Number.isNaN(this.renderTime)) {
      this.renderTime = this.targetTime(arrival);
      this.lastNow = arrival;
    }
  }

  /** Advance the render clock to local time `now` (ms). Call once per frame. */
  update(now: number): void {
    if (!(now <= this.lastFrame)) this.lastFrame = now;
    if (Number.isNaN(this.renderTime)) return;
    const dt = now - this.lastNow;
    if (!(dt > 0)) return;
    this.lastNow = now;
    const target = this.targetTime(now);
    const err = target - this.renderTime; // > 0: render clock is behind
    if (err > this.snapBehind) {
      this.renderTime = target;
      this.rate = 1;
      this.forwardJumps++;
    } else {
      // Full correction rate once the error reaches one snapshot interval.
      const adj = Math.max(-this.maxAdjust, Math.min(this.maxAdjust, (err / this.intervalMs) * this.maxAdjust));
      this.rate = 1 + adj;
      const next = this.renderTime + dt * this.rate;
      // Catching up never overshoots the target (a long frame would otherwise do so).
      this.renderTime = err > 0 ? Math.min(next, target) : next;
      // Older than the ceiling allows: shots from this view would be refused, so catch up
      // at once rather than at 5% (the target is never older than this, so no overshoot).
      const oldest = now + this.streamOffset - Math.max(this.intervalMs, this.ceiling);
      if (this.renderTime < oldest) {
        this.renderTime = oldest;
        this.ceilingJumps++;
      }
    }
    this.prune();
  }

  /**
   * Every entity at `renderTime` (default: the render clock), in px, px/s and aim in
   * radians [0, 2π) (the buffer keeps them in wire units). The returned array and its
   * objects are reused by the next call; copy what must be kept.
   * An entity is shown from the first snapshot that has it, and until the first that
   * does not; past the newest snapshot everything holds still there (no extrapolation:
   * guessing past the data would push players through walls).
   */
  sample(renderTime: number = this.renderTime): readonly EntityState[] {
    const out = this.out;
    let n = 0;
    const buf = this.buffer;
    if (buf.length > 0 && !Number.isNaN(renderTime)) {
      let i = buf.length - 1;
      while (i > 0 && buf[i]!.time > renderTime) i--;
      const a = buf[i]!;
      let b = a;
      let t = 0;
      if (renderTime > a.time) {
        const nb = buf[i + 1];
        if (nb) {
          b = nb;
          t = (renderTime - a.time) / (nb.time - a.time);
        } else this.starvedSamples++;
      }
      for (const ea of a.entities) {
        const eb = b.byId.get(ea.id) ?? ea;
        const o = this.pool[n] ?? (this.pool[n] = { id: 0, x: 0, y: 0, vx: 0, vy: 0, aim: 0 });
        o.id = ea.id;
        o.x = (ea.x + (eb.x - ea.x) * t) / POS_SCALE;
        o.y = (ea.y + (eb.y - ea.y) * t) / POS_SCALE;
        o.vx = (ea.vx + (eb.vx - ea.vx) * t) / VEL_SCALE;
        o.vy = (ea.vy + (eb.vy - ea.vy) * t) / VEL_SCALE;
        o.aim = lerpAngleByte(ea.aim, eb.aim, t);
        out[n++] = o;
      }
    }
    out.length = n;
    return out;
  }

  /** Drop snapshots no render time can need again (render time only moves forward). */
  private prune(): void {
    const buf = this.buffer;
    let keepFrom = 0;
    while (keepFrom + 1 < buf.length && buf[keepFrom + 1]!.time <= this.renderTime) keepFrom++;
    if (keepFrom > 0) buf.splice(0, keepFrom);
  }
}

/** Interpolate two one-byte angles the short way round; radians in [0, 2π). */
export function lerpAngleByte(a: number, b: number, t: number): number {
  let d = (b - a) % ANGLE_STEPS;
  if (d > ANGLE_STEPS / 2) d -= ANGLE_STEPS;
  else if (d < -ANGLE_STEPS / 2) d += ANGLE_STEPS;
  let v = (a + d * t) / ANGLE_STEPS;
  v -= Math.floor(v);
  return v * TWO_PI;
}
