import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import {
  CHANGE_HAS_AIM,
  CHANGE_HAS_MOVE,
  DEAD_RECKONING_TOLERANCE,
  DeltaError,
  INTEREST_CELL_SIZE,
  Limits,
  CHANGE_SKIP_MASK,
  CHANGE_SKIP_ONLY,
  MOVE_ESCAPE,
  MOVE_SAME,
  NO_BASELINE,
  REMOTE_AIM_SHIFT,
  REMOTE_POS_SCALE,
  ServerKind,
  SnapshotDecoder,
  decodeServerMessage,
  emptyCell,
  pushMember,
  encodeCellBlock,
  encodeCellDelta,
  encodeFullCell,
  encodeSnapshot,
  inView,
  type CellBlock,
  type CellMembers,
  type EntityState,
  type SnapshotMsg,
  type ViewRect,
} from '../../../protocol/index.ts';
import { SnapshotBuilder, type ClientBaseline, type RemoteSource } from '../../../game-server/net/snapshot-builder.ts';
import { InterestGrid, VIEW_MARGIN } from '../../../game-server/net/interest-grid.ts';
import { makeRng, pick, randInt } from './prng.ts';
import { toHex } from './strict-msgpack.ts';

type Rng = () => number;
type Row = [id: number, X: number, Y: number, dX: number, dY: number, aim: number];

const members = (rows: Row[]): CellMembers => {
  const m = emptyCell();
  for (const [id, X, Y, dX, dY, aim] of rows) pushMember(m, id, X, Y, dX, dY, aim);
  return m;
};

const moveByte = (ddx: number, ddy: number): number => ((ddx + 8) << 4) | (ddy + 8);

/** Decoder in raw wire units: x, y = X, Y (1/REMOTE_POS_SCALE px), vx, vy = displacement per snapshot. */
const rawDecoder = (): SnapshotDecoder => new SnapshotDecoder(1, 1);
const byId = (list: EntityState[]): EntityState[] => list.sort((a, b) => a.id - b.id);

/** Through the real codec, as a client receives it. */
function viaWire(tick: number, baseTick: number, view: ViewRect, blocks: readonly Uint8Array[]): SnapshotMsg {
  const frame = encodeSnapshot(tick, tick * 33, 0, baseTick, { x: 0, y: 0, vx: 0, vy: 0 }, view, blocks);
  const msg = decodeServerMessage(frame);
  if (msg.kind !== ServerKind.Snapshot) throw new Error('not a snapshot');
  return msg;
}

/** Apply base (fresh) then the delta from base to cur, through the wire; the decoder's cell afterwards. */
function deltaRoundTrip(base: CellMembers, cur: CellMembers): CellMembers | undefined {
  const view = { cx0: 0, cy0: 0, cx1: 3, cy1: 0, cols: 4 };
  const d = rawDecoder();
  d.apply(1, NO_BASELINE, view, viaWire(1, NO_BASELINE, view, [encodeCellBlock(encodeFullCell(3, base))]).blocks);
  const arr = encodeCellDelta(3, base, cur, true);
  d.apply(2, 1, view, viaWire(2, 1, view, arr ? [encodeCellBlock(arr)] : []).blocks);
  return d.cells.get(3);
}

describe('cell block encoders', () => {
  it('a full block is [cell, 0, [id, X, Y, dX, dY, aim, ...]] in id order', () => {
    const m = members([
      [3, 10, 20, 1, -1, 5],
      [8, 600, 700, 0, 0, 31],
    ]);
    expect(encodeFullCell(42, m)).toEqual([42, 0, [3, 10, 20, 1, -1, 5, 8, 600, 700, 0, 0, 31]]);
    expect(encodeFullCell(0, emptyCell())).toEqual([0, 0, []]);
  });

  it('a delta block: change heads (skip | flags) with their move and aim bytes, escapes, entered, gone', () => {
    const base = members([
      [3, 100, 100, 4, 4, 10],
      [5, 200, 200, 0, 0, 20],
      [9, 300, 300, 2, 0, 30],
      [10, 50, 50, 1, 1, 1],
    ]);
    const cur = members([
      [3, 105, 102, 5, 2, 11], // displacement changed by (+1, -2), aim changed
      [9, 900, 50, 3, 0, 30], // teleported: an escape
      [10, 51, 51, 1, 1, 1], // kept moving as before: no entry at all
      [11, 400, 400, -3, 7, 4], // new in the cell
    ]);
    const block = encodeCellDelta(7, base, cur, true);
    expect(block).toEqual([
      7,
      1,
      // Remaining [3, 9, 10]: index 0, then index 1 (skipping nobody).
      Uint8Array.from([0 | CHANGE_HAS_MOVE | CHANGE_HAS_AIM, moveByte(1, -2), 11, 0 | CHANGE_HAS_MOVE, MOVE_ESCAPE]),
      [1, 900, 50, 3, 0],
      [11, 400, 400, -3, 7, 4],
      [1],
    ]);
    expect(deltaRoundTrip(base, cur)).toEqual(cur);
  });

  it('leaves out trailing empty lists', () => {
    const base = members([[1, 0, 0, 0, 0, 0], [2, 9, 9, 0, 0, 0]]);
    expect(encodeCellDelta(0, base, members([[1, 0, 0, 0, 0, 5], [2, 9, 9, 0, 0, 0]]), true)).toEqual([
      0,
      1,
      Uint8Array.from([CHANGE_HAS_AIM, 5]),
    ]);
    expect(encodeCellDelta(0, base, members([[2, 9, 9, 0, 0, 0]]), true)).toEqual([0, 1, new Uint8Array(0), [], [], [0]]);
    expect(encodeCellDelta(0, base, members([[1, 0, 0, 0, 0, 0], [2, 9, 9, 0, 0, 0], [4, 1, 1, 0, 0, 0]]), true)).toEqual([
      0,
      1,
      new Uint8Array(0),
      [],
      [4, 1, 1, 0, 0, 0],
    ]);
  });

  it('the largest displacement change a move byte carries is ±7 per axis; beyond that it escapes', () => {
    const base = members([[1, 0, 0, 0, 0, 0]]);
    for (const [d, escapes] of [
      [1, false],
      [7, false],
      [-7, false],
      [8, true],
      [-8, true],
    ] as const) {
      const cur = members([[1, d, -d, d, -d, 0]]);
      const changes = encodeCellDelta(0, base, cur, true)![2] as Uint8Array;
      expect(changes[0], `change ${d}`).toBe(CHANGE_HAS_MOVE);
      expect(changes[1], `change ${d}`).toBe(escapes ? MOVE_ESCAPE : moveByte(d, -d));
      expect(deltaRoundTrip(base, cur)).toEqual(cur);
    }
    expect(moveByte(0, 0)).toBe(MOVE_SAME);
  });

  it('is null exactly when the receiver would extrapolate the cell correctly', () => {
    const base = members([
      [1, 100, 100, 4, -2, 10],
      [2, 50, 50, 0, 0, 20],
    ]);
    const same = members([
      [1, 104, 98, 4, -2, 10],
      [2, 50, 50, 0, 0, 20],
    ]);
    expect(encodeCellDelta(0, base, same, true)).toBeNull();
    expect(deltaRoundTrip(base, same)).toEqual(same);
    expect(encodeCellDelta(0, emptyCell(), emptyCell(), true)).toBeNull();
    // Any one difference makes a block.
    const variants: Row[][] = [
      [[1, 104, 98, 4, -2, 10], [2, 50, 50, 0, 0, 21]],
      [[1, 105, 98, 5, -2, 10], [2, 50, 50, 0, 0, 20]],
      [[1, 104, 98, 4, -2, 10]],
      [[1, 104, 98, 4, -2, 10], [2, 50, 50, 0, 0, 20], [3, 0, 0, 0, 0, 0]],
    ];
    for (const v of variants) {
      expect(encodeCellDelta(0, base, members(v), true)).not.toBeNull();
      expect(deltaRoundTrip(base, members(v))).toEqual(members(v));
    }
    // Against an older baseline the displacement in between is unknown: everyone escapes.
    const old = encodeCellDelta(0, base, same, false)!;
    expect([...(old[2] as Uint8Array)]).toEqual([CHANGE_HAS_MOVE, MOVE_ESCAPE, CHANGE_HAS_MOVE, MOVE_ESCAPE]);
    expect(old[3]).toEqual([0, 104, 98, 4, -2, 1, 50, 50, 0, 0]);
  });

  it('heads count skipped players, so a cell of any size is a delta; a gap over 63 costs a flagless head per 64', () => {
    const rows = (n: number): Row[] => Array.from({ length: n }, (_, i): Row => [i + 1, i * 10, 0, 1, 0, 0]);
    const base = members(rows(300));
    const cur = members(rows(300).map(([id, X, Y, dX, dY, aim]): Row => [id, X + dX, Y + dY, dX, dY, aim]));
    // Aim changes at indices 0, 64 (63 skipped), 129 (64 skipped) and 299 (169 skipped).
    for (const i of [0, 64, 129, 299]) cur.aim[i] = 7;
    const block = encodeCellDelta(5, base, cur, true)!;
    expect(block[1]).toBe(1);
    const A = CHANGE_HAS_AIM;
    expect([...(block[2] as Uint8Array)]).toEqual([
      A | 0, 7,
      A | 63, 7,
      CHANGE_SKIP_ONLY, A | 0, 7,
      CHANGE_SKIP_ONLY, CHANGE_SKIP_ONLY, A | (169 - 128), 7,
    ]);
    expect(block.length).toBe(3);
    expect(deltaRoundTrip(base, cur)).toEqual(cur);
    // protocol/README.md §6 gives these very bytes as its example.
    const readme = readFileSync(new URL('../../../protocol/README.md', import.meta.url), 'utf8').replace(/\s+/g, ' ');
    expect(readme).toContain(`\`changes\` is \`${toHex(block[2] as Uint8Array).replace(/(..)(?!$)/g, '$1 ')}\``);
    // Nobody changed: nothing, at any size.
    const still = members(rows(1000).map(([id, X, Y, dX, dY, aim]): Row => [id, X + dX, Y + dY, dX, dY, aim]));
    expect(encodeCellDelta(5, members(rows(1000)), still, true)).toBeNull();
    expect(CHANGE_SKIP_ONLY & (CHANGE_HAS_AIM | CHANGE_HAS_MOVE)).toBe(0);
    expect(CHANGE_SKIP_MASK).toBe(63);
  });

  it('random cells of up to 1,000 players: applying the delta to the baseline gives exactly the new cell, in bytes that follow the changes', () => {
    const rng = makeRng(1717);
    for (let k = 0; k < 120; k++) {
      const n = randInt(rng, 60, 1000);
      const ids = [...new Set(Array.from({ length: n }, () => randInt(rng, 1, 1200)))].sort((a, b) => a - b);
      const base = members(ids.map((id): Row => [id, randInt(rng, 0, 1023), randInt(rng, 0, 1023), randInt(rng, -20, 20), randInt(rng, -20, 20), randInt(rng, 0, 31)]));
      const share = rng() * 0.5;
      const rows: Row[] = [];
      let changed = 0;
      for (let i = 0; i < base.ids.length; i++) {
        if (rng() < 0.02) continue;
        const r = rng();
        const still = r >= share;
        if (!still) changed++;
        const dX = still ? base.dX[i]! : base.dX[i]! + randInt(rng, -9, 9);
        const dY = still ? base.dY[i]! : base.dY[i]! + randInt(rng, -9, 9);
        rows.push([base.ids[i]!, base.X[i]! + dX, base.Y[i]! + dY, dX, dY, !still && rng() < 0.5 ? randInt(rng, 0, 31) : base.aim[i]!]);
      }
      for (let id = 1201; id < 1210; id++) if (rng() < 0.2) rows.push([id, randInt(rng, 0, 1023), randInt(rng, 0, 1023), 0, 0, 3]);
      const cur = members(rows);
      const arr = encodeCellDelta(3, base, cur, true);
      expect(deltaRoundTrip(base, cur), `case ${k}`).toEqual(cur);
      if (arr) {
        // At most head + move + aim per changed player, plus a flagless head per 64 players.
        expect((arr[2] as Uint8Array).length).toBeLessThanOrEqual(3 * changed + Math.ceil(base.ids.length / 64));
      }
      // Against an older baseline too: everyone escapes, still a delta, still exact.
      const view = { cx0: 0, cy0: 0, cx1: 3, cy1: 0, cols: 4 };
      const d = rawDecoder();
      d.apply(1, NO_BASELINE, view, viaWire(1, NO_BASELINE, view, [encodeCellBlock(encodeFullCell(3, base))]).blocks);
      const older = encodeCellDelta(3, base, cur, false)!;
      expect(older[1]).toBe(1);
      d.apply(3, 1, view, viaWire(3, 1, view, [encodeCellBlock(older)]).blocks);
      expect(d.cells.get(3)).toEqual(cur);
    }
  });

  it('random cell pairs: applying the delta to the baseline gives exactly the new cell', () => {
    const rng = makeRng(4242);
    const randomCell = (ids: number[]): CellMembers =>
      members(ids.map((id): Row => [id, randInt(rng, 0, 5000), randInt(rng, 0, 5000), randInt(rng, -20, 20), randInt(rng, -20, 20), randInt(rng, 0, 31)]));
    let nullBlocks = 0;
    for (let k = 0; k < 3000; k++) {
      const ids = [...new Set(Array.from({ length: randInt(rng, 0, 12) }, () => randInt(rng, 1, 30)))].sort((a, b) => a - b);
      const base = randomCell(ids);
      // Keep, drop or add players; keep most moving as before, nudge some, teleport a few.
      const rows: Row[] = [];
      for (let i = 0; i < base.ids.length; i++) {
        if (rng() < 0.15) continue;
        const r = rng();
        const dX = r < 0.6 ? base.dX[i]! : r < 0.9 ? base.dX[i]! + randInt(rng, -7, 7) : randInt(rng, -200, 200);
        const dY = r < 0.6 ? base.dY[i]! : r < 0.9 ? base.dY[i]! + randInt(rng, -7, 7) : randInt(rng, -200, 200);
        const teleport = rng() < 0.05;
        rows.push([base.ids[i]!, teleport ? randInt(rng, 0, 5000) : base.X[i]! + dX, teleport ? 7 : base.Y[i]! + dY, dX, dY, rng() < 0.1 ? randInt(rng, 0, 31) : base.aim[i]!]);
      }
      for (let id = 31; id < 34; id++) if (rng() < 0.1) rows.push([id, randInt(rng, 0, 5000), randInt(rng, 0, 5000), 0, 0, 3]);
      const cur = members(rows);
      if (encodeCellDelta(3, base, cur, true) === null) nullBlocks++;
      const got = deltaRoundTrip(base, cur);
      if (cur.ids.length === 0) expect(got).toBeUndefined();
      else expect(got, `case ${k}`).toEqual(cur);
    }
    expect(nullBlocks).toBeGreaterThan(100);
  });
});

describe('SnapshotDecoder rejects what it cannot apply (DeltaError) and stays as it was', () => {
  const view = { cx0: 0, cy0: 0, cx1: 1, cy1: 1, cols: 4 };
  const start = (): SnapshotDecoder => {
    const d = rawDecoder();
    d.apply(10, NO_BASELINE, view, [
      { cell: 0, full: true, entries: [1, 10, 10, 1, 0, 0, 2, 20, 20, 0, 0, 0] },
      { cell: 5, full: true, entries: [3, 600, 600, 0, 1, 9] },
    ]);
    return d;
  };
  const delta = (cell: number, over: Partial<Extract<CellBlock, { full: false }>>): CellBlock => ({
    cell,
    full: false,
    changes: new Uint8Array(0),
    escapes: [],
    entered: [],
    gone: [],
    ...over,
  });
  const M = CHANGE_HAS_MOVE;
  const A = CHANGE_HAS_AIM;

  const cases: [string, (d: SnapshotDecoder) => void][] = [
    ['a baseTick older than the last applied', (d) => d.apply(12, 9, view, [])],
    ['a baseTick newer than the last applied', (d) => d.apply(12, 11, view, [])],
    ['a baseTick of a snapshot never applied', (d) => d.apply(12, 1234, view, [])],
    [
      'a delta block for a cell that was not visible',
      (d) => d.apply(11, 10, { cx0: 0, cy0: 0, cx1: 2, cy1: 1, cols: 4 }, [delta(2, { entered: [7, 1, 1, 0, 0, 0] })]),
    ],
    ['a delta block for a visible cell after a fresh start', (d) => d.apply(11, NO_BASELINE, view, [delta(0, { entered: [7, 1, 1, 0, 0, 0] })])],
    ['a block for a cell outside the view', (d) => d.apply(11, 10, view, [{ cell: 2, full: true, entries: [7, 1, 1, 0, 0, 0] }])],
    ['a change for an index past the remaining players', (d) => d.apply(11, 10, view, [delta(0, { changes: Uint8Array.from([2 | A, 4]) })])],
    ['a change for a player that left', (d) => d.apply(11, 10, view, [delta(0, { gone: [1], changes: Uint8Array.from([1 | A, 4]) })])],
    ['a second change running past the remaining players', (d) => d.apply(11, 10, view, [delta(0, { changes: Uint8Array.from([1 | A, 4, 0 | A, 4]) })])],
    ['a skip-only head running past the remaining players', (d) => d.apply(11, 10, view, [delta(0, { changes: Uint8Array.from([CHANGE_SKIP_ONLY]) })])],
    ['a move flag with no move byte', (d) => d.apply(11, 10, view, [delta(0, { changes: Uint8Array.from([0 | M]) })])],
    ['an aim flag with no aim byte', (d) => d.apply(11, 10, view, [delta(0, { changes: Uint8Array.from([0 | M, 0x88, 1 | A]) })])],
    ['an escape byte with no escape', (d) => d.apply(11, 10, view, [delta(0, { changes: Uint8Array.from([1 | M, MOVE_ESCAPE]) })])],
    ['an escape for another index', (d) => d.apply(11, 10, view, [delta(0, { changes: Uint8Array.from([1 | M, MOVE_ESCAPE]), escapes: [0, 1, 1, 0, 0] })])],
    ['an escape no change refers to', (d) => d.apply(11, 10, view, [delta(0, { escapes: [1, 0, 0, 0, 0] })])],
    ['a gone index past the end', (d) => d.apply(11, 10, view, [delta(0, { gone: [2] })])],
    ['gone indices out of order', (d) => d.apply(11, 10, view, [delta(0, { gone: [1, 0] })])],
    ['a player entering a cell it is already in', (d) => d.apply(11, 10, view, [delta(0, { entered: [2, 0, 0, 0, 0, 0] })])],
    ['a ragged full block', (d) => d.apply(11, NO_BASELINE, view, [{ cell: 0, full: true, entries: [1, 2, 3, 4, 5] }])],
    ['a full block not sorted by id', (d) => d.apply(11, NO_BASELINE, view, [{ cell: 0, full: true, entries: [2, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0] }])],
  ];

  it.each(cases)('%s', (_, bad) => {
    const d = start();
    const before = byId(d.entities());
    expect(() => bad(d)).toThrow(DeltaError);
    expect(d.lastTick).toBe(10);
    expect(d.view).toEqual(view);
    expect(byId(d.entities())).toEqual(before);
    // Still usable: the next good delta applies (player 1 keeps moving by +1 in X).
    d.apply(11, 10, view, []);
    expect(d.entities().find((e) => e.id === 1)).toMatchObject({ x: 11, y: 10 });
  });

  it('the same blocks, well formed, are accepted (so each case above fails for its own reason)', () => {
    const d = start();
    d.apply(11, 10, view, [delta(0, { changes: Uint8Array.from([0 | M | A, moveByte(1, 0), 4, 0 | M, MOVE_ESCAPE]), escapes: [1, 70, 70, 0, 0] })]);
    expect(byId(d.entities()).slice(0, 2)).toEqual([
      { id: 1, x: 12, y: 10, vx: 2, vy: 0, aim: 4 << REMOTE_AIM_SHIFT },
      { id: 2, x: 70, y: 70, vx: 0, vy: 0, aim: 0 },
    ]);
  });

  it('baseTick -1 starts over whatever came before', () => {
    const d = start();
    d.apply(50, NO_BASELINE, view, [{ cell: 1, full: true, entries: [9, 300, 0, 0, 0, 1] }]);
    expect(d.entities().map((e) => e.id)).toEqual([9]);
    expect(d.lastTick).toBe(50);
  });
});

// ---- a simulated world feeding the real SnapshotBuilder ----

const CELLS = 12;
const CELL_Q = INTEREST_CELL_SIZE * 8;
const MAP_PX = CELLS * INTEREST_CELL_SIZE;
/** Entity positions are kept in 1/8 px, as the server's state is. */
const Q = 8;

/** A square map of `cells` x `cells` interest cells, and the population the world keeps between. */
interface Geometry {
  cells: number;
  mapPx: number;
  mapQ: number;
  minPlayers: number;
  maxPlayers: number;
}
const geometry = (cells: number, minPlayers: number, maxPlayers: number): Geometry => ({
  cells,
  mapPx: cells * INTEREST_CELL_SIZE,
  mapQ: cells * INTEREST_CELL_SIZE * Q,
  minPlayers,
  maxPlayers,
});
/** The usual world: 12 x 12 cells, 30 to 80 players spread over them. */
const SPREAD = geometry(CELLS, 30, 80);

type Mode = 'walk' | 'straight' | 'stop' | 'border';
interface Ent extends EntityState {
  mode: Mode;
  left: number;
}

class World {
  readonly ents: Ent[] = [];
  private nextId = 1;
  private readonly departed: number[] = [];
  stats = { teleports: 0, joins: 0, leaves: 0, rejoins: 0, borderCrossings: 0 };

  constructor(
    private readonly rng: Rng,
    count: number,
    private readonly g: Geometry = SPREAD,
  ) {
    for (let i = 0; i < count; i++) this.join();
  }

  private join(): void {
    let id: number;
    if (this.departed.length > 0 && this.rng() < 0.2) {
      id = this.departed.splice(randInt(this.rng, 0, this.departed.length - 1), 1)[0]!;
      this.stats.rejoins++;
    } else id = this.nextId++;
    const e: Ent = { id, x: 0, y: 0, vx: 0, vy: 0, aim: randInt(this.rng, 0, 255), mode: 'stop', left: 0 };
    this.place(e);
    this.newMode(e);
    this.ents.push(e);
    this.stats.joins++;
  }

  private place(e: Ent): void {
    const r = this.rng();
    if (r < 0.3 && this.g.cells > 1) {
      // Right on a cell border (or the corner of four cells).
      e.x = randInt(this.rng, 1, this.g.cells - 1) * CELL_Q;
      e.y = r < 0.15 ? randInt(this.rng, 1, this.g.cells - 1) * CELL_Q : randInt(this.rng, 0, this.g.mapQ - 1);
    } else if (r < 0.4) {
      // Against the map's edge.
      e.x = pick(this.rng, [0, this.g.mapQ - 1, randInt(this.rng, 0, this.g.mapQ - 1)]);
      e.y = pick(this.rng, [0, this.g.mapQ - 1]);
    } else {
      e.x = randInt(this.rng, 0, this.g.mapQ - 1);
      e.y = randInt(this.rng, 0, this.g.mapQ - 1);
    }
  }

  private newMode(e: Ent): void {
    const r = this.rng();
    e.mode = r < 0.3 ? 'walk' : r < 0.6 ? 'straight' : r < 0.8 ? 'stop' : 'border';
    e.left = randInt(this.rng, 10, 150);
    if (e.mode === 'straight') {
      // Mostly whole 1/2 px per snapshot, so the quantized displacement is exactly constant;
      // some not, so it alternates.
      const unit = this.rng() < 0.8 ? 4 : 1;
      e.vx = randInt(this.rng, -16, 16) * unit;
      e.vy = randInt(this.rng, -16, 16) * unit;
    } else if (e.mode === 'stop') {
      e.vx = 0;
      e.vy = 0;
    } else if (e.mode === 'border') {
      // A one-cell map has no border inside: back and forth along its edge instead.
      e.x = Math.min(this.g.mapQ - 1, randInt(this.rng, 1, Math.max(1, this.g.cells - 1)) * CELL_Q + randInt(this.rng, -3, 3));
      e.vx = pick(this.rng, [-1, 1]) * randInt(this.rng, 1, 24);
      e.vy = 0;
    }
  }

  step(): void {
    const rng = this.rng;
    for (const e of this.ents) {
      if (--e.left <= 0) this.newMode(e);
      if (e.mode === 'walk') {
        e.vx = Math.max(-64, Math.min(64, e.vx + randInt(rng, -6, 6)));
        e.vy = Math.max(-64, Math.min(64, e.vy + randInt(rng, -6, 6)));
        if (rng() < 0.03) e.vx = -e.vx; // a hard turn: too big for a move byte
        if (rng() < 0.2) e.aim = (e.aim + randInt(rng, -20, 20) + 256) % 256;
      } else if (e.mode === 'border') {
        // Back and forth across the border.
        if (rng() < 0.5) e.vx = -e.vx;
      } else if (rng() < 0.01) e.aim = randInt(rng, 0, 255);
      if (rng() < 0.008) {
        this.place(e);
        this.stats.teleports++;
      } else {
        const cx = Math.floor(e.x / CELL_Q);
        e.x += e.vx;
        e.y += e.vy;
        if (e.x < 0 || e.x >= this.g.mapQ) {
          e.vx = -e.vx;
          e.x = Math.max(0, Math.min(this.g.mapQ - 1, e.x));
        }
        if (e.y < 0 || e.y >= this.g.mapQ) {
          e.vy = -e.vy;
          e.y = Math.max(0, Math.min(this.g.mapQ - 1, e.y));
        }
        if (Math.floor(e.x / CELL_Q) !== cx) this.stats.borderCrossings++;
      }
    }
    // Joins and leaves, now and then several at once.
    const burst = rng() < 0.02 ? randInt(rng, 2, 6) : 1;
    for (let k = 0; k < burst; k++) {
      if (this.ents.length > this.g.minPlayers && rng() < 0.06) {
        const gone = this.ents.splice(randInt(rng, 0, this.ents.length - 1), 1)[0]!;
        this.departed.push(gone.id);
        this.stats.leaves++;
      }
      if (this.ents.length < this.g.maxPlayers && rng() < 0.06) this.join();
    }
  }

  /** What the room hands the builder; sometimes not in id order. */
  sources(): RemoteSource[] {
    const list = this.ents.map((e) => ({ id: e.id, x: e.x / Q, y: e.y / Q, aim: e.aim }));
    if (this.rng() < 0.5) list.sort((a, b) => a.id - b.id);
    return list;
  }

  byId(): Map<number, Ent> {
    return new Map(this.ents.map((e) => [e.id, e]));
  }
}

interface VirtualClient {
  name: string;
  decoder: SnapshotDecoder;
  baseline: ClientBaseline;
  w: number;
  h: number;
  /** The player's position the view is placed around, px; called once per snapshot. */
  centre: (tick: number) => { x: number; y: number };
  skip: (tick: number) => boolean;
}

interface RunStats {
  frames: number;
  deltaBytes: number;
  fullBytes: number;
  /** Block bytes only (frame minus header), for snapshots against the previous one. */
  nextDeltaPayload: number;
  nextFullPayload: number;
  /** Players seen in those snapshots (against the previous one). */
  nextSeen: number;
  /** Full blocks for a cell the client already saw, against a baseline it had: must be 0. */
  fullInKeptView: number;
  /** The most players one cell held in any snapshot. */
  maxCell: number;
  skipped: number;
  restarts: number;
  fullBlocks: number;
  deltaBlocks: number;
  escapes: number;
  /** Cells visible in consecutive applied snapshots, occupied before, and sent no block. */
  leftOut: number;
  keptVisibleOccupied: number;
  entitiesChecked: number;
  maxError: number;
  interestViolations: string[];
  edgeViews: number;
  world: World['stats'];
}

const clampView = (w: number, h: number): [number, number] => [
  Math.min(Limits.MAX_VIEW_WIDTH, Math.max(Limits.MIN_VIEW_WIDTH, w)),
  Math.min(Limits.MAX_VIEW_HEIGHT, Math.max(Limits.MIN_VIEW_HEIGHT, h)),
];

/** The camera the view is placed around: centred on the player, never past the map's edges. */
const camera = (p: number, size: number, map: number): number =>
  size >= map ? map / 2 : Math.min(map - size / 2, Math.max(size / 2, p));

const cellOf = (X: number, cells: number): number => Math.min(cells - 1, Math.max(0, Math.floor(X / REMOTE_POS_SCALE / INTEREST_CELL_SIZE)));

function runWorld(seed: number, ticks: number, g: Geometry = SPREAD, players = 55): RunStats {
  const rng = makeRng(seed);
  const grid = new InterestGrid(g.mapPx, g.mapPx);
  expect(grid.cols).toBe(g.cells);
  // Eight frames of history (the server keeps more, for the budget's older cell copies):
  // the skip bursts below are sized to run past eight, so restarts are exercised.
  const builder = new SnapshotBuilder(grid, 8);
  const world = new World(rng, players, g);

  const follower = (): ((tick: number) => { x: number; y: number }) => {
    let id = -1;
    return () => {
      let e = world.ents.find((x) => x.id === id);
      if (!e) {
        e = pick(rng, world.ents);
        id = e.id;
      }
      return { x: e.x / Q, y: e.y / Q };
    };
  };
  const newClient = (c: Omit<VirtualClient, 'decoder' | 'baseline'>): VirtualClient => ({
    ...c,
    decoder: rawDecoder(),
    baseline: { tick: NO_BASELINE, view: null },
  });
  let burstUntil = -1;
  let jump = { x: 0, y: 0 };
  let shortUntil = -1;
  const resizing = newClient({ name: 'follower, resizing', w: 1280, h: 720, centre: follower(), skip: () => rng() < 0.05 });
  const clients: VirtualClient[] = [
    newClient({ name: 'follower 1280x720', w: 1280, h: 720, centre: follower(), skip: () => false }),
    newClient({ name: 'follower min view, skips 20%', w: 320, h: 240, centre: follower(), skip: () => rng() < 0.2 }),
    newClient({
      name: 'walks along the map edge, 1920x1080',
      w: 1920,
      h: 1080,
      centre: (t) => {
        const s = (t * 3) % (4 * g.mapPx);
        const a = s % g.mapPx;
        const edge = [
          { x: a, y: 0 },
          { x: g.mapPx - 1, y: a },
          { x: g.mapPx - 1 - a, y: g.mapPx - 1 },
          { x: 0, y: g.mapPx - 1 - a },
        ];
        return edge[Math.floor(s / g.mapPx)]!;
      },
      skip: () => rng() < 0.1,
    }),
    newClient({
      name: 'jumping view, bursts of skips past the history',
      w: 1920,
      h: 1080,
      centre: (t) => {
        if (t % 97 === 0) jump = { x: pick(rng, [0, g.mapPx - 1, rng() * g.mapPx]), y: pick(rng, [0, g.mapPx - 1, rng() * g.mapPx]) };
        return jump;
      },
      skip: (t) => {
        if (t % 600 === 300) burstUntil = t + 80;
        return t < burstUntil || rng() < 0.05;
      },
    }),
    newClient({
      name: 'bottom-right corner, short skip bursts',
      w: 800,
      h: 600,
      centre: () => ({ x: g.mapPx - 1, y: g.mapPx - 1 }),
      skip: (t) => {
        if (t >= shortUntil && rng() < 0.02) shortUntil = t + 2 * randInt(rng, 2, 31);
        return t < shortUntil;
      },
    }),
    newClient({ name: 'max view, skips 30%', w: 2560, h: 1600, centre: follower(), skip: () => rng() < 0.3 }),
    resizing,
  ];

  const stats: RunStats = {
    frames: 0,
    deltaBytes: 0,
    fullBytes: 0,
    nextDeltaPayload: 0,
    nextFullPayload: 0,
    nextSeen: 0,
    fullInKeptView: 0,
    maxCell: 0,
    skipped: 0,
    restarts: 0,
    fullBlocks: 0,
    deltaBlocks: 0,
    escapes: 0,
    leftOut: 0,
    keptVisibleOccupied: 0,
    entitiesChecked: 0,
    maxError: 0,
    interestViolations: [],
    edgeViews: 0,
    world: world.stats,
  };
  const blocks: Uint8Array[] = [];
  const fullBlocks: Uint8Array[] = [];
  const key = (r: EntityState): string => `${r.id}:${r.x}:${r.y}:${r.vx}:${r.vy}:${r.aim}`;

  for (let i = 0; i < ticks; i++) {
    // Snapshot ticks need not be consecutive simulation ticks.
    const tick = 1000 + i * 2;
    if (i > 0) world.step();
    builder.capture(tick, world.sources());
    const truth = world.byId();
    if (i % 150 === 75) [resizing.w, resizing.h] = clampView(randInt(rng, 100, 4000), randInt(rng, 100, 3000));

    for (const c of clients) {
      const centre = c.centre(tick);
      if (c.skip(tick)) {
        stats.skipped++;
        continue;
      }
      const view = grid.viewAround(centre.x, centre.y, c.w, c.h);
      const baseTick = builder.blocksFor(view, c.baseline, blocks);
      if (c.baseline.tick !== NO_BASELINE && baseTick === NO_BASELINE) stats.restarts++;
      const frame = encodeSnapshot(tick, tick * 33, 0, baseTick, { x: 0, y: 0, vx: 0, vy: 0 }, view, blocks);
      const msg = decodeServerMessage(frame) as SnapshotMsg;
      const prevView = c.decoder.view;
      const prevCells = new Set(c.decoder.cells.keys());
      c.decoder.apply(msg.tick, msg.baseTick, msg.view, msg.blocks);
      c.baseline.tick = tick;
      c.baseline.view = view;
      const got = byId(c.decoder.entities());
      stats.entitiesChecked += got.length;

      // The server's state for this view, sent whole (full blocks only): what the deltas
      // must reproduce exactly, every player in the visible cells and nobody else.
      builder.blocksFor(view, { tick: NO_BASELINE, view: null }, fullBlocks);
      const fullFrame = encodeSnapshot(tick, tick * 33, 0, NO_BASELINE, { x: 0, y: 0, vx: 0, vy: 0 }, view, fullBlocks);
      const ref = rawDecoder();
      const fullMsg = decodeServerMessage(fullFrame) as SnapshotMsg;
      expect(fullMsg.blocks.every((b) => b.full)).toBe(true);
      ref.apply(tick, NO_BASELINE, view, fullMsg.blocks);
      const want = byId(ref.entities());
      if (got.map(key).join() !== want.map(key).join()) expect(got, `${c.name}, tick ${tick}, base ${baseTick}`).toEqual(want);
      stats.frames++;
      stats.deltaBytes += frame.byteLength;
      stats.fullBytes += fullFrame.byteLength;
      if (baseTick === tick - 2) {
        const header = (b: number): number => encodeSnapshot(tick, tick * 33, 0, b, { x: 0, y: 0, vx: 0, vy: 0 }, view, []).byteLength;
        stats.nextDeltaPayload += frame.byteLength - header(baseTick);
        stats.nextFullPayload += fullFrame.byteLength - header(NO_BASELINE);
        stats.nextSeen += want.length;
      }
      for (const m of ref.cells.values()) stats.maxCell = Math.max(stats.maxCell, m.ids.length);

      // ...and that state is the world's: positions within the dead-reckoning tolerance,
      // aim at remote precision, every player present whose true position is clearly
      // inside the visible cells.
      const seen = new Set<number>();
      for (const e of want) {
        const t = truth.get(e.id);
        // Checked with `if` first: a crowd run makes millions of these comparisons.
        if (t === undefined) expect(t, `${c.name}, tick ${tick}: player ${e.id} is not in the room`).toBeDefined();
        const err = Math.max(Math.abs(e.x - Math.round((t!.x / Q) * REMOTE_POS_SCALE)), Math.abs(e.y - Math.round((t!.y / Q) * REMOTE_POS_SCALE)));
        stats.maxError = Math.max(stats.maxError, err);
        if (err > DEAD_RECKONING_TOLERANCE) expect(e, `${c.name}, tick ${tick}: true position ${t!.x / Q},${t!.y / Q}`).toBe(null);
        if (e.aim !== (t!.aim >> REMOTE_AIM_SHIFT) << REMOTE_AIM_SHIFT) expect(e.aim).toBe((t!.aim >> REMOTE_AIM_SHIFT) << REMOTE_AIM_SHIFT);
        seen.add(e.id);
      }
      // Rounding to 1/REMOTE_POS_SCALE px then the tolerance: how far a sent position may be from the truth.
      const slack = (DEAD_RECKONING_TOLERANCE + 0.5) / REMOTE_POS_SCALE;
      const inside = (px: number, lo: number, hi: number): boolean =>
        px >= lo * INTEREST_CELL_SIZE + slack && px < (hi + 1) * INTEREST_CELL_SIZE - slack;
      for (const t of truth.values()) {
        const px = t.x / Q;
        const py = t.y / Q;
        const clearlyIn =
          (inside(px, view.cx0, view.cx1) || (view.cx0 === 0 && px < slack) || (view.cx1 === g.cells - 1 && px >= g.mapPx - slack)) &&
          (inside(py, view.cy0, view.cy1) || (view.cy0 === 0 && py < slack) || (view.cy1 === g.cells - 1 && py >= g.mapPx - slack));
        if (clearlyIn && !seen.has(t.id)) expect(`${c.name}, tick ${tick}: player ${t.id} at ${px},${py} missing`).toBe('');
      }

      // What the frame carried.
      const sent = new Set<number>();
      for (const b of msg.blocks) {
        sent.add(b.cell);
        if (!inView(view, b.cell)) stats.interestViolations.push(`${c.name} tick ${tick}: block for cell ${b.cell} outside its view`);
        if (b.full) {
          stats.fullBlocks++;
          if (baseTick !== NO_BASELINE && inView(prevView, b.cell)) stats.fullInKeptView++;
        } else {
          stats.deltaBlocks++;
          stats.escapes += b.escapes.length / 5;
        }
      }
      if (baseTick !== NO_BASELINE) {
        for (const cell of prevCells) {
          if (!inView(view, cell) || !inView(prevView, cell)) continue;
          stats.keptVisibleOccupied++;
          if (!sent.has(cell)) stats.leftOut++;
        }
      }

      // Interest: the view rectangle reaches no further than viewport/2 + VIEW_MARGIN + one
      // cell from the camera (the player, held off the map's edges), and every player the
      // client knows of is inside the rectangle's cells.
      if (view.cx0 === 0 || view.cy0 === 0 || view.cx1 === g.cells - 1 || view.cy1 === g.cells - 1) stats.edgeViews++;
      const camX = camera(centre.x, c.w, g.mapPx);
      const camY = camera(centre.y, c.h, g.mapPx);
      expect(Math.abs(camX - centre.x)).toBeLessThanOrEqual(c.w / 2);
      const reachX = c.w / 2 + VIEW_MARGIN + INTEREST_CELL_SIZE;
      const reachY = c.h / 2 + VIEW_MARGIN + INTEREST_CELL_SIZE;
      const x0 = view.cx0 * INTEREST_CELL_SIZE;
      const x1 = (view.cx1 + 1) * INTEREST_CELL_SIZE;
      const y0 = view.cy0 * INTEREST_CELL_SIZE;
      const y1 = (view.cy1 + 1) * INTEREST_CELL_SIZE;
      if (x0 < camX - reachX || x1 > camX + reachX || y0 < camY - reachY || y1 > camY + reachY)
        stats.interestViolations.push(`${c.name} tick ${tick}: view ${JSON.stringify(view)} reaches too far from ${JSON.stringify(centre)}`);
      const ownCell = grid.cellAt(centre.x, centre.y);
      if (!inView(view, ownCell)) stats.interestViolations.push(`${c.name} tick ${tick}: own cell ${ownCell} not in view`);
      for (const e of got) {
        if (!inView(view, cellOf(e.y, g.cells) * g.cells + cellOf(e.x, g.cells)))
          stats.interestViolations.push(`${c.name} tick ${tick}: player ${e.id} at ${e.x},${e.y} outside view ${JSON.stringify(view)}`);
      }
    }
  }
  return stats;
}

describe('delta snapshots over the interest grid: a simulated world through the real SnapshotBuilder', () => {
  const runs = new Map<number, RunStats>();
  const run = (seed: number): RunStats => {
    let s = runs.get(seed);
    if (!s) runs.set(seed, (s = runWorld(seed, 2000)));
    return s;
  };

  it.each([1, 2])(
    'seed %i, 2,000 snapshots: after every applied snapshot each client sees exactly the server state in its view',
    (seed) => {
      const s = run(seed);
      // Every applied snapshot was compared inside runWorld; these show the run exercised
      // what it claims to.
      expect(s.frames).toBeGreaterThan(10000);
      expect(s.entitiesChecked).toBeGreaterThan(50000);
      expect(s.skipped).toBeGreaterThan(1000);
      expect(s.restarts).toBeGreaterThan(0);
      expect(s.escapes).toBeGreaterThan(500);
      expect(s.maxError).toBe(DEAD_RECKONING_TOLERANCE);
      expect(s.world.teleports).toBeGreaterThan(100);
      expect(s.world.joins).toBeGreaterThan(100);
      expect(s.world.leaves).toBeGreaterThan(50);
      expect(s.world.rejoins).toBeGreaterThan(5);
      expect(s.world.borderCrossings).toBeGreaterThan(1000);
    },
    60_000,
  );

  it.each([1, 2])(
    'seed %i: frames are deltas, far smaller than full state, and many visible cells are left out',
    (seed) => {
      const s = run(seed);
      expect(s.deltaBlocks).toBeGreaterThan(10 * s.fullBlocks);
      // Whole frames, every client (skips, restarts and the per-client header included).
      expect(s.deltaBytes / s.frames).toBeLessThan(0.65 * (s.fullBytes / s.frames));
      // The cell blocks of snapshots against the previous one: the steady state.
      expect(s.nextDeltaPayload).toBeLessThan(0.35 * s.nextFullPayload);
      expect(s.leftOut / s.keptVisibleOccupied).toBeGreaterThan(0.4);
    },
    60_000,
  );

  it.each([1, 2])(
    'seed %i: a client only ever receives players inside its interest area',
    (seed) => {
      const s = run(seed);
      expect(s.interestViolations.slice(0, 5)).toEqual([]);
      expect(s.edgeViews).toBeGreaterThan(2000);
    },
    60_000,
  );
});

describe('crowds: any number of players in one cell, through the real SnapshotBuilder', () => {
  // [name, cells per side, min and max population, snapshots]; one cell of 512 px holds everyone.
  const crowds: [string, number, number, number, number][] = [
    ['64+ in one cell', 1, 66, 90, 400],
    ['200+ in one cell', 1, 200, 240, 250],
    ['capacity-many (1,000) in one cell', 1, 980, 1000, 120],
    ['1,000 over 2 x 2 cells', 2, 980, 1000, 120],
  ];
  const runs = new Map<string, RunStats>();
  const run = (name: string): RunStats => {
    const [, cells, min, max, ticks] = crowds.find((c) => c[0] === name)!;
    let s = runs.get(name);
    if (!s) runs.set(name, (s = runWorld(cells * 31 + max, ticks, geometry(cells, min, max), max)));
    return s;
  };

  it.each(crowds.map((c) => c[0]))(
    '%s: every applied snapshot (skips and restarts included) is exactly the server state, and a cell kept in view is always a delta',
    (name) => {
      const s = run(name);
      const [, , min] = crowds.find((c) => c[0] === name)!;
      expect(s.maxCell).toBeGreaterThanOrEqual(name.includes('2 x 2') ? min / 4 : min);
      expect(s.fullInKeptView).toBe(0);
      expect(s.deltaBlocks).toBeGreaterThan(2 * s.fullBlocks);
      expect(s.skipped).toBeGreaterThan(50);
      expect(s.restarts).toBeGreaterThan(0);
      expect(s.escapes).toBeGreaterThan(100);
      expect(s.nextDeltaPayload).toBeLessThan(0.35 * s.nextFullPayload);
      expect(s.interestViolations.slice(0, 5)).toEqual([]);
    },
    120_000,
  );

  it('bytes per player seen do not grow with the crowd (no cliff): 1,000 in a cell cost no more per player than 66 (crossings aside: one cell)', () => {
    const perPlayer = (name: string): number => run(name).nextDeltaPayload / run(name).nextSeen;
    const small = perPlayer('64+ in one cell');
    expect(perPlayer('200+ in one cell')).toBeLessThan(1.2 * small);
    expect(perPlayer('capacity-many (1,000) in one cell')).toBeLessThan(1.2 * small);
  }, 120_000);
});

describe('encode once: clients that share a view share its blocks', () => {
  it('with 50 clients on one view, blocks are encoded at most once per cell per tick and reused by the rest', () => {
    const rng = makeRng(99);
    const grid = new InterestGrid(MAP_PX, MAP_PX);
    const builder = new SnapshotBuilder(grid);
    const world = new World(rng, 80);
    const view = grid.viewAround(MAP_PX / 2, MAP_PX / 2, 2560, 1600);
    const cells = (view.cx1 - view.cx0 + 1) * (view.cy1 - view.cy0 + 1);
    const clients = Array.from({ length: 50 }, () => ({ baseline: { tick: NO_BASELINE, view: null } as ClientBaseline, out: [] as Uint8Array[] }));
    let totalBlocks = 0;
    for (let t = 0; t < 200; t++) {
      if (t > 0) world.step();
      builder.capture(t, world.sources());
      const encoded = builder.encoded;
      const reused = builder.reused;
      for (const c of clients) {
        builder.blocksFor(view, c.baseline, c.out);
        c.baseline.tick = t;
        c.baseline.view = view;
      }
      const first = clients[0]!.out;
      for (const c of clients) {
        expect(c.out.length).toBe(first.length);
        // The very same bytes, not copies.
        c.out.forEach((b, k) => expect(b).toBe(first[k]));
      }
      expect(builder.encoded - encoded).toBeLessThanOrEqual(cells);
      expect(builder.encoded - encoded).toBe(first.length);
      expect(builder.reused - reused).toBeGreaterThanOrEqual((clients.length - 1) * first.length);
      totalBlocks += first.length;
    }
    expect(totalBlocks).toBeGreaterThan(200);
  });

  it('clients on two baselines (half skip every other snapshot) cost at most two encodings per cell, and agree', () => {
    const rng = makeRng(7);
    const grid = new InterestGrid(MAP_PX, MAP_PX);
    const builder = new SnapshotBuilder(grid);
    const world = new World(rng, 80);
    const view = grid.viewAround(MAP_PX / 2, MAP_PX / 2, 2560, 1600);
    const cells = (view.cx1 - view.cx0 + 1) * (view.cy1 - view.cy0 + 1);
    const clients = Array.from({ length: 40 }, (_, k) => ({ k, baseline: { tick: NO_BASELINE, view: null } as ClientBaseline, decoder: rawDecoder() }));
    const out: Uint8Array[] = [];
    let maxPerTick = 0;
    for (let t = 0; t < 200; t++) {
      if (t > 0) world.step();
      builder.capture(t, world.sources());
      const encoded = builder.encoded;
      for (const c of clients) {
        if (c.k % 2 === 1 && t % 2 === 1) continue;
        const base = builder.blocksFor(view, c.baseline, out);
        const msg = viaWire(t, base, view, out);
        c.decoder.apply(msg.tick, msg.baseTick, msg.view, msg.blocks);
        c.baseline.tick = t;
        c.baseline.view = view;
      }
      const spent = builder.encoded - encoded;
      maxPerTick = Math.max(maxPerTick, spent);
      expect(spent).toBeLessThanOrEqual(2 * cells);
      if (t % 2 === 0) {
        const ref = byId(clients[0]!.decoder.entities());
        for (const c of clients) expect(byId(c.decoder.entities())).toEqual(ref);
      }
    }
    expect(maxPerTick).toBeGreaterThan(cells / 2);
  });
});

describe('protocol/README.md snapshot examples', () => {
  it('are what SnapshotBuilder produces for the situation the README describes', () => {
    const readme = readFileSync(new URL('../../../protocol/README.md', import.meta.url), 'utf8').replace(/\s+/g, ' ');
    const spaced = (b: Uint8Array): string => toHex(b).replace(/(..)(?!$)/g, '$1 ');
    const grid = new InterestGrid(96 * 32, 96 * 32);
    const builder = new SnapshotBuilder(grid);
    const baseline: ClientBaseline = { tick: NO_BASELINE, view: null };
    const decoder = rawDecoder();
    // Player 7 (the receiver) walks, turns, then stops against a wall; 9 stands still;
    // 12 joins at 1802 and walks left into the next cell.
    const p7: [number, number, number][] = [
      [1355, 1333.5, 224],
      [1360.5, 1328, 224],
      [1366.5, 1322.5, 240],
      [1373, 1318.5, 240],
      [1373, 1318.5, 240],
      [1373, 1318.5, 240],
    ];
    const p12 = [NaN, NaN, 1027, 1021, 1015, 1009];
    const self: [number, number, number, number][] = [
      [0, 0, 0, 0],
      [10884, 10624, 1320, -1320],
      [10932, 10580, 1440, -1320],
      [10984, 10548, 1560, -960],
      [10984, 10548, 0, 0],
      [10984, 10548, 0, 0],
    ];
    const out: Uint8Array[] = [];
    for (let k = 0; k < 6; k++) {
      const tick = 1800 + k;
      const players: RemoteSource[] = [
        { id: 7, x: p7[k]![0], y: p7[k]![1], aim: p7[k]![2] },
        { id: 9, x: 752, y: 880, aim: 64 },
      ];
      if (!Number.isNaN(p12[k])) players.push({ id: 12, x: p12[k]!, y: 1350, aim: 128 });
      builder.capture(tick, players);
      if (k === 0) continue; // before this client joined
      const view = grid.viewAround(players[0]!.x, players[0]!.y, 1280, 720);
      const base = builder.blocksFor(view, baseline, out);
      const [x, y, vx, vy] = self[k]!;
      const frame = encodeSnapshot(tick, [0, 60033, 60067, 60100, 60133, 60167][k]!, 299 + k, base, { x, y, vx, vy }, view, out);
      expect(readme.includes(spaced(frame)), `README lacks tick ${tick}: ${spaced(frame)}`).toBe(true);
      const msg = decodeServerMessage(frame) as SnapshotMsg;
      decoder.apply(msg.tick, msg.baseTick, msg.view, msg.blocks);
      baseline.tick = tick;
      baseline.view = view;
      const seen = byId(decoder.entities());
      expect(seen.map((e) => e.id)).toEqual(players.map((p) => p.id));
      for (const e of seen) {
        const p = players.find((q) => q.id === e.id)!;
        expect(Math.abs(e.x - p.x * REMOTE_POS_SCALE)).toBeLessThanOrEqual(DEAD_RECKONING_TOLERANCE);
        expect(Math.abs(e.y - p.y * REMOTE_POS_SCALE)).toBeLessThanOrEqual(DEAD_RECKONING_TOLERANCE);
      }
    }
  });
});
