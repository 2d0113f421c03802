/**
 * Prediction of the own player, and reconciliation with the server.
 *
 * The server steps a player once per input it applies, with the same stepPlayer, so the
 * state after input N is a pure function of inputs 1..N. Prediction applies each input
 * locally as it is sent; when a snapshot says the server has applied inputs up to
 * ackSeq, the server's state there replaces the prediction and the inputs after ackSeq
 * are replayed. With the same inputs and the same rules this reproduces the prediction
 * bit for bit, so a correction only appears when something really differed (a
 * collision with another player, a lost input, a server-side teleport).
 *
 * Corrections are hidden rather than shown as a jump: the render position keeps an
 * offset equal to the jump, which decays to zero over ~smoothingMs. Big jumps
 * (a respawn) are shown as they are.
 */
import { clonePlayerState, stepPlayer, type CollisionMap, type PlayerState } from '../../../protocol/index.ts';
import type { InputHistory } from './input-history.ts';

export interface ReconcilerOptions {
  /** Time for a hidden correction to fade out, ms. */
  smoothingMs?: number;
  /** Corrections longer than this (px) snap instead of being smoothed. */
  snapDistance?: number;
  /** Predicted states kept by seq, to check a snapshot without replaying. */
  stateHistory?: number;
}

/** Per remembered state: x, y, vx, vy, dash, dashCooldown. */
const RING_FIELDS = 6;

/** Render offsets below this (px) are zeroed, so smoothing ends exactly. */
const OFFSET_EPSILON = 0.01;

export class Reconciler {
  readonly dt: number;
  private readonly map: CollisionMap;
  private readonly tau: number;
  private readonly snapDistance: number;

  /** Predicted state after lastSeq (undefined until the first snapshot with the own player). */
  private current: PlayerState | null = null;
  /** Predicted state one tick earlier; render blends from it toward current. */
  private previous: PlayerState | null = null;
  private lastSeq = 0;
  /** Highest ackSeq reconciled; an older one (a reordered snapshot) is ignored. */
  private lastAck = -1;

  /** Predicted state after each seq, so an acknowledged state can be checked in O(1). */
  private readonly ring: Float64Array;
  private readonly ringSeq: Float64Array;
  private readonly ringSize: number;

  /** Render offset (px): hides corrections, decays to zero. */
  offsetX = 0;
  offsetY = 0;
  private lastAdvance = Number.NaN;

  /** Distance (px) of the last correction; 0 when the last snapshot matched. */
  lastError = 0;
  /** Largest correction since the stats were last read with takeMaxError(). */
  private maxError = 0;
  /** Snapshots whose acknowledged state differed from the prediction. */
  corrections = 0;
  /** Corrections so large they were shown as a jump. */
  snaps = 0;
  /** Inputs replayed in total (a cost figure for bots). */
  replayed = 0;

  constructor(map: CollisionMap, tickRate: number, opts: ReconcilerOptions = {}) {
    this.map = map;
    this.dt = 1 / tickRate;
    // Exponential decay reaching ~2% after smoothingMs.
    this.tau = (opts.smoothingMs ?? 100) / 4;
    this.snapDistance = opts.snapDistance ?? 64;
    this.ringSize = Math.max(16, opts.stateHistory ?? Math.ceil(tickRate * 4));
    this.ring = new Float64Array(this.ringSize * RING_FIELDS);
    this.ringSeq = new Float64Array(this.ringSize).fill(-1);
  }

  /** Predicted state after the latest input (null before the first snapshot). */
  get state(): Readonly<PlayerState> | null {
    return this.current;
  }

  get hasState(): boolean {
    return this.current !== null;
  }

  /** A local input was produced (and sent): predict its effect. */
  applyInput(seq: number, buttons: number): void {
    this.lastSeq = seq;
    const cur = this.current;
    if (!cur) return;
    const next = stepPlayer(cur, buttons, this.dt, this.map);
    this.previous = cur;
    this.current = next;
    this.remember(seq, next);
  }

  /**
   * A snapshot arrived: `server` is the own player's state after input ackSeq.
   * `history` supplies the inputs after it. Returns the correction distance (px).
   */
  reconcile(ackSeq: number, server: PlayerState, history: InputHistory): number {
    const old = this.current;
    if (ackSeq < this.lastAck) return 0;
    this.lastAck = ackSeq;
    if (old && this.matches(ackSeq, server)) {
      this.lastError = 0;
      return 0;
    }
    // Replay from the server's state. previous follows along so render blending stays
    // consistent with the replayed path.
    let state: PlayerState = clonePlayerState(server);
    let prev = state;
    this.remember(ackSeq, state);
    for (let seq = ackSeq + 1; seq <= this.lastSeq; seq++) {
      const b = history.buttonsOf(seq);
      // A gap (input overwritten in a full history): stop here; the server's next
      // acknowledgement moves past it.
      if (b < 0) break;
      prev = state;
      state = stepPlayer(state, b, this.dt, this.map);
      this.remember(seq, state);
      this.replayed++;
    }
    if (!old) {
      this.current = state;
      this.previous = prev;
      this.lastError = 0;
      return 0;
    }
    const dx = old.x - state.x;
    const dy = old.y - state.y;
    const err = Math.sqrt(dx * dx + dy * dy);
    this.lastError = err;
    if (err > this.maxError) this.maxError = err;
    if (err > 0) this.corrections++;
    if (err > this.snapDistance) {
      this.snaps++;
      this.offsetX = 0;
      this.offsetY = 0;
      this.previous = state;
    } else {
      // Keep the drawn position where it was: the offset carries the jump and fades.
      this.offsetX += dx;
      this.offsetY += dy;
      this.previous = prev;
    }
    this.current = state;
    return err;
  }

  /** Decay the render offset to `now` (ms). */
  advance(now: number): void {
    const last = this.lastAdvance;
    this.lastAdvance = now;
    if (Number.isNaN(last) || now <= last) return;
    if (this.offsetX === 0 && this.offsetY === 0) return;
    const k = Math.exp(-(now - last) / this.tau);
    this.offsetX *= k;
    this.offsetY *= k;
    if (Math.abs(this.offsetX) < OFFSET_EPSILON && Math.abs(this.offsetY) < OFFSET_EPSILON) {
      this.offsetX = 0;
      this.offsetY = 0;
    }
  }

  /**
   * Where to draw the own player: between the last two predicted ticks (alpha 0..1,
   * how far the input clock is into the next tick) plus the correction offset.
   * Writes into `out` and returns it; false if there is no state yet.
   */
  renderPosition(alpha: number, out: { x: number; y: number }): boolean {
    const cur = this.current;
    if (!cur) return false;
    const prev = this.previous ?? cur;
    out.x = prev.x + (cur.x - prev.x) * alpha + this.offsetX;
    out.y = prev.y + (cur.y - prev.y) * alpha + this.offsetY;
    return true;
  }

  /** Largest correction since the last call (for per-second stats). */
  takeMaxError(): number {
    const m = this.maxError;
    this.maxError = 0;
    return m;
  }

  private remember(seq: number, s: PlayerState): void {
    const i = seq % this.ringSize;
    this.ringSeq[i] = seq;
    const o = i * RING_FIELDS;
    this.ring[o] = s.x;
    this.ring[o + 1] = s.y;
    this.ring[o + 2] = s.vx;
    this.ring[o + 3] = s.vy;
    this.ring[o + 4] = s.dash ?? 0;
    this.ring[o + 5] = s.dashCooldown ?? 0;
  }

  /** True if the state predicted after `seq` equals the server's exactly. */
  private matches(seq: number, s: PlayerState): boolean {
    const i = seq % this.ringSize;
    if (this.ringSeq[i] !== seq) return false;
    const o = i * RING_FIELDS;
    return (
      this.ring[o] === s.x &&
      this.ring[o + 1] === s.y &&
      this.ring[o + 2] === s.vx &&
      this.ring[o + 3] === s.vy &&
      this.ring[o + 4] === (s.dash ?? 0) &&
      this.ring[o + 5] === (s.dashCooldown ?? 0)
    );
  }
}
