/**
 * The snapshot cell: the players of one interest cell at one snapshot, as a struct of
 * parallel arrays sorted by id. CELL_FIELDS is its one field list, in wire order (a full
 * block's entry is exactly these six values); every loop that copies, packs or reorders
 * members goes through the helpers below, so a field added here is carried everywhere.
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

/** Append member i of `from` to `to`. */
export function copyMember(to: CellMembers, from: CellMembers, i: number): void {
  for (const f of CELL_FIELDS) to[f].push(from[f][i]!);
}

/** Append member i as wire values (a full block's or the entered list's entry). */
export function writeEntry(out: number[], m: CellMembers, i: number): void {
  for (const f of CELL_FIELDS) out.push(m[f][i]!);
}

/** Append the member whose entry starts at e[k]. */
export function readEntry(to: CellMembers, e: readonly number[], k: number): void {
  for (let f = 0; f < FULL_ENTRY_FIELDS; f++) to[CELL_FIELDS[f]!].push(e[k + f]!);
}

/** Append member i's motion (an escape's values after its index). */
export function writeMotion(out: number[], m: CellMembers, i: number): void {
  for (const f of MOTION_FIELDS) out.push(m[f][i]!);
}

/** Set member i's motion from the values starting at e[k]. */
export function readMotion(m: CellMembers, i: number, e: readonly number[], k: number): void {
  for (let f = 0; f < MOTION_FIELDS.length; f++) m[MOTION_FIELDS[f]!][i] = e[k + f]!;
}

/** Reorder every field by `order` (member order[j] becomes member j). */
export function permuteCell(m: CellMembers, order: readonly number[]): void {
  for (const f of CELL_FIELDS) {
    const src = m[f];
    m[f] = order.map((i) => src[i]!);
  }
}
