/**
 * The bandwidth budget (net/budget.ts) on the real SnapshotBuilder, with clients that
 * decode what they are sent exactly as the game client does (SnapshotDecoder): the
 * priority accumulator within a byte bucket, the never-starved cells, the per-client
 * per-cell baselines (checked against the full state), and the received-tick pacing.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  EventType,
  NO_BASELINE,
  ServerKind,
  SnapshotDecoder,
  SnapshotWriter,
  decodeServerMessage,
  type CellMembers,
  type SnapshotMsg,
  type ViewRect,
} from '../../../protocol/index.ts';
import { seededRandom } from '../../../protocol/random.ts';
import { BUDGET_MAX_WAIT, ClientBudget, NEAR_RADIUS, newBudgetTotals, type BudgetTotals, type PlayerLocator } from '../../../game-server/net/budget.ts';
import { InterestGrid } from '../../../game-server/net/interest-grid.ts';
import { ReceivedFeedback } from '../../../game-server/net/received-feedback.ts';
import { SnapshotBuilder, type ClientBaseline } from '../../../game-server/net/snapshot-builder.ts';
import { ENGAGED_MS, EngagementSink } from '../../../game-server/world/engagements.ts';

const TICK_MS = 1000 / 30;
const SELF = { x: 0, y: 0, vx: 0, vy: 0, dash: 0, dashCooldown: 0 };

interface Walker {
  id: number;
  x: number;
  y: number;
  vx: number;
  vy: number;
  aim: number;
  /** Pinned players stay where they are put (a test places them). */
  pinned?: boolean;
}

/** Seeded random walkers over a square map: they turn about once a second and sweep their aim. */
class World {
  readonly walkers: Walker[] = [];
  constructor(
    private readonly rnd: () => number,
    count: number,
    readonly size: number,
  ) {
    for (let i = 1; i <= count; i++) this.walkers.push({ id: i, x: rnd() * size, y: rnd() * size, vx: 0, vy: 0, aim: Math.floor(rnd() * 256) });
  }

  step(): void {
    for (const w of this.walkers) {
      if (w.pinned) continue;
      if (this.rnd() < 1 / 30 || (w.vx === 0 && w.vy === 0)) {
        const a = this.rnd() * Math.PI * 2;
        w.vx = Math.cos(a) * 7;
        w.vy = Math.sin(a) * 7;
      }
      w.x = Math.min(this.size - 1, Math.max(0, w.x + w.vx));
      w.y = Math.min(this.size - 1, Math.max(0, w.y + w.vy));
      if (this.rnd() < 0.3) w.aim = (w.aim + 9) & 255;
    }
  }

  get(id: number): Walker | undefined {
    return this.walkers[id - 1];
  }

  readonly locator: PlayerLocator = {
    locate: (id, out) => {
      const w = this.get(id);
      if (!w) return false;
      out.x = w.x;
      out.y = w.y;
      return true;
    },
  };
}

/** One client: its budget, its baseline, and a decoder fed the frames it is sent. */
class Client {
  readonly decoder = new SnapshotDecoder(1, 1);
  readonly baseline: ClientBaseline = { tick: NO_BASELINE, view: null };
  readonly budget: ClientBudget;
  bytes = 0;
  /** Per cell: the snapshots in a row its copy has differed from the server's frame (-1: not in view). */
  readonly behind = new Map<number, number>();
  worstBehind = 0;
  private readonly out: Uint8Array[] = [];
  private readonly writer = new SnapshotWriter();

  constructor(
    grid: InterestGrid,
    readonly id: number,
    budget: number,
    readonly view: (tick: number) => ViewRect,
  ) {
    this.budget = new ClientBudget(grid, TICK_MS, budget);
  }

  /** One snapshot tick: returns the decoded message, or null when the budget held it. */
  tick(builder: SnapshotBuilder, world: World, tick: number, totals: BudgetTotals): SnapshotMsg | null {
    const now = tick * TICK_MS;
    if (!this.budget.pace(now, totals)) return null;
    const view = { ...this.view(tick) };
    const baseTick = this.budget.choose(builder, view, this.baseline, this.id, world.locator, tick, now, this.out, totals);
    const frame = this.writer.write(tick, now, 0, baseTick, SELF, view, this.out);
    this.bytes += frame.byteLength;
    this.budget.delivered(tick, now, frame.byteLength, totals);
    this.baseline.tick = tick;
    this.baseline.view = view;
    const msg = decodeServerMessage(frame) as SnapshotMsg;
    expect(msg.kind).toBe(ServerKind.Snapshot);
    this.decoder.apply(msg.tick, msg.baseTick, msg.view, msg.blocks);
    return msg;
  }
}

/** The server's frame of this tick, cell by cell: full blocks decoded by a client that starts over. */
function fullState(builder: SnapshotBuilder, view: ViewRect, tick: number): Map<number, CellMembers> {
  const d = new SnapshotDecoder(1, 1);
  const writer = new SnapshotWriter();
  const blocks: Uint8Array[] = [];
  for (let cy = view.cy0; cy <= view.cy1; cy++)
    for (let cx = view.cx0; cx <= view.cx1; cx++) {
      const b = builder.cellBlock(cy * view.cols + cx, NO_BASELINE, 0);
      if (b) blocks.push(b);
    }
  const msg = decodeServerMessage(writer.write(tick, 0, 0, NO_BASELINE, SELF, view, blocks)) as SnapshotMsg;
  d.apply(msg.tick, msg.baseTick, msg.view, msg.blocks);
  return d.cells;
}

const EMPTY: CellMembers = { ids: [], X: [], Y: [], dX: [], dY: [], aim: [] };
const same = (a: CellMembers | undefined, b: CellMembers | undefined): boolean => JSON.stringify(a ?? EMPTY) === JSON.stringify(b ?? EMPTY);

function capture(builder: SnapshotBuilder, world: World, tick: number): void {
  builder.capture(tick, world.walkers.map((w) => ({ id: w.id, x: w.x, y: w.y, aim: w.aim })));
}

/** Check one client's decoded cells against the full state; count how long each has been behind. */
function compare(c: Client, msg: SnapshotMsg, truth: Map<number, CellMembers>): void {
  const v = msg.view;
  const sent = new Set(msg.blocks.map((b) => b.cell));
  for (const cell of [...c.behind.keys()]) {
    const cx = cell % v.cols;
    const cy = (cell - cx) / v.cols;
    if (cx < v.cx0 || cx > v.cx1 || cy < v.cy0 || cy > v.cy1) c.behind.delete(cell);
  }
  for (let cy = v.cy0; cy <= v.cy1; cy++)
    for (let cx = v.cx0; cx <= v.cx1; cx++) {
      const cell = cy * v.cols + cx;
      const exact = same(c.decoder.cells.get(cell), truth.get(cell));
      // A block from any baseline, however old, must land exactly on the server's frame.
      if (sent.has(cell)) expect(exact, `cell ${cell} at tick ${msg.tick} (client ${c.id})`).toBe(true);
      const n = exact ? 0 : (c.behind.get(cell) ?? 0) + 1;
      c.behind.set(cell, n);
      c.worstBehind = Math.max(c.worstBehind, n);
    }
}

describe('bandwidth budget: per-cell baselines', () => {
  it('cells sent from older per-client baselines land exactly on the full state, and no cell stays behind more than BUDGET_MAX_WAIT snapshots (property, seeded)', () => {
    let deferred = 0;
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1 << 30 }),
        fc.integer({ min: 30, max: 260 }),
        fc.array(fc.record({ budget: fc.integer({ min: 4096, max: 200_000 }), skip: fc.double({ min: 0, max: 0.3, noNaN: true }), roam: fc.boolean() }), { minLength: 1, maxLength: 4 }),
        (seed, players, specs) => {
          const rnd = seededRandom(seed);
          const world = new World(rnd, players, 2048);
          const grid = new InterestGrid(2048, 2048);
          const builder = new SnapshotBuilder(grid);
          const totals = newBudgetTotals();
          const clients = specs.map((s, i) => {
            const self = i + 1;
            let jump = { x: 1024, y: 1024 };
            const view = (tick: number): ViewRect => {
              if (s.roam && tick % 37 === 0) jump = { x: rnd() * 2048, y: rnd() * 2048 };
              const w = world.get(self)!;
              return grid.viewAround(s.roam ? jump.x : w.x, s.roam ? jump.y : w.y, 1280, 720);
            };
            return { spec: s, c: new Client(grid, self, s.budget, view) };
          });
          for (let tick = 0; tick < 100; tick++) {
            world.step();
            capture(builder, world, tick);
            for (const { spec, c } of clients) {
              // A backpressure skip: no snapshot at all this tick (the next deltas against the last).
              if (rnd() < spec.skip) continue;
              const msg = c.tick(builder, world, tick, totals);
              if (msg) compare(c, msg, fullState(builder, msg.view, tick));
            }
          }
          for (const { c } of clients) expect(c.worstBehind).toBeLessThanOrEqual(BUDGET_MAX_WAIT);
          deferred += totals.cellsDeferred;
        },
      ),
      { numRuns: 25, seed: 0x0b0d9e7 },
    );
    // The runs did leave cells out (so blocks from older baselines were checked).
    expect(deferred).toBeGreaterThan(1000);
  });
});

describe('bandwidth budget: what a client with a small budget gets', () => {
  // 300 walkers on 4 x 4 cells, every cell in view: about 15 KB/s of news.
  const run = (budget: number, ticks = 300) => {
    const world = new World(seededRandom(11), 300, 2048);
    world.get(1)!.pinned = true;
    world.get(1)!.x = 300;
    world.get(1)!.y = 300;
    const grid = new InterestGrid(2048, 2048);
    const builder = new SnapshotBuilder(grid);
    const totals = newBudgetTotals();
    const all = { cx0: 0, cy0: 0, cx1: 3, cy1: 3, cols: 4 };
    const c = new Client(grid, 1, budget, () => all);
    /** Per cell: snapshots between its blocks. */
    const gaps = new Map<number, number[]>();
    const lastBlock = new Map<number, number>();
    let delivered = 0;
    for (let tick = 0; tick < ticks; tick++) {
      world.step();
      capture(builder, world, tick);
      const msg = c.tick(builder, world, tick, totals);
      if (!msg) continue;
      compare(c, msg, fullState(builder, all, tick));
      for (const b of msg.blocks) {
        const at = lastBlock.get(b.cell);
        if (at !== undefined) (gaps.get(b.cell) ?? gaps.set(b.cell, []).get(b.cell)!).push(delivered - at);
        lastBlock.set(b.cell, delivered);
      }
      delivered++;
    }
    const meanGap = (cell: number): number => {
      const g = gaps.get(cell) ?? [];
      return g.reduce((a, b) => a + b, 0) / Math.max(1, g.length);
    };
    return { c, totals, meanGap, seconds: ticks / 30 };
  };

  it('receives at most its budget (headers included, plus the bucket it starts with), while an unlimited client gets more than twice that', () => {
    const small = run(6000);
    const unlimited = run(100_000_000);
    expect(small.totals.overBudgetBytes).toBe(0);
    expect(small.c.bytes).toBeLessThanOrEqual(6000 * (small.seconds + 1));
    expect(unlimited.c.bytes).toBeGreaterThan(2 * small.c.bytes);
    expect(unlimited.totals.cellsDeferred).toBe(0);
    expect(small.totals.cellsDeferred).toBeGreaterThan(1000);
    // Every cell it sees is brought up to date within the bound, every time.
    expect(small.c.worstBehind).toBeLessThanOrEqual(BUDGET_MAX_WAIT);
    expect(small.c.budget.longestWait).toBeLessThanOrEqual(BUDGET_MAX_WAIT);
  });

  it('near cells come round more often than far ones; the own cell and those within NEAR_RADIUS every snapshot', () => {
    const { c, meanGap } = run(12_000);
    // The own player stands at (300, 300): cell 0, and within NEAR_RADIUS of nothing else.
    expect(300 + NEAR_RADIUS).toBeLessThan(512);
    expect(meanGap(0)).toBe(1);
    // Cells by distance from it: next to it (1, 4, 5) against the far corner (10, 11, 14, 15).
    const near = [1, 4, 5].map(meanGap);
    const far = [10, 11, 14, 15].map(meanGap);
    expect(Math.max(...near)).toBeLessThan(Math.min(...far));
    expect(c.worstBehind).toBeLessThanOrEqual(BUDGET_MAX_WAIT);
  });

  it('a player fighting the client keeps its cell at full rate for ENGAGED_MS, wherever it stands', () => {
    const world = new World(seededRandom(5), 300, 2048);
    const me = world.get(1)!;
    const foe = world.get(2)!;
    Object.assign(me, { pinned: true, x: 300, y: 300 });
    Object.assign(foe, { pinned: true, x: 1900, y: 1900 });
    const grid = new InterestGrid(2048, 2048);
    const builder = new SnapshotBuilder(grid);
    const totals = newBudgetTotals();
    const all = { cx0: 0, cy0: 0, cx1: 3, cy1: 3, cols: 4 };
    const c = new Client(grid, 1, 12_000, () => all);
    const foeCell = grid.cellAt(foe.x, foe.y);
    // The arena's Hit event on its way to the feed is what engages them.
    const players = new Map(world.walkers.map((w) => [w.id, { id: w.id, state: w, channel: { budget: w.id === 1 ? c.budget : new ClientBudget(grid, TICK_MS, 65536) } }]));
    const feed = { all: () => {}, near: () => {}, to: () => {} };
    let now = 0;
    const sink = new EngagementSink(feed, players, () => now);
    let sentFoe = 0;
    let missedFoe = 0;
    for (let tick = 0; tick < 240; tick++) {
      now = tick * TICK_MS;
      if (tick === 60) sink.near({ type: EventType.Hit, victim: 1, attacker: 2, damage: 10, health: 90 }, 300, 300, 300, 300, 1, 2);
      world.step();
      capture(builder, world, tick);
      const msg = c.tick(builder, world, tick, totals)!;
      const has = msg.blocks.some((b) => b.cell === foeCell);
      const engaged = now >= 60 * TICK_MS && now <= 60 * TICK_MS + ENGAGED_MS;
      if (engaged) {
        if (has) sentFoe++;
        else missedFoe++;
      }
    }
    expect(missedFoe).toBe(0);
    expect(sentFoe).toBeGreaterThan(55);
    // Before and after the fight the far corner waits its turn like any other far cell.
    expect(totals.cellsDeferred).toBeGreaterThan(0);
  });

  it('a beam passing near a player engages it with the shooter; one passing far does not', () => {
    const grid = new InterestGrid(2048, 2048);
    const b = (): ClientBudget => new ClientBudget(grid, TICK_MS, 65536);
    const near = { id: 1, state: { x: 100, y: 100 }, channel: { budget: b() } };
    const far = { id: 3, state: { x: 100, y: 400 }, channel: { budget: b() } };
    const shooter = { id: 2, state: { x: 1000, y: 100 }, channel: { budget: b() } };
    const players = new Map([near, far, shooter].map((p) => [p.id, p]));
    const sink = new EngagementSink({ all: () => {}, near: () => {}, to: () => {} }, players, () => 0);
    sink.near({ type: EventType.Shot, shooter: 2, x0: 1000, y0: 100, x1: 0, y1: 120 }, 1000, 100, 0, 120, 2, -1);
    const engagedWith = (budget: ClientBudget): number[] => Array.from((budget as unknown as { engagedIds: Int32Array }).engagedIds).filter((id) => id >= 0);
    expect(engagedWith(near.channel.budget)).toEqual([2]);
    expect(engagedWith(far.channel.budget)).toEqual([]);
    expect(engagedWith(shooter.channel.budget)).toEqual([]);
  });
});

describe('received-tick feedback', () => {
  it('learns the round trip, ignores ticks not in flight, and measures how late the oldest unacknowledged snapshot is', () => {
    const f = new ReceivedFeedback();
    expect(f.active).toBe(false);
    for (let t = 0; t < 10; t++) f.sent(t, t * 33);
    f.acked(99, 400); // never sent
    expect(f.active).toBe(false);
    expect(f.ignored).toBe(1);
    f.acked(5, 5 * 33 + 50);
    expect(f.rttFloorMs).toBe(50);
    expect(f.inFlight).toBe(4);
    f.acked(3, 400); // older than what it reported: ignored
    expect(f.ignored).toBe(2);
    // Snapshot 6 left at 198 ms: at 300 ms it has been out 102 ms, 52 more than the round trip.
    expect(f.excessMs(300)).toBe(52);
    f.acked(9, 9 * 33 + 50);
    expect(f.inFlight).toBe(0);
    expect(f.excessMs(10_000)).toBe(0);
  });

  it('a client that stops reporting is slowed, then held within about a second past its round trip, and resumes when it catches up', () => {
    const grid = new InterestGrid(2048, 2048);
    const budget = new ClientBudget(grid, TICK_MS, 65536);
    const totals = newBudgetTotals();
    const rtt = 60;
    let tick = 0;
    let lastDelivered = -1;
    const step = (ack: boolean): boolean => {
      const now = tick * TICK_MS;
      if (ack) budget.feedback.acked(tick - Math.ceil(rtt / TICK_MS), now);
      const ok = budget.pace(now, totals);
      if (ok) {
        budget.delivered(tick, now, 100, totals);
        lastDelivered = tick;
      }
      tick++;
      return ok;
    };
    for (let i = 0; i < 60; i++) expect(step(i >= 3)).toBe(true);
    expect(budget.rate).toBe(65536);
    // It stops reading (no reports): held within a second of excess plus the round trip.
    let sentAfterStall = 0;
    while (step(false)) sentAfterStall++;
    expect(sentAfterStall * TICK_MS).toBeLessThanOrEqual(1000 + rtt + 2 * TICK_MS);
    expect(totals.snapshotsHeld).toBe(1);
    expect(totals.slowdowns).toBeGreaterThan(0);
    expect(budget.rate).toBeLessThan(65536);
    for (let i = 0; i < 30; i++) expect(step(false)).toBe(false);
    // It catches up: reports the last snapshot it was sent, and is sent again at once.
    budget.feedback.acked(lastDelivered, tick * TICK_MS);
    expect(budget.pace(tick * TICK_MS, totals)).toBe(true);
    // ...and back at its cap within a few seconds of keeping up.
    for (let i = 0; i < 150; i++) {
      const now = tick * TICK_MS;
      budget.delivered(tick, now, 100, totals);
      budget.feedback.acked(tick, now + 1);
      tick++;
      budget.pace(tick * TICK_MS, totals);
    }
    expect(budget.rate).toBe(65536);
  });
});
