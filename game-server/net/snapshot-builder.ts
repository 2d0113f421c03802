/**
 * Builds each client's snapshot from blocks encoded once per cell per tick.
 *
 * capture() records every player's remote state by cell. A client's snapshot is its own
 * header plus, for each cell it sees, a block: full for a cell that just came into view,
 * a delta against the snapshot it was last sent otherwise (or nothing when the cell
 * moved exactly as the client will extrapolate). Blocks are cached by (cell, baseline),
 * so a hundred clients watching one cell cost one encoding: per-client interest at
 * close to the price of a broadcast.
 *
 * Baselines are kept per snapshot tick (HISTORY of them), so a client that was skipped
 * (backpressure) deltas against what it last received, and an unreliable transport could
 * later delta against the last acknowledged tick the same way.
 *
 * With a bandwidth budget (net/budget.ts) each cell has its own baseline per client: a
 * cell left out of a client's snapshots is dead-reckoned by that client (its decoder
 * advances a cell without a block), so its copy is the frame it last got, advanced once
 * per snapshot since. cellBlock() deltas against exactly that copy, and caches by
 * (cell, tick, advance), so every client whose copy is the same shares one encoding.
 */
import {
  DEAD_RECKONING_TOLERANCE,
  MOTION_FIELDS,
  MAX_MOVE_CHANGE,
  NO_BASELINE,
  REMOTE_AIM_SHIFT,
  REMOTE_POS_SCALE,
  emptyCell,
  encodeCellBlock,
  encodeCellDelta,
  encodeFullCell,
  inView,
  permuteCell,
  pushMember,
  type CellMembers,
  type ViewRect,
} from '../../protocol/index.ts';
import type { InterestGrid } from './interest-grid.ts';

/**
 * Frames kept: a cell's per-client baseline must still be here to delta against it, so
 * this bounds how long a budget may leave a cell out (BUDGET_MAX_WAIT, net/budget.ts).
 * About a second at 30 Hz; older copies get a full block.
 */
export const HISTORY = 32;
/**
 * A copy this many snapshots old gets the cell's full block (encoded once, shared by all)
 * instead of a delta of its own: by then most players have turned or re-aimed, so the
 * delta saves little, while every distinct age is one more encoding per cell per tick
 * (at dense 400 with a 12 KB/s budget: 41 blocks encoded a tick with it, 98 without,
 * for the same bytes).
 */
const FULL_AFTER = 8;
/** Largest `advance` cellBlock is asked for (a cell waits at most HISTORY snapshots). */
const MAX_ADVANCE = 63;

interface Frame {
  tick: number;
  cells: Map<number, CellMembers>;
}

export interface RemoteSource {
  id: number;
  /** px */
  x: number;
  y: number;
  aim: number;
}

export interface ClientBaseline {
  /** Tick of the last snapshot sent to this client, NO_BASELINE if none. */
  tick: number;
  view: ViewRect | null;
}

export class SnapshotBuilder {
  private readonly history: Frame[] = [];
  private current: Frame = { tick: NO_BASELINE, cells: new Map() };
  /** Per player: the motion last sent and its true position then. */
  private readonly sent = new Map<number, SentState>();
  private readonly fullCache = new Map<number, Uint8Array>();
  private readonly deltaCache = new Map<number, Map<number, Uint8Array | null>>();
  private readonly empty = emptyCell();
  /** Reused for a baseline advanced by the snapshots a client went without its cell. */
  private readonly advanced = emptyCell();
  /** An empty full block per cell: clears a client's copy that can no longer be delta'd. */
  private readonly clearBlocks = new Map<number, Uint8Array>();
  /** Blocks encoded / served from cache since creation (for the benchmark). */
  encoded = 0;
  reused = 0;

  /** history: frames kept (tests shorten it to reach the start-over path sooner). */
  constructor(
    readonly grid: InterestGrid,
    private readonly historySize = HISTORY,
  ) {}

  /**
   * Record this snapshot tick's state. What is recorded for each player is the state
   * receivers will be told (see "dead-reckoned" in protocol/delta.ts): it continues the
   * player's last displacement while that stays within DEAD_RECKONING_TOLERANCE of the
   * truth, so a player walking a straight line costs no bytes at all.
   */
  capture(tick: number, players: Iterable<RemoteSource>): void {
    if (this.current.tick !== NO_BASELINE) {
      this.history.push(this.current);
      if (this.history.length > this.historySize) this.history.shift();
    }
    const cells = new Map<number, CellMembers>();
    const seen = new Set<number>();
    let sorted = true;
    for (const p of players) {
      const tx = Math.round(p.x * REMOTE_POS_SCALE);
      const ty = Math.round(p.y * REMOTE_POS_SCALE);
      let s = this.sent.get(p.id);
      if (!s) {
        s = { X: tx, Y: ty, dX: 0, dY: 0, trueX: tx, trueY: ty };
        this.sent.set(p.id, s);
      } else {
        deadReckon(s, tx, ty);
      }
      const c = this.grid.cellAt(s.X / REMOTE_POS_SCALE, s.Y / REMOTE_POS_SCALE);
      let m = cells.get(c);
      if (!m) cells.set(c, (m = emptyCell()));
      if (m.ids.length > 0 && m.ids[m.ids.length - 1]! > p.id) sorted = false;
      pushMember(m, p.id, s.X, s.Y, s.dX, s.dY, p.aim >> REMOTE_AIM_SHIFT);
      seen.add(p.id);
    }
    for (const id of this.sent.keys()) if (!seen.has(id)) this.sent.delete(id);
    if (!sorted) for (const m of cells.values()) sortCell(m);
    this.current = { tick, cells };
    this.fullCache.clear();
    this.deltaCache.clear();
  }

  get tick(): number {
    return this.current.tick;
  }

  /**
   * The blocks for a client seeing `view` whose last snapshot is `base`. Returns the
   * baseline actually used: NO_BASELINE when the client's is older than the history.
   */
  blocksFor(view: ViewRect, base: ClientBaseline, out: Uint8Array[]): number {
    out.length = 0;
    let baseFrame: Frame | undefined;
    if (base.tick !== NO_BASELINE) {
      for (let i = this.history.length - 1; i >= 0; i--) {
        if (this.history[i]!.tick === base.tick) {
          baseFrame = this.history[i];
          break;
        }
      }
    }
    const baseTick = baseFrame ? baseFrame.tick : NO_BASELINE;
    const consecutive = baseFrame !== undefined && baseFrame === this.history[this.history.length - 1];
    const baseView = baseFrame ? base.view : null;
    for (let cy = view.cy0; cy <= view.cy1; cy++) {
      for (let cx = view.cx0; cx <= view.cx1; cx++) {
        const cell = cy * view.cols + cx;
        const cur = this.current.cells.get(cell);
        if (!baseFrame || !inView(baseView, cell)) {
          if (cur) out.push(this.full(cell, cur));
          continue;
        }
        const prev = baseFrame.cells.get(cell);
        if (!cur && !prev) continue;
        const block = this.delta(cell, baseFrame, prev ?? this.empty, cur ?? this.empty, consecutive);
        if (block) out.push(block);
      }
    }
    return baseTick;
  }

  /** Whether the frame of `tick` is still kept (a baseline older than HISTORY is not). */
  hasFrame(tick: number): boolean {
    return this.frame(tick) !== undefined;
  }

  /**
   * The block that brings a client's copy of `cell` to this tick, or null when it needs
   * none. `since`: the tick of the frame the client last got for this cell, NO_BASELINE
   * when it holds no copy; `advance`: the snapshots it has applied since without a
   * block for this cell (each moved its players one displacement on).
   */
  cellBlock(cell: number, since: number, advance: number): Uint8Array | null {
    const cur = this.current.cells.get(cell);
    if (since === NO_BASELINE) return cur ? this.full(cell, cur) : null;
    const base = this.frame(since);
    // Too old to delta against: replace the copy whole (or clear it).
    if (!base || advance > MAX_ADVANCE) return cur ? this.full(cell, cur) : this.clearBlock(cell, base);
    if (advance >= FULL_AFTER && cur) return this.full(cell, cur);
    const prev = base.cells.get(cell);
    if (!cur && !prev) return null;
    if (advance === 0 || !prev) return this.delta(cell, base, prev ?? this.empty, cur ?? this.empty, true, advance);
    return this.delta(cell, base, advanceCell(prev, advance, this.advanced), cur ?? this.empty, true, advance);
  }

  private frame(tick: number): Frame | undefined {
    if (tick === NO_BASELINE) return undefined;
    if (this.current.tick === tick) return this.current;
    for (let i = this.history.length - 1; i >= 0; i--) if (this.history[i]!.tick === tick) return this.history[i];
    return undefined;
  }

  private clearBlock(cell: number, base: Frame | undefined): Uint8Array | null {
    // A copy that was empty then stays empty (nothing moves in an empty cell).
    if (base && !base.cells.has(cell)) return null;
    let b = this.clearBlocks.get(cell);
    if (!b) this.clearBlocks.set(cell, (b = encodeCellBlock(encodeFullCell(cell, this.empty))));
    return b;
  }

  private full(cell: number, m: CellMembers): Uint8Array {
    let b = this.fullCache.get(cell);
    if (b) {
      this.reused++;
      return b;
    }
    b = encodeCellBlock(encodeFullCell(cell, m));
    this.encoded++;
    this.fullCache.set(cell, b);
    return b;
  }

  private delta(cell: number, base: Frame, prev: CellMembers, cur: CellMembers, consecutive: boolean, advance = 0): Uint8Array | null {
    let perBase = this.deltaCache.get(base.tick);
    if (!perBase) this.deltaCache.set(base.tick, (perBase = new Map()));
    // Keyed by cell and advance: consecutive-from-blocksFor and advance 0 describe the same copy.
    const key = cell * (MAX_ADVANCE + 1) + advance;
    const hit = perBase.get(key);
    if (hit !== undefined) {
      this.reused++;
      return hit;
    }
    const arr = encodeCellDelta(cell, prev, cur, consecutive);
    const b = arr ? encodeCellBlock(arr) : null;
    if (b) this.encoded++;
    perBase.set(key, b);
    return b;
  }
}

/** `from`'s members moved `n` displacements on, into `out` (reused). */
function advanceCell(from: CellMembers, n: number, out: CellMembers): CellMembers {
  const len = from.ids.length;
  out.ids.length = out.X.length = out.Y.length = out.dX.length = out.dY.length = out.aim.length = 0;
  for (let i = 0; i < len; i++) {
    const dX = from.dX[i]!;
    const dY = from.dY[i]!;
    pushMember(out, from.ids[i]!, from.X[i]! + n * dX, from.Y[i]! + n * dY, dX, dY, from.aim[i]!);
  }
  return out;
}

/** The motion receivers were last told (the cell's motion fields, by name), and the truth then. */
interface SentState extends Record<(typeof MOTION_FIELDS)[number], number> {
  trueX: number;
  trueY: number;
}

/** Displacement per snapshot (1/REMOTE_POS_SCALE px) above which a move is a jump. */
const TELEPORT_UNITS = 64 * REMOTE_POS_SCALE;

const within = (a: number, b: number): boolean => Math.abs(a - b) <= DEAD_RECKONING_TOLERANCE;
const small = (d: number): boolean => d >= -MAX_MOVE_CHANGE && d <= MAX_MOVE_CHANGE;

/**
 * Choose the next sent state for a player now truly at (tx, ty), cheapest first:
 * 1. the line continues (no bytes);
 * 2. take the true displacement, if a move byte can say so and the position stays
 *    within tolerance;
 * 3. land exactly on the truth, if a move byte can say so;
 * 4. an escape: exact position and the true displacement.
 */
function deadReckon(s: SentState, tx: number, ty: number): void {
  const px = s.X + s.dX;
  const py = s.Y + s.dY;
  const vx = tx - s.trueX;
  const vy = ty - s.trueY;
  s.trueX = tx;
  s.trueY = ty;
  if (within(tx, px) && within(ty, py)) {
    s.X = px;
    s.Y = py;
    return;
  }
  if (small(vx - s.dX) && small(vy - s.dY) && within(tx, s.X + vx) && within(ty, s.Y + vy)) {
    s.X += vx;
    s.Y += vy;
    s.dX = vx;
    s.dY = vy;
    return;
  }
  const cx = tx - s.X;
  const cy = ty - s.Y;
  if (small(cx - s.dX) && small(cy - s.dY)) {
    s.X = tx;
    s.Y = ty;
    s.dX = cx;
    s.dY = cy;
    return;
  }
  s.X = tx;
  s.Y = ty;
  // A jump far beyond walking speed (a respawn, a teleport) is not a velocity: carrying
  // it on as the displacement would cost a second escape next snapshot.
  const jumped = Math.abs(vx) > TELEPORT_UNITS || Math.abs(vy) > TELEPORT_UNITS;
  s.dX = jumped ? 0 : vx;
  s.dY = jumped ? 0 : vy;
}

function sortCell(m: CellMembers): void {
  permuteCell(
    m,
    m.ids.map((_, i) => i).sort((a, b) => m.ids[a]! - m.ids[b]!),
  );
}
