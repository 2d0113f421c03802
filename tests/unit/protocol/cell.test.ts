import { describe, it, expect } from 'vitest';
import {
  CELL_FIELDS,
  ESCAPE_FIELDS,
  FULL_ENTRY_FIELDS,
  MOTION_FIELDS,
  copyMember,
  emptyCell,
  permuteCell,
  pushMember,
  readEntry,
  readMotion,
  writeEntry,
  writeMotion,
  type CellMembers,
} from '../../../protocol/index.ts';

/** A cell whose every value says which field and member it is: field f of member i = 100 * f + i. */
function tagged(n: number): CellMembers {
  const m = emptyCell();
  for (let i = 0; i < n; i++) {
    const v = CELL_FIELDS.map((_, f) => 100 * f + i) as [number, number, number, number, number, number];
    pushMember(m, ...v);
  }
  return m;
}
const row = (m: CellMembers, i: number): number[] => CELL_FIELDS.map((f) => m[f][i]!);

describe('the snapshot cell: one field list, every helper held to it', () => {
  it('emptyCell has exactly the fields of CELL_FIELDS, and the block sizes follow from it', () => {
    expect(Object.keys(emptyCell())).toEqual([...CELL_FIELDS]);
    expect(FULL_ENTRY_FIELDS).toBe(CELL_FIELDS.length);
    expect(ESCAPE_FIELDS).toBe(1 + MOTION_FIELDS.length);
    for (const f of MOTION_FIELDS) expect(CELL_FIELDS).toContain(f);
  });

  it('pushMember takes the values in CELL_FIELDS order', () => {
    const m = tagged(3);
    for (let i = 0; i < 3; i++) expect(row(m, i)).toEqual(CELL_FIELDS.map((_, f) => 100 * f + i));
  });

  it('writeEntry / readEntry carry every field, in CELL_FIELDS order', () => {
    const m = tagged(4);
    const entries: number[] = [];
    for (let i = 0; i < 4; i++) writeEntry(entries, m, i);
    expect(entries).toEqual([0, 1, 2, 3].flatMap((i) => row(m, i)));
    const back = emptyCell();
    for (let k = 0; k < entries.length; k += FULL_ENTRY_FIELDS) readEntry(back, entries, k);
    expect(back).toEqual(m);
  });

  it('copyMember copies every field', () => {
    const m = tagged(3);
    const to = emptyCell();
    copyMember(to, m, 2);
    copyMember(to, m, 0);
    expect([row(to, 0), row(to, 1)]).toEqual([row(m, 2), row(m, 0)]);
  });

  it('writeMotion / readMotion carry exactly MOTION_FIELDS, in order, and nothing else', () => {
    const m = tagged(2);
    const out: number[] = [];
    writeMotion(out, m, 1);
    expect(out).toEqual(MOTION_FIELDS.map((f) => m[f][1]));
    const t = tagged(2);
    readMotion(t, 0, [7, 8, 9, 10], 0);
    expect(MOTION_FIELDS.map((f) => t[f][0])).toEqual([7, 8, 9, 10]);
    for (const f of CELL_FIELDS) if (!(MOTION_FIELDS as readonly string[]).includes(f)) expect(t[f][0]).toBe(m[f][0]);
  });

  it('permuteCell reorders every field together', () => {
    const m = tagged(3);
    const rows = [row(m, 0), row(m, 1), row(m, 2)];
    permuteCell(m, [2, 0, 1]);
    expect([row(m, 0), row(m, 1), row(m, 2)]).toEqual([rows[2], rows[0], rows[1]]);
  });
});
