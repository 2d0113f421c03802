/**
 * Delta snapshots over an interest grid: the format's rules, in one place, for both
 * ends. The server (game-server/net/snapshot-builder.ts) builds cell blocks with
 * encodeFullCell/encodeCellDelta; the client applies them with SnapshotDecoder.
 *
 * The map is cut into square cells of INTEREST_CELL_SIZE px. A snapshot lists the
 * rectangle of cells its receiver can see and a block for each visible cell that the
 * receiver cannot work out by itself:
 *   - a cell that just came into view and has players: a full block;
 *   - a cell that stayed in view: a delta block against the receiver's previous
 *     snapshot (the baseline), or nothing at all when every player in it kept moving
 *     exactly as before (same per-snapshot displacement, same aim), which is the
 *     common case for players walking in a straight line or standing still.
 * Remote players' positions travel in 1/REMOTE_POS_SCALE px and their aim in
 * REMOTE_AIM_STEPS directions. Within a cell, players are kept sorted by id, so an
 * index means the same player at both ends.
 *
 * The state sent for a remote player is dead-reckoned by the server: as long as its true
 * position stays within DEAD_RECKONING_TOLERANCE of "last position + last displacement",
 * the sent state simply continues that line and costs nothing. Receivers see remote
 * players at most that far (half a pixel) from where the server has them.
 */

/** Edge of an interest cell, px. */
export const INTEREST_CELL_SIZE = 512;
/** Remote players' positions are integers in 1/REMOTE_POS_SCALE px. */
export const REMOTE_POS_SCALE = 2;
/**
 * Remote aim: the aim byte >> REMOTE_AIM_SHIFT, i.e. 32 directions (11.25 degrees).
 * Another player's aim is only drawn (and interpolated); shots are judged on the
 * shooter's own full-precision aim, so this costs no accuracy.
 */
export const REMOTE_AIM_SHIFT = 3;
/** How far (1/REMOTE_POS_SCALE px, per axis) a sent remote position may be from the truth. */
export const DEAD_RECKONING_TOLERANCE = 1;
/** Change head flag: an aim byte follows. */
export const CHANGE_HAS_AIM = 0x80;
/** Change head flag: a move byte follows (before the aim byte, if both). */
export const CHANGE_HAS_MOVE = 0x40;
/**
 * Change head bits 0-5: how many remaining players the entry skips after the previous
 * entry's player (after the start, for the first). Skips rather than indices, so a head
 * stays one byte in a cell of any size: a crowd of a thousand costs what ten do, per
 * changed player, and a gap over 63 costs one flagless head per 64 players skipped.
 */
export const CHANGE_SKIP_MASK = 0x3f;
/** A head with no flags and the largest skip: moves on 64 players, changes nobody. */
export const CHANGE_SKIP_ONLY = CHANGE_SKIP_MASK;
/** Move byte meaning "this player's new state is in the escapes list". */
export const MOVE_ESCAPE = 0;
/** Move byte meaning "displacement unchanged" ((0 + 8) << 4 | (0 + 8)). */
export const MOVE_SAME = 0x88;
/** Largest change of per-snapshot displacement a moves byte can carry, per axis. */
export const MAX_MOVE_CHANGE = 7;
/** baseTick of a snapshot that deltas against nothing (the first one). */
export const NO_BASELINE = -1;

import {
  ESCAPE_FIELDS,
  FULL_ENTRY_FIELDS,
  copyMember,
  emptyCell,
  readEntry,
  readMotion,
  writeEntry,
  writeMotion,
  type CellMembers,
} from './cell.ts';
import type { EntityState } from './entity.ts';

/** Inclusive rectangle of visible cells, and the grid's width in cells (for cell ids). */
export interface ViewRect {
  cx0: number;
  cy0: number;
  cx1: number;
  cy1: number;
  cols: number;
}

export const cellId = (cx: number, cy: number, cols: number): number => cy * cols + cx;

export function inView(v: ViewRect | null, cell: number): boolean {
  if (!v) return false;
  const cx = cell % v.cols;
  const cy = (cell - cx) / v.cols;
  return cx >= v.cx0 && cx <= v.cx1 && cy >= v.cy0 && cy <= v.cy1;
}

/** Full block: [cell, 0, [id, X, Y, dX, dY, aim, ...]]. */
export interface FullCellBlock {
  cell: number;
  full: true;
  entries: number[];
}

/**
 * Delta block: [cell, 1, changes, escapes?, entered?, gone?]; trailing empty lists are
 * left out.
 * changes (bin): for each remaining player whose state changed, in index order, a head
 *   byte: skip | CHANGE_HAS_MOVE (a move byte follows) | CHANGE_HAS_AIM (then an aim
 *   byte follows), where skip (0..63) is how many players lie between this entry's and
 *   the previous entry's (or the start). A head with neither flag changes nobody: the
 *   encoder puts CHANGE_SKIP_ONLY heads in front of a gap longer than 63.
 *   Move byte: (ddX + 8) << 4 | (ddY + 8), the change of its displacement, each -7..7;
 *   MOVE_ESCAPE (0) when its new position and displacement are in escapes.
 *   Indices count the players remaining after `gone` is applied.
 * escapes: [index, X, Y, dX, dY, ...], index order.
 * entered: [id, X, Y, dX, dY, aim, ...] for players new to the cell, id order.
 * gone: indices (in the baseline's sorted list) of players no longer in the cell.
 * A remaining player without a change entry keeps its displacement and aim.
 */
export interface DeltaCellBlock {
  cell: number;
  full: false;
  changes: Uint8Array;
  escapes: number[];
  entered: number[];
  gone: number[];
}

export type CellBlock = FullCellBlock | DeltaCellBlock;

/** The array a full block packs as. */
export function encodeFullCell(cell: number, m: CellMembers): unknown[] {
  const entries: number[] = [];
  for (let i = 0; i < m.ids.length; i++) writeEntry(entries, m, i);
  return [cell, 0, entries];
}

/**
 * The array a delta block packs as, or null when the receiver can derive the cell
 * itself (nobody left, entered or changed), for a cell of any size.
 * consecutive: the baseline is the room's previous snapshot; otherwise every remaining
 * player is sent whole in escapes (its displacements in between are unknown to the
 * receiver).
 */
export function encodeCellDelta(cell: number, base: CellMembers, cur: CellMembers, consecutive: boolean): unknown[] | null {
  const gone: number[] = [];
  const changes: number[] = [];
  const escapes: number[] = [];
  const entered: number[] = [];
  let i = 0;
  let j = 0;
  let stay = 0;
  /** Remaining index of the last change entry's player. */
  let last = -1;
  // Merge the two id-sorted lists.
  while (i < base.ids.length || j < cur.ids.length) {
    const bi = i < base.ids.length ? base.ids[i]! : Infinity;
    const cj = j < cur.ids.length ? cur.ids[j]! : Infinity;
    if (bi < cj) {
      gone.push(i++);
    } else if (cj < bi) {
      writeEntry(entered, cur, j);
      j++;
    } else {
      const ddx = cur.dX[j]! - base.dX[i]!;
      const ddy = cur.dY[j]! - base.dY[i]!;
      const aimChanged = cur.aim[j] !== base.aim[i];
      const fits =
        consecutive &&
        cur.X[j] === base.X[i]! + cur.dX[j]! &&
        cur.Y[j] === base.Y[i]! + cur.dY[j]! &&
        ddx >= -MAX_MOVE_CHANGE &&
        ddx <= MAX_MOVE_CHANGE &&
        ddy >= -MAX_MOVE_CHANGE &&
        ddy <= MAX_MOVE_CHANGE;
      const move = fits ? ((ddx + 8) << 4) | (ddy + 8) : MOVE_ESCAPE;
      const moved = move !== MOVE_SAME;
      if (moved || aimChanged) {
        let skip = stay - last - 1;
        for (; skip > CHANGE_SKIP_MASK; skip -= CHANGE_SKIP_MASK + 1) changes.push(CHANGE_SKIP_ONLY);
        changes.push(skip | (moved ? CHANGE_HAS_MOVE : 0) | (aimChanged ? CHANGE_HAS_AIM : 0));
        last = stay;
        if (moved) changes.push(move);
        if (aimChanged) changes.push(cur.aim[j]!);
        if (move === MOVE_ESCAPE) {
          escapes.push(stay);
          writeMotion(escapes, cur, j);
        }
      }
      stay++;
      i++;
      j++;
    }
  }
  if (changes.length === 0 && entered.length === 0 && gone.length === 0) return null;
  const out: unknown[] = [cell, 1, Uint8Array.from(changes), escapes, entered, gone];
  while (out.length > 3 && (out[out.length - 1] as number[]).length === 0) out.pop();
  return out;
}

export class DeltaError extends Error {}

/**
 * The receiving end: keeps the visible cells and applies each snapshot's blocks to them.
 * A snapshot must delta against the last one applied; anything else is a DeltaError.
 */
export class SnapshotDecoder {
  readonly cells = new Map<number, CellMembers>();
  lastTick = NO_BASELINE;
  /** Phase 1's results: cell id, then its new members or a block to apply in place. */
  private readonly pending: (number | CellMembers | DeltaCellBlock)[] = [];
  private readonly blockCells = new Set<number>();
  view: ViewRect | null = null;

  /** posToWire: 1/REMOTE_POS_SCALE px -> 1/POS_SCALE px. velPerDisp: displacement -> 1/VEL_SCALE px/s. */
  constructor(
    private readonly posToWire: number,
    private readonly velPerDisp: number,
  ) {}

  apply(tick: number, baseTick: number, view: ViewRect, blocks: readonly CellBlock[]): void {
    if (baseTick !== NO_BASELINE && baseTick !== this.lastTick)
      throw new DeltaError(`snapshot ${tick} deltas against ${baseTick} but the last applied was ${this.lastTick}`);
    const fresh = baseTick === NO_BASELINE;
    const oldView = fresh ? null : this.view;
    // Phase 1 may throw and changes nothing: the new state of every cell that has a
    // block. Phase 2 cannot fail: it drops, advances and replaces in place. Only cells
    // with blocks allocate (a bot process applies tens of thousands of snapshots a second).
    const pending = this.pending;
    pending.length = 0;
    const byCell = this.blockCells;
    byCell.clear();
    for (const b of blocks) {
      if (!inView(view, b.cell)) throw new DeltaError(`block for cell ${b.cell} outside the view`);
      if (byCell.has(b.cell)) throw new DeltaError(`two blocks for cell ${b.cell}`);
      byCell.add(b.cell);
      if (b.full) pending.push(b.cell, fromFull(b));
      else {
        if (!inView(oldView, b.cell)) throw new DeltaError(`delta for cell ${b.cell}, which was not visible`);
        const prev = this.cells.get(b.cell);
        if (prev && b.gone.length === 0 && b.entered.length === 0) {
          // The common case, same players moving: check now, apply in place below.
          walkChanges(prev.ids.length, b, null);
          pending.push(b.cell, b);
        } else pending.push(b.cell, applyDelta(prev ?? EMPTY, b));
      }
    }
    if (fresh) this.cells.clear();
    for (const [id, m] of this.cells) {
      if (!inView(view, id)) this.cells.delete(id);
      else if (!byCell.has(id)) advance(m);
    }
    for (let k = 0; k < pending.length; k += 2) {
      const id = pending[k] as number;
      const next = pending[k + 1] as CellMembers | DeltaCellBlock;
      if ('changes' in next) {
        const m = this.cells.get(id)!;
        walkChanges(m.ids.length, next, m);
      } else if (next.ids.length > 0) this.cells.set(id, next);
      else this.cells.delete(id);
    }
    this.view = view;
    this.lastTick = tick;
  }

  /** Every visible player, resolved into wire units. */
  entities(out: EntityState[] = []): EntityState[] {
    out.length = 0;
    for (const m of this.cells.values()) {
      for (let i = 0; i < m.ids.length; i++) {
        out.push({
          id: m.ids[i]!,
          x: m.X[i]! * this.posToWire,
          y: m.Y[i]! * this.posToWire,
          vx: m.dX[i]! * this.velPerDisp,
          vy: m.dY[i]! * this.velPerDisp,
          aim: m.aim[i]! << REMOTE_AIM_SHIFT,
        });
      }
    }
    return out;
  }
}

function fromFull(b: FullCellBlock): CellMembers {
  const m = emptyCell();
  const e = b.entries;
  if (e.length % FULL_ENTRY_FIELDS !== 0) throw new DeltaError(`cell ${b.cell}: ragged full block`);
  for (let k = 0; k < e.length; k += FULL_ENTRY_FIELDS) {
    if (m.ids.length > 0 && e[k]! <= m.ids[m.ids.length - 1]!) throw new DeltaError(`cell ${b.cell}: ids not sorted`);
    readEntry(m, e, k);
  }
  return m;
}

/** A cell the snapshot left out: everyone keeps moving by the same displacement. */
function advance(m: CellMembers): void {
  for (let i = 0; i < m.ids.length; i++) {
    m.X[i]! += m.dX[i]!;
    m.Y[i]! += m.dY[i]!;
  }
}

const EMPTY: CellMembers = Object.freeze(emptyCell()) as CellMembers;

/**
 * Walk a delta block's change entries over the n players remaining in its cell: only
 * check them (into = null), or apply them to `into`, where players without an entry
 * keep moving by their displacement. A block that passes the check applies cleanly.
 */
function walkChanges(n: number, b: DeltaCellBlock, into: CellMembers | null): void {
  const ch = b.changes;
  let c = 0;
  let e = 0;
  // The remaining index the next head addresses (n or more: past the end, or none left).
  let at = ch.length > 0 ? ch[0]! & CHANGE_SKIP_MASK : n;
  for (let i = 0; i < n; i++) {
    if (at === i && c < ch.length) {
      const head = ch[c++]!;
      const mv = head & CHANGE_HAS_MOVE ? ch[c++] : MOVE_SAME;
      if (mv === undefined) throw new DeltaError(`cell ${b.cell}: truncated change`);
      if (mv === MOVE_ESCAPE) {
        if (b.escapes[e] !== i) throw new DeltaError(`cell ${b.cell}: escape out of order`);
        if (into) readMotion(into, i, b.escapes, e + 1);
        e += ESCAPE_FIELDS;
      } else if (into) {
        into.dX[i]! += (mv >> 4) - 8;
        into.dY[i]! += (mv & 15) - 8;
        into.X[i]! += into.dX[i]!;
        into.Y[i]! += into.dY[i]!;
      }
      if (head & CHANGE_HAS_AIM) {
        const aim = ch[c++];
        if (aim === undefined) throw new DeltaError(`cell ${b.cell}: truncated aim`);
        if (into) into.aim[i] = aim;
      }
      if (c < ch.length) at = i + 1 + (ch[c]! & CHANGE_SKIP_MASK);
    } else if (into) {
      into.X[i]! += into.dX[i]!;
      into.Y[i]! += into.dY[i]!;
    }
  }
  if (c !== ch.length) throw new DeltaError(`cell ${b.cell}: a change entry for index ${at}, beyond the ${n} remaining players`);
  if (e !== b.escapes.length) throw new DeltaError(`cell ${b.cell}: unused escapes`);
}

function applyDelta(prev: CellMembers, b: DeltaCellBlock): CellMembers {
  const stay = emptyCell();
  let g = 0;
  for (let i = 0; i < prev.ids.length; i++) {
    if (g < b.gone.length && b.gone[g] === i) {
      g++;
      continue;
    }
    copyMember(stay, prev, i);
  }
  if (g !== b.gone.length) throw new DeltaError(`cell ${b.cell}: bad gone list`);
  walkChanges(stay.ids.length, b, stay);
  if (b.entered.length === 0) return stay;
  // Merge the entered players (sorted by id) into the remaining ones.
  const entered = fromFull({ cell: b.cell, full: true, entries: b.entered });
  const out = emptyCell();
  let i = 0;
  let j = 0;
  while (i < stay.ids.length || j < entered.ids.length) {
    const takeStay = j >= entered.ids.length || (i < stay.ids.length && stay.ids[i]! < entered.ids[j]!);
    const src = takeStay ? stay : entered;
    const k = takeStay ? i++ : j++;
    if (!takeStay && i < stay.ids.length && stay.ids[i] === entered.ids[k]) throw new DeltaError(`cell ${b.cell}: player entered twice`);
    copyMember(out, src, k);
  }
  return out;
}
