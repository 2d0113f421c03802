/**
 * The snapshot cell: the players of one interest cell at one snapshot, as a struct of
 * parallel arrays sorted by id. CELL_FIELDS is its one field list, in wire order (a full
 * block's entry is exactly these six values); every loop that copies, packs or reorders
 * members, in delta.ts and the server's snapshot builder, goes through the helpers
 * below instead of naming the fields.
 */

/** The fields of a cell member, in the order a full block's entries carry them. */
export const CELL_FIELDS = ['ids', 'X', 'Y', 'dX', 'dY', 'aim'] as const;
export type CellField = (typeof CELL_FIELDS)[number];

/** The part of a member an escape carries, in wire order (after its index). */
export const MOTION_FIELDS = ['X', 'Y', 'dX', 'dY'] as const satisfies readonly CellField[];

/**
 * ids: player ids, ascending. X, Y: position, 1/REMOTE_POS_SCALE px. dX, dY: displacement
 * since the previous snapshot, same unit. aim: 0..31 (the aim byte >> REMOTE_AIM_SHIFT).
 */
export type CellMembers = { [F in CellField]: number[] };

/** Values per member in a full block / entered list, and per escape (index + motion). */
export const FULL_ENTRY_FIELDS = CELL_FIELDS.length;
export const ESCAPE_FIELDS = 1 + MOTION_FIELDS.length;

// A literal (the type makes it list every field) because it runs for every occupied
// cell on every capture.
export const emptyCell = (): CellMembers => ({ ids: [], X: [], Y: [], dX: [], dY: [], aim: [] });

// The helpers below are the only code that names the six fields one by one. They are
// written out rather than looped over CELL_FIELDS because they run per player per tick
// on both ends, where a keyed loop measured 2-3 times slower; cell.test.ts holds each
// of them to CELL_FIELDS, so a field added to the list and not here fails a test.

/** Append a member from its values, in CELL_FIELDS order. */
export function pushMember(m: CellMembers, id: number, X: number, Y: number, dX: number, dY: number, aim: number): void {
  m.ids.push(id);
  m.X.push(X);
  m.Y.push(Y);
  m.dX.push(dX);
  m.dY.push(dY);
  m.aim.push(aim);
}

/** Append member i of `from` to `to`. */
export function copyMember(to: CellMembers, from: CellMembers, i: number): void {
  pushMember(to, from.ids[i]!, from.X[i]!, from.Y[i]!, from.dX[i]!, from.dY[i]!, from.aim[i]!);
}

/** Append member i as wire values (a full block's or the entered list's entry). */
export function writeEntry(out: number[], m: CellMembers, i: number): void {
  out.push(m.ids[i]!, m.X[i]!, m.Y[i]!, m.dX[i]!, m.dY[i]!, m.aim[i]!);
}

/** Append the member whose entry starts at e[k]. */
export function readEntry(to: CellMembers, e: readonly number[], k: number): void {
  pushMember(to, e[k]!, e[k + 1]!, e[k + 2]!, e[k + 3]!, e[k + 4]!, e[k + 5]!);
}

/** Append member i's motion (an escape's values after its index). */
export function writeMotion(out: number[], m: CellMembers, i: number): void {
  out.push(m.X[i]!, m.Y[i]!, m.dX[i]!, m.dY[i]!);
}

/** Set member i's motion from the values starting at e[k]. */
export function readMotion(m: CellMembers, i: number, e: readonly number[], k: number): void {
  m.X[i] = e[k]!;
  m.Y[i] = e[k + 1]!;
  m.dX[i] = e[k + 2]!;
  m.dY[i] = e[k + 3]!;
}

/** Reorder every field by `order` (member order[j] becomes member j). */
export function permuteCell(m: CellMembers, order: readonly number[]): void {
  for (const f of CELL_FIELDS) {
    const src = m[f];
    m[f] = order.map((i) => src[i]!);
  }
}
