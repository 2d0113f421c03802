/**
 * The uniform grid interest management runs on: which cell a player stands in, and
 * which cells a client can see around its player.
 */
import { INTEREST_CELL_SIZE, cellId, type ViewRect } from '../../protocol/index.ts';

/** Seen beyond the viewport's edge, px, so players walking in are known before they appear. */
export const VIEW_MARGIN = INTEREST_CELL_SIZE / 2;

export class InterestGrid {
  readonly cols: number;
  readonly rows: number;

  constructor(
    widthPx: number,
    heightPx: number,
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

  /** The cells overlapping a width x height view centred on (x, y), plus VIEW_MARGIN. */
  viewAround(x: number, y: number, width: number, height: number): ViewRect {
    const hw = width / 2 + VIEW_MARGIN;
    const hh = height / 2 + VIEW_MARGIN;
    const clampX = (v: number): number => Math.min(this.cols - 1, Math.max(0, Math.floor(v / this.cellSize)));
    const clampY = (v: number): number => Math.min(this.rows - 1, Math.max(0, Math.floor(v / this.cellSize)));
    return { cx0: clampX(x - hw), cy0: clampY(y - hh), cx1: clampX(x + hw), cy1: clampY(y + hh), cols: this.cols };
  }
}
