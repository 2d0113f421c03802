/**
 * The uniform grid interest management runs on: which cell a player stands in, and
 * which cells a client can see around its player.
 */
import { INTEREST_CELL_SIZE, cellId, type ViewRect } from '../../protocol/index.ts';

/** Seen beyond the viewport's edge, px, so players walking in are known before they appear. */
export const VIEW_MARGIN = 128;

export class InterestGrid {
  readonly cols: number;
  readonly rows: number;

  constructor(
    readonly widthPx: number,
    readonly heightPx: number,
    readonly cellSize = INTEREST_CELL_SIZE,
  ) {
    this.cols = Math.max(1, Math.ceil(widthPx / cellSize));
    this.rows = Math.max(1, Math.ceil(heightPx / cellSize));
  }

  cellAt(x: number, y: number): number {
    const cx = Math.min(this.cols - 1, Math.max(0, Math.floor(x / this.cellSize)));
    const cy = Math.min(this.rows - 1, Math.max(0, Math.floor(y / this.cellSize)));
    return cellId(cx, cy, this.cols);
  }

  /**
   * The cells overlapping a width x height view around (x, y), plus VIEW_MARGIN. The
   * view is placed as the client's camera is: centred on the player, but never past
   * the map's edges (a player in a corner sees the corner, not the void beyond it).
   * Fills `out` when given (the per-tick path reuses its rects), else a new rect.
   */
  viewAround(px: number, py: number, width: number, height: number, out?: ViewRect): ViewRect {
    const x = width >= this.widthPx ? this.widthPx / 2 : Math.min(this.widthPx - width / 2, Math.max(width / 2, px));
    const y = height >= this.heightPx ? this.heightPx / 2 : Math.min(this.heightPx - height / 2, Math.max(height / 2, py));
    const hw = width / 2 + VIEW_MARGIN;
    const hh = height / 2 + VIEW_MARGIN;
    const cs = this.cellSize;
    const maxX = this.cols - 1;
    const maxY = this.rows - 1;
    const r = out ?? { cx0: 0, cy0: 0, cx1: 0, cy1: 0, cols: 0 };
    r.cx0 = Math.max(0, Math.floor((x - hw) / cs));
    r.cy0 = Math.max(0, Math.floor((y - hh) / cs));
    r.cx1 = Math.min(maxX, Math.floor((x + hw) / cs));
    r.cy1 = Math.min(maxY, Math.floor((y + hh) / cs));
    r.cols = this.cols;
    return r;
  }
}

/** The whole map as one view: what a full-state server sends everyone. */
export function wholeMap(grid: InterestGrid): ViewRect {
  return { cx0: 0, cy0: 0, cx1: grid.cols - 1, cy1: grid.rows - 1, cols: grid.cols };
}
