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
 */
import {
  NO_BASELINE,
  REMOTE_POS_SCALE,
  emptyCell,
  encodeCellBlock,
  encodeCellDelta,
  encodeFullCell,
  inView,
  type CellMembers,
  type ViewRect,
} from '../../protocol/index.ts';
import type { InterestGrid } from './interest-grid.ts';

const HISTORY = 32;

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
  private readonly lastPos = new Map<number, { X: number; Y: number }>();
  private readonly fullCache = new Map<number, Uint8Array>();
  private readonly deltaCache = new Map<number, Map<number, Uint8Array | null>>();
  private readonly empty = emptyCell();
  /** Blocks encoded / served from cache since creation (for the benchmark). */
  encoded = 0;
  reused = 0;

  constructor(readonly grid: InterestGrid) {}

  /** Record this snapshot tick's state. Players must come in increasing id order or not; either works. */
  capture(tick: number, players: Iterable<RemoteSource>): void {
    if (this.current.tick !== NO_BASELINE) {
      this.history.push(this.current);
      if (this.history.length > HISTORY) this.history.shift();
    }
    const cells = new Map<number, CellMembers>();
    const seen = new Set<number>();
    let sorted = true;
    for (const p of players) {
      const X = Math.round(p.x * REMOTE_POS_SCALE);
      const Y = Math.round(p.y * REMOTE_POS_SCALE);
      const prev = this.lastPos.get(p.id);
      const c = this.grid.cellAt(p.x, p.y);
      let m = cells.get(c);
      if (!m) cells.set(c, (m = emptyCell()));
      if (m.ids.length > 0 && m.ids[m.ids.length - 1]! > p.id) sorted = false;
      m.ids.push(p.id);
      m.X.push(X);
      m.Y.push(Y);
      m.dX.push(prev ? X - prev.X : 0);
      m.dY.push(prev ? Y - prev.Y : 0);
      m.aim.push(p.aim);
      if (prev) {
        prev.X = X;
        prev.Y = Y;
      } else this.lastPos.set(p.id, { X, Y });
      seen.add(p.id);
    }
    for (const id of this.lastPos.keys()) if (!seen.has(id)) this.lastPos.delete(id);
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

  private delta(cell: number, base: Frame, prev: CellMembers, cur: CellMembers, consecutive: boolean): Uint8Array | null {
    let perBase = this.deltaCache.get(base.tick);
    if (!perBase) this.deltaCache.set(base.tick, (perBase = new Map()));
    const hit = perBase.get(cell);
    if (hit !== undefined) {
      this.reused++;
      return hit;
    }
    const arr = encodeCellDelta(cell, prev, cur, consecutive);
    const b = arr ? encodeCellBlock(arr) : null;
    if (b) this.encoded++;
    perBase.set(cell, b);
    return b;
  }
}

function sortCell(m: CellMembers): void {
  const order = m.ids.map((_, i) => i).sort((a, b) => m.ids[a]! - m.ids[b]!);
  const pick = (arr: number[]): number[] => order.map((i) => arr[i]!);
  m.ids = pick(m.ids);
  m.X = pick(m.X);
  m.Y = pick(m.Y);
  m.dX = pick(m.dX);
  m.dY = pick(m.dY);
  m.aim = pick(m.aim);
}
