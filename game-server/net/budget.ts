/**
 * A bandwidth budget per client: which cells of its view a snapshot carries when they do
 * not all fit. Gaffer On Games' priority accumulator, per interest cell:
 *
 * - Every snapshot, each visible cell that has something new for this client adds its
 *   weight to its priority (nearer cells weigh more; one just come into view more
 *   still). The cells go in by priority while the client's byte bucket (refilled at its
 *   rate) allows; a cell sent resets to zero, one left out keeps what it has and rises
 *   further, so every cell gets its turn and the near ones come round most often.
 * - Some cells are never left out: the one the client's own player is in, those within
 *   NEAR_RADIUS of it, and those holding a player it is fighting (shot at it, hit it, or
 *   was hit by it lately, see world/engagements.ts). Whole cells, not single players:
 *   a player is then in exactly one place on the wire (its cell), so the client needs no
 *   second source to reconcile, and the cell blocks stay shared by every client that
 *   gets them (encode once). The cost is granularity: in a crowd packed into one cell,
 *   that cell is all of the view and the budget cannot cut it (counted as overBudget).
 * - A cell left out is dead-reckoned by the client and later sent as a delta against its
 *   older copy (SnapshotBuilder.cellBlock): that copy is the same for every client that
 *   got the cell at the same tick and went the same number of snapshots without it, so
 *   those blocks are shared too. No cell waits more than BUDGET_MAX_WAIT snapshots.
 *
 * The rate itself follows what the client really receives (net/received-feedback.ts):
 * cut when its snapshots take longer than its round trip explains, raised back slowly
 * while they do not, and none sent at all while they are far behind.
 *
 * The per-snapshot path allocates nothing: per-cell state lives in typed arrays sized
 * to the grid, candidates in a reused index array.
 */
import { Limits, NO_BASELINE, inView, type ViewRect } from '../../protocol/index.ts';
import type { InterestGrid } from './interest-grid.ts';
import { ReceivedFeedback } from './received-feedback.ts';
import { HISTORY, type ClientBaseline, type SnapshotBuilder } from './snapshot-builder.ts';

/**
 * Default and most a client gets, bytes/s: 64 KiB/s (524 kbit/s). A phone on a weak
 * 3G or cell-edge LTE link gets about 1 Mbit/s down; this leaves half of it to
 * everything else. The dense arena at 400 players needs about a quarter of it.
 */
export const DEFAULT_MAX_BYTES_PER_SECOND = 65536;
/** Cells within this distance of the own player are never left out, px: at dense 400 its nearest ten players are within ~80 px. */
export const NEAR_RADIUS = 160;
/** Longest a cell with news waits, snapshots: its copy must still be in the builder's history. */
export const BUDGET_MAX_WAIT = HISTORY - 2;
/** The bucket holds at most this much of the rate: a second, so a budget above the average need absorbs its swings without leaving cells out. */
const BURST_SECONDS = 1;
/**
 * A cell whose copy is stale (left out of the last snapshot) comes back only on ticks
 * that are a multiple of this. Its block deltas against the copy's tick, so the clients
 * that got a cell last on the same aligned tick share one block: without it, every tick
 * of the last BUDGET_MAX_WAIT is a baseline of its own (at dense 400 with an 8 KB/s
 * budget, 180 encodings a tick against 6; with it, about a quarter).
 */
const ALIGN_TICKS = 4;
/** Snapshot header and self state, bytes, reserved before any cell. */
const HEADER_RESERVE = 40;
/** Partners remembered per client (the last ones to engage it win). */
const ENGAGED_SLOTS = 8;

/**
 * Received-tick pacing, ms beyond the round trip: past SLOW the rate is cut (at most
 * once per CUT_EVERY); past HOLD no snapshot is sent until the client catches up.
 * SLOW is above the jitter of a bad mobile link (the bench's "bad" profile: ±40 ms) and
 * the input gaps of a browser at 7 frames/s; HOLD lets a GC pause or a busy load
 * generator ride through, and at 64 KiB/s still queues at most ~64 KB, not megabytes.
 */
const SLOW_MS = 150;
const HOLD_MS = 1000;
const CUT_EVERY_MS = 250;
const CUT_FACTOR = 0.7;
/** From the floor back to the cap in this long, linearly, while the client keeps up. */
const RECOVER_MS = 3000;

/** Budget figures of every client of a server, for /metrics and /api/stats. */
export interface BudgetTotals {
  /** Cells with news left out of a snapshot for the budget. */
  cellsDeferred: number;
  /** Cells sent beyond the budget because they had waited BUDGET_MAX_WAIT. */
  cellsForced: number;
  /** Snapshots not sent because the client's reports showed it far behind. */
  snapshotsHeld: number;
  /** Times a client's rate was cut because its snapshots arrived late. */
  slowdowns: number;
  /** Bytes sent beyond a client's bucket (never-starved cells that did not fit). */
  overBudgetBytes: number;
}

export const newBudgetTotals = (): BudgetTotals => ({ cellsDeferred: 0, cellsForced: 0, snapshotsHeld: 0, slowdowns: 0, overBudgetBytes: 0 });

/** Where a client's player and its fighting partners are (the room answers). */
export interface PlayerLocator {
  /** Fills `out` with the player's position; false when it is not in the room or not alive. */
  locate(id: number, out: { x: number; y: number }): boolean;
}

export class ClientBudget {
  /** The most this client gets, bytes/s (its Hello's ask within the server's limit). */
  readonly capBytesPerSecond: number;
  /** Its rate now, bytes/s: the cap, or less while its snapshots arrive late. */
  rate: number;
  /** Bytes it may still be sent; negative after never-starved cells overran it. */
  tokens: number;
  readonly feedback = new ReceivedFeedback();
  /** Snapshots delivered on this connection (each advances the cells it left out). */
  serial = 0;
  /** Per cell: the tick of the frame this client's copy came from (NO_BASELINE: none), and the serial then. */
  private readonly cellTick: Int32Array;
  private readonly cellSerial: Int32Array;
  private readonly priority: Float64Array;
  /** Per cell: snapshots it has waited with news. */
  private readonly waited: Uint16Array;
  private readonly picked: Uint8Array;
  /** This snapshot's block per cell (reused; only cells of the view are read). */
  private readonly blockOf: (Uint8Array | null)[];
  private readonly order: Int32Array;
  private readonly must: Int32Array;
  private mustCount = 0;
  private readonly engagedIds = new Int32Array(ENGAGED_SLOTS).fill(-1);
  private readonly engagedUntil = new Float64Array(ENGAGED_SLOTS);
  private readonly at = { x: 0, y: 0 };
  private refilledAt = Number.NaN;
  private lastCutAt = Number.NEGATIVE_INFINITY;
  /** Longest any cell has waited on this connection, snapshots (for /api/stats). */
  longestWait = 0;
  /**
   * The tick of the last snapshot chosen, and whether it left no cell behind: then every
   * cell of its view is that tick's copy, which is exactly the shared per-view blocks'
   * baseline (the fast path of choose()).
   */
  private chosenTick = NO_BASELINE;
  private chosenWhole = false;
  /**
   * Fast-path snapshots leave the per-cell state as it was (marking every cell of a big
   * view per client per tick cost as much as the walk it saves); the first per-cell
   * snapshot after them marks the cells of the last view then: the tick and serial of
   * the last fast-path snapshot, or NO_BASELINE when there is nothing to catch up.
   */
  private lazyTick = NO_BASELINE;
  private lazySerial = 0;

  constructor(
    private readonly grid: InterestGrid,
    private readonly tickMs: number,
    serverMax: number,
    asked = 0,
  ) {
    const cap = asked > 0 ? Math.min(asked, serverMax) : serverMax;
    this.capBytesPerSecond = Math.max(Limits.MIN_BYTES_PER_SECOND, cap);
    this.rate = this.capBytesPerSecond;
    this.tokens = this.burst;
    const cells = grid.cols * grid.rows;
    this.cellTick = new Int32Array(cells).fill(NO_BASELINE);
    this.cellSerial = new Int32Array(cells);
    this.priority = new Float64Array(cells);
    this.waited = new Uint16Array(cells);
    this.picked = new Uint8Array(cells);
    this.blockOf = new Array<Uint8Array | null>(cells).fill(null);
    this.order = new Int32Array(cells);
    this.must = new Int32Array(4 + ENGAGED_SLOTS);
  }

  private get burst(): number {
    return this.rate * BURST_SECONDS;
  }

  /** Player `id` fought this client (shot at it, hit it or was hit): its cell is never left out until `until`. */
  engage(id: number, until: number): void {
    let slot = 0;
    for (let i = 0; i < ENGAGED_SLOTS; i++) {
      if (this.engagedIds[i] === id) {
        slot = i;
        break;
      }
      if (this.engagedUntil[i]! < this.engagedUntil[slot]!) slot = i;
    }
    this.engagedIds[slot] = id;
    this.engagedUntil[slot] = until;
  }

  /**
   * Whether a snapshot may go out now, by what the client reports receiving: false
   * (held) while it is far behind; the rate is cut while it is somewhat behind and
   * recovers while it keeps up. Also refills the bucket.
   */
  pace(now: number, totals: BudgetTotals): boolean {
    const dt = Number.isNaN(this.refilledAt) ? 0 : Math.max(0, now - this.refilledAt);
    this.refilledAt = now;
    const excess = this.feedback.excessMs(now);
    const slow = Math.max(SLOW_MS, 3 * this.tickMs);
    if (excess > slow) {
      if (now - this.lastCutAt >= CUT_EVERY_MS) {
        this.lastCutAt = now;
        this.rate = Math.max(Limits.MIN_BYTES_PER_SECOND, this.rate * CUT_FACTOR);
        totals.slowdowns++;
      }
    } else if (this.rate < this.capBytesPerSecond) {
      this.rate = Math.min(this.capBytesPerSecond, this.rate + (this.capBytesPerSecond * dt) / RECOVER_MS);
    }
    this.tokens = Math.min(this.burst, this.tokens + (this.rate * dt) / 1000);
    if (excess > Math.max(HOLD_MS, 30 * this.tickMs)) {
      totals.snapshotsHeld++;
      return false;
    }
    return true;
  }

  /**
   * The blocks of the snapshot of `tick` for a client at (px, py) seeing `view`, whose
   * last snapshot is `base`, into `out`, by priority within the budget. Returns the
   * baseline the snapshot deltas against (NO_BASELINE: the client starts over).
   */
  choose(builder: SnapshotBuilder, view: ViewRect, base: ClientBaseline, self: number, players: PlayerLocator, tick: number, now: number, out: Uint8Array[], totals: BudgetTotals): number {
    out.length = 0;
    const fresh = base.tick === NO_BASELINE || !builder.hasFrame(base.tick);
    const baseView = fresh ? null : base.view;
    // Fast path, the common case: the client holds every cell as of its last snapshot and
    // this one fits the bucket whole. The blocks every client with this baseline and view
    // shares are then exactly what the per-cell path would pick (each cell's delta from
    // that tick), at a fraction of the cost: with 1,000 clients the per-cell walk was a
    // fifth of the tick although no cell was ever held back.
    if (!fresh && this.chosenWhole && base.tick === this.chosenTick) {
      const baseTick = builder.blocksFor(view, base, out);
      let bytes = HEADER_RESERVE;
      for (let i = 0; i < out.length; i++) bytes += out[i]!.byteLength;
      if (baseTick === base.tick && bytes <= this.tokens) {
        this.lazyTick = tick;
        this.lazySerial = this.serial;
        this.chosenTick = tick;
        return baseTick;
      }
      out.length = 0;
    }
    if (this.lazyTick !== NO_BASELINE) {
      // The last snapshot went by the fast path: its view's cells are all its tick's copies.
      const v = base.view;
      if (!fresh && v !== null && base.tick === this.lazyTick)
        for (let cy = v.cy0; cy <= v.cy1; cy++)
          for (let cx = v.cx0; cx <= v.cx1; cx++) {
            const cell = cy * v.cols + cx;
            this.cellTick[cell] = this.lazyTick;
            this.cellSerial[cell] = this.lazySerial;
            this.priority[cell] = 0;
            this.waited[cell] = 0;
          }
      // A baseline that is not the last fast-path snapshot (none is expected: each one is
      // delivered at once) leaves the per-cell ticks unknown: no copy is trusted, every
      // cell goes whole, rather than a delta against a copy the client may not hold.
      else if (!fresh) this.cellTick.fill(NO_BASELINE);
      this.lazyTick = NO_BASELINE;
    }
    const deferredBefore = totals.cellsDeferred;
    const at = this.at;
    const located = players.locate(self, at);
    const px = at.x;
    const py = at.y;
    this.mustCells(located, px, py, players, now);
    const cs = this.grid.cellSize;
    const reach = cs * 2;
    const aligned = tick % ALIGN_TICKS === 0;
    const last = fresh ? NO_BASELINE : base.tick;
    let spend = HEADER_RESERVE;
    let n = 0;
    for (let cy = view.cy0; cy <= view.cy1; cy++) {
      for (let cx = view.cx0; cx <= view.cx1; cx++) {
        const cell = cy * view.cols + cx;
        const had = baseView !== null && this.cellTick[cell] !== NO_BASELINE && inView(baseView, cell);
        const block = had ? builder.cellBlock(cell, this.cellTick[cell]!, this.serial - this.cellSerial[cell]! - 1) : builder.cellBlock(cell, NO_BASELINE, 0);
        this.blockOf[cell] = block;
        // Nothing new: the client's own dead reckoning brings its copy up to date.
        if (block === null) {
          this.mark(cell, tick);
          continue;
        }
        // Stale: the client's copy is older than its last snapshot.
        const stale = had && this.cellTick[cell] !== last;
        // Due on the aligned tick before the bound, or at the bound (a client skipped for
        // backpressure may miss the aligned ones).
        const w = this.waited[cell]!;
        const forced = w >= BUDGET_MAX_WAIT || (aligned && w >= BUDGET_MAX_WAIT - ALIGN_TICKS);
        if (forced || this.isMust(cell)) {
          if (forced) totals.cellsForced++;
          this.picked[cell] = 1;
          spend += block.byteLength;
          continue;
        }
        // Distance from the player to the cell's nearest point.
        const dx = Math.max(cx * cs - px, 0, px - (cx + 1) * cs);
        const dy = Math.max(cy * cs - py, 0, py - (cy + 1) * cs);
        const near = located ? Math.max(0, 1 - Math.sqrt(dx * dx + dy * dy) / reach) : 0;
        this.priority[cell]! += 1 + 3 * near + (had ? 0 : 2);
        if (stale && !aligned) {
          this.deferred(cell, baseView, totals);
          continue;
        }
        // Insertion by priority, highest first (a view is a few dozen cells at most).
        let k = n++;
        const p = this.priority[cell]!;
        while (k > 0 && this.priority[this.order[k - 1]!]! < p) {
          this.order[k] = this.order[k - 1]!;
          k--;
        }
        this.order[k] = cell;
      }
    }
    // Strictly by priority: a big cell that does not fit is not overtaken by smaller
    // ones behind it (it would starve); it waits for the bucket, which a full bucket
    // lets through even when it holds more than the burst.
    let k = 0;
    for (; k < n; k++) {
      const cell = this.order[k]!;
      const len = this.blockOf[cell]!.byteLength;
      if (spend + len > this.tokens && !(k === 0 && spend === HEADER_RESERVE && this.tokens >= this.burst)) break;
      this.picked[cell] = 1;
      spend += len;
    }
    for (; k < n; k++) this.deferred(this.order[k]!, baseView, totals);
    for (let cy = view.cy0; cy <= view.cy1; cy++) {
      for (let cx = view.cx0; cx <= view.cx1; cx++) {
        const cell = cy * view.cols + cx;
        if (this.picked[cell] === 0) continue;
        this.picked[cell] = 0;
        out.push(this.blockOf[cell]!);
        this.mark(cell, tick);
      }
    }
    this.chosenTick = tick;
    this.chosenWhole = totals.cellsDeferred === deferredBefore;
    return fresh ? NO_BASELINE : base.tick;
  }

  /** The snapshot just chosen went out, `bytes` long. */
  delivered(tick: number, now: number, bytes: number, totals: BudgetTotals): void {
    this.serial++;
    this.feedback.sent(tick, now);
    this.tokens -= bytes;
    const floor = -this.burst;
    if (this.tokens < floor) {
      totals.overBudgetBytes += floor - this.tokens;
      this.tokens = floor;
    }
  }

  /** A cell with news left out of this snapshot. */
  private deferred(cell: number, baseView: ViewRect | null, totals: BudgetTotals): void {
    totals.cellsDeferred++;
    const w = ++this.waited[cell]!;
    if (w > this.longestWait) this.longestWait = w;
    // Never sent since it came into view: the client still has no copy.
    if (baseView === null || !inView(baseView, cell)) this.cellTick[cell] = NO_BASELINE;
  }

  private mark(cell: number, tick: number): void {
    this.cellTick[cell] = tick;
    this.cellSerial[cell] = this.serial;
    this.priority[cell] = 0;
    this.waited[cell] = 0;
  }

  private isMust(cell: number): boolean {
    for (let i = 0; i < this.mustCount; i++) if (this.must[i] === cell) return true;
    return false;
  }

  /** The never-starved cells: the own player's, those within NEAR_RADIUS, and those of recent opponents. */
  private mustCells(located: boolean, px: number, py: number, players: PlayerLocator, now: number): void {
    this.mustCount = 0;
    const g = this.grid;
    if (located) {
      // The corners of the radius' square: with cells larger than the radius, these are all the cells it touches.
      this.addMust(g.cellAt(px - NEAR_RADIUS, py - NEAR_RADIUS));
      this.addMust(g.cellAt(px + NEAR_RADIUS, py - NEAR_RADIUS));
      this.addMust(g.cellAt(px - NEAR_RADIUS, py + NEAR_RADIUS));
      this.addMust(g.cellAt(px + NEAR_RADIUS, py + NEAR_RADIUS));
    }
    const at = this.at;
    for (let i = 0; i < ENGAGED_SLOTS; i++) {
      const id = this.engagedIds[i]!;
      if (id < 0) continue;
      if (this.engagedUntil[i]! < now) {
        this.engagedIds[i] = -1;
        continue;
      }
      if (players.locate(id, at)) this.addMust(g.cellAt(at.x, at.y));
    }
  }

  private addMust(cell: number): void {
    if (!this.isMust(cell)) this.must[this.mustCount++] = cell;
  }
}

/** The state of many clients' budgets at a glance (for /api/stats; not on the tick path). */
export interface BudgetSummary {
  clients: number;
  /** Clients whose rate is below their cap now (their snapshots arrived late). */
  slowed: number;
  /** Lowest rate and cap now, bytes/s (0 with no clients). */
  minRateBytesPerSecond: number;
  minCapBytesPerSecond: number;
  /** Longest any cell waited with news, snapshots, over these connections' lives. */
  longestWait: number;
  /** Most snapshots unacknowledged on one connection now. */
  maxInFlight: number;
}

export function summarizeBudgets(budgets: Iterable<ClientBudget>): BudgetSummary {
  const s: BudgetSummary = { clients: 0, slowed: 0, minRateBytesPerSecond: 0, minCapBytesPerSecond: 0, longestWait: 0, maxInFlight: 0 };
  for (const b of budgets) {
    s.minRateBytesPerSecond = s.clients === 0 ? b.rate : Math.min(s.minRateBytesPerSecond, b.rate);
    s.minCapBytesPerSecond = s.clients === 0 ? b.capBytesPerSecond : Math.min(s.minCapBytesPerSecond, b.capBytesPerSecond);
    s.clients++;
    if (b.rate < b.capBytesPerSecond) s.slowed++;
    s.longestWait = Math.max(s.longestWait, b.longestWait);
    s.maxInFlight = Math.max(s.maxInFlight, b.feedback.inFlight);
  }
  s.minRateBytesPerSecond = Math.round(s.minRateBytesPerSecond);
  return s;
}
