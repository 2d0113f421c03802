/**
 * /metrics in the Prometheus text format, via prom-client. One Registry per server (tests
 * run several servers in a process). The per-tick path only adds to plain numbers and
 * observes one histogram sample per tick; counters that mirror those numbers catch up
 * when Prometheus scrapes (collect), so counting costs the hot path nothing.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { describeCloseCode } from './net/close-names.ts';
import type { BudgetTotals } from './net/budget.ts';
import type { InputTotals } from './net/input-queue.ts';
import type { NetTotals } from './net/session.ts';

/** What the metrics read at scrape time. */
export interface MetricSources {
  totals: NetTotals;
  players(): number;
  /** Players whose connection dropped, kept for a resume. */
  keptPlayers(): number;
  rooms(): number;
  connections(): number;
  tickOverruns(): number;
  snapshotsSent(): number;
  snapshotsSkipped(): number;
  shotsBeyondRewind(): number;
  /** Input buffer counters of every player (net/input-queue.ts). */
  input: InputTotals;
  /** The room directory's view of this node (cluster, issue 11). */
  directory?: () => { id: string; epoch: number; kind: string; connected: boolean; rttMs: number };
  /** Bandwidth budget counters of every client (net/budget.ts). */
  budget: BudgetTotals;
}

/** Tick durations, seconds: a 30 Hz tick has 33 ms; most ticks take well under 1 ms. */
const TICK_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.002, 0.004, 0.008, 0.016, 0.033, 0.066, 0.25];

/** A counter mirroring a monotonic number the server keeps. */
function mirror(registry: Registry, name: string, help: string, read: () => number): Counter {
  let seen = 0;
  return new Counter({
    name,
    help,
    registers: [registry],
    collect() {
      const v = read();
      if (v > seen) this.inc(v - seen);
      seen = v;
    },
  });
}

function gauge(registry: Registry, name: string, help: string, read: () => number): Gauge {
  return new Gauge({
    name,
    help,
    registers: [registry],
    collect() {
      this.set(read());
    },
  });
}

export class ServerMetrics {
  readonly registry = new Registry();
  private readonly tickDuration: Histogram;
  private readonly disconnects: Counter<'code' | 'name'>;
  private readonly roomFailures: Counter;

  constructor(src: MetricSources, opts: { defaultMetrics?: boolean } = {}) {
    const r = this.registry;
    // Process figures: CPU, RSS, heap, GC, and nodejs_eventloop_lag_seconds (+ percentiles).
    if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: r });
    this.tickDuration = new Histogram({
      name: 'dustup_tick_duration_seconds',
      help: 'Time to run one simulation tick of every room (inputs, step, snapshots), seconds',
      buckets: TICK_BUCKETS,
      registers: [r],
    });
    mirror(r, 'dustup_tick_overruns_total', 'Ticks that started more than one tick interval late', src.tickOverruns);
    gauge(r, 'dustup_players', 'Players in rooms (connected or kept for a resume)', src.players);
    gauge(r, 'dustup_players_kept', 'Players whose connection dropped, kept for a resume', src.keptPlayers);
    gauge(r, 'dustup_rooms', 'Open rooms', src.rooms);
    gauge(r, 'dustup_connections', 'Open WebSocket connections', src.connections);
    mirror(r, 'dustup_received_bytes_total', 'WebSocket payload bytes received from clients', () => src.totals.bytesIn);
    mirror(r, 'dustup_sent_bytes_total', 'WebSocket payload bytes sent to clients', () => src.totals.bytesOut);
    mirror(r, 'dustup_received_messages_total', 'WebSocket messages received from clients', () => src.totals.messagesIn);
    mirror(r, 'dustup_sent_messages_total', 'WebSocket messages sent to clients', () => src.totals.messagesOut);
    mirror(r, 'dustup_snapshots_sent_total', 'Snapshots sent', src.snapshotsSent);
    mirror(
      r,
      'dustup_snapshots_skipped_total',
      'Snapshots not sent because the client was not reading (backpressure)',
      src.snapshotsSkipped,
    );
    mirror(
      r,
      'dustup_shots_beyond_rewind_total',
      'Shots refused (hit no one) because their view time was older than the rewind limit',
      src.shotsBeyondRewind,
    );
    const dir = src.directory;
    if (dir) {
      gauge(r, 'dustup_directory_connected', 'Whether this node holds a lease in the room directory (1) or cannot reach it (0)', () => (dir().connected ? 1 : 0));
      gauge(r, 'dustup_directory_rtt_seconds', 'Round trip of the last directory lease refresh, seconds', () => dir().rttMs / 1000);
      new Gauge({
        name: 'dustup_node_info',
        help: 'This node in the room directory: its id, lease epoch and directory kind (value 1)',
        labelNames: ['node', 'epoch', 'directory'],
        registers: [r],
        collect() {
          const d = dir();
          this.reset();
          this.set({ node: d.id, epoch: String(d.epoch), directory: d.kind }, 1);
        },
      });
    }
    // Bandwidth budget, next to the slow-consumer figures above.
    const budget = src.budget;
    mirror(
      r,
      'dustup_snapshots_held_total',
      'Snapshots not sent because the client reported receiving too far behind for its round trip (received-tick feedback)',
      () => budget.snapshotsHeld,
    );
    mirror(r, 'dustup_budget_slowdowns_total', "Times a client's byte rate was cut because its snapshots arrived later than its round trip explains", () => budget.slowdowns);
    mirror(r, 'dustup_budget_cells_deferred_total', 'Visible cells with news left out of a snapshot to keep within the client byte budget', () => budget.cellsDeferred);
    mirror(r, 'dustup_budget_cells_forced_total', 'Cells sent beyond the budget because they had waited the longest allowed', () => budget.cellsForced);
    mirror(r, 'dustup_budget_over_bytes_total', "Bytes sent beyond a client's budget (never-starved cells that did not fit)", () => budget.overBudgetBytes);
    const input = src.input;
    mirror(r, 'dustup_input_ticks_total', 'Ticks of connected players whose inputs had started (the base of the input figures)', () => input.ticks);
    mirror(r, 'dustup_input_starvations_total', 'Ticks on which a connected player had no input to apply', () => input.starved);
    mirror(
      r,
      'dustup_input_starvations_behind_total',
      'Ticks with no input to apply that ran more than a tick late (the server catching up on itself, not the network)',
      () => input.starvedBehind,
    );
    mirror(r, 'dustup_inputs_applied_total', 'Inputs applied', () => input.applied);
    mirror(r, 'dustup_input_catch_ups_total', 'Ticks on which two inputs were applied to drop a tick of buffered surplus', () => input.caughtUp);
    mirror(
      r,
      'dustup_input_buffer_depth_sum',
      'Inputs still queued after each tick, summed over players and ticks (divide by dustup_input_ticks_total for the mean depth)',
      () => input.depthSum,
    );
    mirror(
      r,
      'dustup_input_wait_seconds_sum',
      'Arrival-to-tick wait of every applied input, summed (divide by dustup_inputs_applied_total for the mean)',
      () => input.waitMsSum / 1000,
    );
    this.disconnects = new Counter({
      name: 'dustup_disconnects_total',
      help: 'Closed WebSocket connections, by close code',
      labelNames: ['code', 'name'],
      registers: [r],
    });
    this.roomFailures = new Counter({
      name: 'dustup_room_failures_total',
      help: 'Rooms closed because their tick threw (their players were closed with 1011)',
      registers: [r],
    });
  }

  /** A room's tick threw: the room was closed (its players with 1011), the others ran on. */
  roomFailed(): void {
    this.roomFailures.inc();
  }

  observeTick(ms: number): void {
    this.tickDuration.observe(ms / 1000);
  }

  disconnect(code: number): void {
    this.disconnects.inc({ code: String(code), name: describeCloseCode(code) });
  }

  /** The exposition text and its Content-Type. */
  async scrape(): Promise<{ text: string; contentType: string }> {
    return { text: await this.registry.metrics(), contentType: this.registry.contentType };
  }
}
