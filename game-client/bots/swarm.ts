/**
 * All the bots of one worker thread, driven by ONE timer: each wake starts the bots
 * whose ramp time has come and updates a slice of the others, so a tick's work is
 * spread over SLICES wakes instead of arriving as one burst of sends. Every second it
 * folds what the bots measured into a report for the CLI and starts a new interval.
 *
 * The wakes come from the server's drift-free FixedLoop (protocol/fixed-loop.ts) at
 * SLICES times the tick rate, skipping rather than catching up after a stall: a burst
 * of updates would be a burst of sends, and each bot's input sender catches up itself.
 *
 * No Node worker API here (worker.ts wires it to a MessagePort), so a test or a bench
 * can run a swarm in-process.
 */
import { performance } from 'node:perf_hooks';
import type { TimerClock } from '../../protocol/clock.ts';
import { FixedLoop, type TickInfo } from '../../protocol/fixed-loop.ts';
import type { CollisionMap } from '../../protocol/index.ts';
import { fetchMap } from '../src/net/client.ts';
import type { BehaviourName } from './behaviours.ts';
import { Bot, type BotEnvironment } from './bot.ts';
import { DelayScheduler } from '../src/net/delay-scheduler.ts';
import { GhostRecorder, type GhostSamples } from './ghost-samples.ts';
import { Measures, type MeasuresData } from './metrics.ts';
import { PathFinder } from './path-finder.ts';
import { systemClock } from '../src/net/system-clock.ts';

export interface SwarmConfig {
  /** ws://host:port/ws */
  url: string;
  /** Bots in the whole run (all workers). */
  totalBots: number;
  workerIndex: number;
  workers: number;
  /** Bots started per second, over the whole run. */
  rampPerSec: number;
  behaviour: BehaviourName;
  latencyMs: number;
  jitterMs: number;
  /** Hello.maxBytesPerSecond each bot asks for; 0 or absent: none. */
  budget?: number;
  seed: number;
  namePrefix: string;
  /** A room code every bot joins, or '' (quick play, or --rooms groups). */
  room: string;
  /** Split bots into this many room groups (0: no groups). */
  rooms: number;
  /** Join through POST /api/seat (cluster). */
  seat?: boolean;
  /** Reconnect by itself after a loss. */
  reconnect?: boolean;
  /** Date.now() at which bot 0 starts; bot i starts i / rampPerSec s later. */
  startEpochMs: number;
  /** Bots are updated this many times a second (the server's tick rate). */
  tickRate: number;
  /** Measures are reported this often, ms. */
  reportEveryMs: number;
}

export interface IntervalReport {
  type: 'interval';
  workerIndex: number;
  measures: MeasuresData;
  /** Bots in a game / still connecting, now. */
  playing: number;
  connecting: number;
  /** Bots of this worker that have been started. */
  started: number;
  /** Event-loop utilisation of this thread over the interval, 0..1. */
  busy: number;
  final: boolean;
  /** The scorecard's raw ghost samples of the interval (fight only). */
  ghost?: GhostSamples;
}

/** A bot of a --rooms group reached its room (code) or failed (''). */
export interface SettledReport {
  type: 'settled';
  group: number;
  /** Whether the bot is its group's host (the first bot, who opens the room). */
  host: boolean;
  code: string;
}

export type WorkerMessage = IntervalReport | SettledReport;

/** Main -> worker: room codes of the groups, and which groups' hosts may start. */
export interface RoomsUpdate {
  type: 'rooms';
  codes: Record<number, string>;
  /** Hosts of groups < openGroups may connect. */
  openGroups: number;
}

/** Ticks are split over this many wakes (each updates one slice of the bots). */
const SLICES = 4;
/**
 * Observers whose drawn positions are sampled for the ghost error, over the whole run:
 * enough for stable percentiles (about 24 x 30 frames x 24 players a second), few
 * enough that a 1,000-bot run does not ship gigabytes to the CLI.
 */
const GHOST_PROBES = 24;

/** Which --rooms group bot i is in (contiguous groups, sizes differ by at most one). */
export function groupOf(index: number, totalBots: number, rooms: number): number {
  return Math.floor((index * rooms) / totalBots);
}

/** The first bot of group g. */
export function hostOf(group: number, totalBots: number, rooms: number): number {
  return Math.ceil((group * totalBots) / rooms);
}

export class Swarm {
  readonly measures = new Measures();
  private readonly bots: Bot[] = [];
  /** Local (this.clock) start time of each of this worker's bots. */
  private readonly startAt: Float64Array;
  private nextStart = 0;
  /** Started bots waiting for their group's room code (or their turn to open a room). */
  private held: Bot[] = [];
  private readonly codes = new Map<number, string>();
  private openGroups = 1;
  private readonly scheduler: DelayScheduler;
  private readonly env: BotEnvironment;
  private readonly maps = new Map<string, Promise<CollisionMap>>();
  private readonly pathFinders = new WeakMap<CollisionMap, PathFinder>();
  private readonly ghost: GhostRecorder | null;

  private readonly loop: FixedLoop;
  private lastReport = 0;
  private elu = performance.eventLoopUtilization();
  private stopped = false;

  constructor(
    private readonly cfg: SwarmConfig,
    private readonly post: (msg: WorkerMessage) => void,
    private readonly clock: TimerClock = systemClock,
  ) {
    this.loop = new FixedLoop(cfg.tickRate * SLICES, this.wake, clock, { maxCatchUp: 1, late: 'skip' });
    this.scheduler = new DelayScheduler(clock);
    const now = (): number => clock.now();
    this.ghost = cfg.behaviour === 'fight' ? new GhostRecorder() : null;
    const probeEvery = Math.max(1, Math.ceil(cfg.totalBots / GHOST_PROBES));
    this.env = {
      ghost: this.ghost,
      probes: (index) => index % probeEvery === 0,
      url: cfg.url,
      behaviour: cfg.behaviour,
      latencyMs: cfg.latencyMs,
      jitterMs: cfg.jitterMs,
      budget: cfg.budget,
      seed: cfg.seed,
      namePrefix: cfg.namePrefix,
      seat: cfg.seat === true,
      reconnect: cfg.reconnect === true,
      scheduler: this.scheduler,
      measures: this.measures,
      loadMap: (id) => this.loadMap(id),
      pathsFor: (map) => this.pathsFor(map),
      now,
    };
    // Bots are dealt round-robin, so every worker ramps at the same pace.
    for (let i = cfg.workerIndex; i < cfg.totalBots; i += cfg.workers) this.bots.push(new Bot(i, this.env, this.settled));
    const localStart = clock.now() + (cfg.startEpochMs - Date.now());
    this.startAt = new Float64Array(this.bots.length);
    for (let k = 0; k < this.bots.length; k++) this.startAt[k] = localStart + (this.bots[k]!.index * 1000) / cfg.rampPerSec;
  }

  start(): void {
    this.lastReport = this.clock.now();
    this.elu = performance.eventLoopUtilization();
    this.loop.start();
  }

  /** New room codes / open groups from the CLI (only with --rooms). */
  updateRooms(u: RoomsUpdate): void {
    for (const [g, code] of Object.entries(u.codes)) this.codes.set(Number(g), code);
    this.openGroups = Math.max(this.openGroups, u.openGroups);
    this.releaseHeld();
  }

  /** End of run: leave, report the last interval, stop the timer. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.loop.stop();
    for (const b of this.bots) b.stop();
    this.report(this.clock.now(), true);
  }

  /** Time for queued close frames to leave when the run stops, ms. */
  get drainMs(): number {
    return this.cfg.latencyMs + this.cfg.jitterMs + 50;
  }

  private readonly wake = (info: TickInfo): void => {
    if (this.stopped) return;
    const now = this.clock.now();
    const m = this.measures;
    m.h.loopLagMs.record(info.lateness);
    m.counters.loopWakes++;
    if (info.lateness > this.loop.interval * SLICES) m.counters.loopLateWakes++;

    this.startDue(now);
    const bots = this.bots;
    const slice = info.tick % SLICES;
    for (let k = 0; k < bots.length; k++) {
      // A quarter is updated in full; the rest only send what fell due, so an input's
      // send time can move by a quarter of a tick as the server's InputTiming asks.
      if (k % SLICES === slice) bots[k]!.update(now);
      else bots[k]!.pump(now);
    }

    if (now - this.lastReport >= this.cfg.reportEveryMs) this.report(now, false);
  };

  private startDue(now: number): void {
    const bots = this.bots;
    while (this.nextStart < bots.length && this.startAt[this.nextStart]! <= now) {
      const bot = bots[this.nextStart++]!;
      if (!this.tryStart(bot)) this.held.push(bot);
    }
  }

  private tryStart(bot: Bot): boolean {
    const { room, rooms, totalBots } = this.cfg;
    if (rooms <= 0) {
      bot.start(room);
      return true;
    }
    const g = groupOf(bot.index, totalBots, rooms);
    if (bot.index === hostOf(g, totalBots, rooms)) {
      // A host opens its group's room with quick play once the groups before it are in.
      if (g >= this.openGroups) return false;
      bot.start('');
      return true;
    }
    const code = this.codes.get(g);
    if (code === undefined) return false;
    bot.start(code); // '' when the host failed: quick play
    return true;
  }

  private releaseHeld(): void {
    if (this.held.length === 0) return;
    this.held = this.held.filter((b) => !this.tryStart(b));
  }

  private readonly settled = (bot: Bot, code: string): void => {
    const { rooms, totalBots } = this.cfg;
    if (rooms <= 0) return;
    const group = groupOf(bot.index, totalBots, rooms);
    this.post({ type: 'settled', group, host: bot.index === hostOf(group, totalBots, rooms), code });
  };

  private report(now: number, final: boolean): void {
    let playing = 0;
    let connecting = 0;
    for (const b of this.bots) {
      b.account(now);
      if (b.phase === 'playing') playing++;
      else if (b.phase === 'connecting') connecting++;
    }
    const elu = performance.eventLoopUtilization(this.elu);
    this.elu = performance.eventLoopUtilization();
    this.post({
      type: 'interval',
      workerIndex: this.cfg.workerIndex,
      measures: this.measures.toData(),
      playing,
      connecting,
      started: this.nextStart - this.held.length,
      busy: elu.utilization,
      final,
      ...(this.ghost ? { ghost: this.ghost.take() } : {}),
    });
    this.measures.reset();
    this.lastReport = now;
  }

  private loadMap(id: string): Promise<CollisionMap> {
    let p = this.maps.get(id);
    if (!p) {
      p = fetchMap(this.cfg.url, id);
      // A failed fetch is not cached: the next bot tries again.
      p.catch(() => this.maps.delete(id));
      this.maps.set(id, p);
    }
    return p;
  }

  private pathsFor(map: CollisionMap): PathFinder {
    let pf = this.pathFinders.get(map);
    if (!pf) {
      pf = new PathFinder(map);
      this.pathFinders.set(map, pf);
    }
    return pf;
  }
}
