/**
 * One load-test run, on the CLI's main thread: reads the server's stats, spreads the
 * bots over worker threads, shows progress, coordinates --rooms groups, and at the end
 * collects everything into the report. The main thread runs no bots: it stays free to
 * draw the progress line and to notice when workers fall behind.
 */
import { Worker } from 'node:worker_threads';
import type { BotsConfig } from './args.ts';
import { FIGHT_NOTE } from './behaviours.ts';
import { GhostJudge } from './ghost-judge.ts';
import { Measures } from './metrics.ts';
import { ProgressLine, formatProgress } from './progress.ts';
import { buildReport, type BotsReport } from './report.ts';
import { UnreachableError, fetchServerStats, type ServerStats } from './server-stats.ts';
import { hostOf, type IntervalReport, type RoomsUpdate, type SwarmConfig, type WorkerMessage } from './swarm.ts';

export interface RunIO {
  /** Progress and notes (stderr). */
  err: NodeJS.WriteStream;
  /** Resolves when the user asks to stop early (Ctrl-C). */
  interrupted: Promise<void>;
}

/** The run could not start or went wrong: the message is printed as is. */
export class RunError extends Error {
  /** 1: the run failed; 2: the options do not fit this server. */
  constructor(
    message: string,
    readonly exitCode: 1 | 2 = 1,
  ) {
    super(message);
  }
}

/** Bots start this long after the workers are spawned, so they all share one start time, ms. */
const START_DELAY_MS = 300;
const REPORT_EVERY_MS = 1000;
/** How long to wait for workers' final reports before terminating them, ms. */
const STOP_TIMEOUT_MS = 5000;
/**
 * Young-generation size of a worker's heap, MB. Decoding tens of thousands of snapshots
 * a second makes garbage fast; a larger nursery is swept less often and almost all of
 * it is dead by then (measured: GC time roughly halves against the default).
 */
const YOUNG_GEN_MB = Number(process.env.DUSTUP_BOTS_YOUNG_GEN_MB ?? 64);

interface WorkerState {
  worker: Worker;
  last: IntervalReport | null;
  done: boolean;
  exited: boolean;
}

export async function runLoadTest(cfg: BotsConfig, io: RunIO): Promise<BotsReport> {
  const note = (s: string): void => void io.err.write(`${s}\n`);

  // Reachability first: a missing server is one clear line, not a thousand failed bots.
  let statsBefore: ServerStats | null = null;
  let serverError: string | null = null;
  try {
    statsBefore = await fetchServerStats(cfg.statsUrl);
  } catch (err) {
    if (err instanceof UnreachableError) throw new RunError(`cannot reach ${cfg.wsUrl}: ${err.message}`);
    serverError = (err as Error).message;
    note(`note: ${serverError}; the report will have no server figures`);
  }

  if (cfg.rooms > 0) {
    const perRoom = Math.ceil(cfg.bots / cfg.rooms);
    const seats = statsBefore?.maxPlayers;
    if (seats !== undefined && perRoom > seats)
      throw new RunError(
        `--rooms ${cfg.rooms} puts up to ${perRoom} bots in a room, but the server's rooms have ${seats} seats: ` +
          `use --rooms ${Math.ceil(cfg.bots / seats)} or more`,
        2,
      );
    if (seats !== undefined && perRoom < seats)
      note(
        `note: rooms have ${seats} seats and quick play fills them before opening new ones, so the bots may ` +
          `share fewer than ${cfg.rooms} rooms; start the server with --max-players ${perRoom} for exactly ${cfg.rooms}`,
      );
  }
  if (cfg.behaviour === 'fight') note(`note: ${FIGHT_NOTE}`);

  const tickRate = statsBefore?.tickRate ?? 30;
  note(
    `dustup-bots: ${cfg.bots} ${cfg.behaviour} bots -> ${cfg.wsUrl}, ramp ${cfg.rampPerSec}/s, ${cfg.durationS} s, ` +
      `${cfg.workers} worker${cfg.workers === 1 ? '' : 's'}` +
      (cfg.latencyMs || cfg.jitterMs ? `, latency ${cfg.latencyMs} ms + jitter ${cfg.jitterMs} ms each way` : '') +
      `, seed ${cfg.seed}`,
  );

  const startedAt = new Date();
  const startEpochMs = Date.now() + START_DELAY_MS;
  const cpuStart = process.cpuUsage();
  const wallStart = performance.now();
  const total = new Measures();
  // The scorecard's ghost samples, paired once the run is over (fight only).
  const ghost = cfg.behaviour === 'fight' ? new GhostJudge(1000 / tickRate) : null;
  const workers: WorkerState[] = [];
  let fatal: string | null = null;
  // Mean worker busyness over every full interval of the run.
  let busyTotal = 0;
  let busyIntervals = 0;

  // ---- --rooms: group hosts open rooms one after another, followers join by code ----
  const groupSettled = new Array<number>(cfg.rooms).fill(0);
  const groupSize = (g: number): number => hostOf(g + 1, cfg.bots, cfg.rooms) - hostOf(g, cfg.bots, cfg.rooms);
  let openGroups = 1;
  const broadcast = (u: RoomsUpdate): void => {
    for (const w of workers) if (!w.exited) w.worker.postMessage(u);
  };
  const onSettled = (group: number, host: boolean, code: string): void => {
    const codes: Record<number, string> = {};
    if (host) codes[group] = code;
    groupSettled[group]!++;
    const before = openGroups;
    while (openGroups < cfg.rooms && groupSettled[openGroups - 1]! >= groupSize(openGroups - 1)) openGroups++;
    if (host || openGroups !== before) broadcast({ type: 'rooms', codes, openGroups });
  };

  let finishRequested: () => void = () => {};
  const finished = new Promise<void>((resolve) => (finishRequested = resolve));

  for (let i = 0; i < cfg.workers; i++) {
    const swarmCfg: SwarmConfig = {
      url: cfg.wsUrl,
      totalBots: cfg.bots,
      workerIndex: i,
      workers: cfg.workers,
      rampPerSec: cfg.rampPerSec,
      behaviour: cfg.behaviour,
      latencyMs: cfg.latencyMs,
      jitterMs: cfg.jitterMs,
      budget: cfg.budget,
      seed: cfg.seed,
      namePrefix: cfg.namePrefix,
      room: cfg.room,
      rooms: cfg.rooms,
      seat: cfg.seat,
      reconnect: cfg.reconnect,
      startEpochMs,
      tickRate,
      reportEveryMs: REPORT_EVERY_MS,
    };
    const worker = new Worker(new URL('./worker-entry.mjs', import.meta.url), {
      workerData: swarmCfg,
      resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GEN_MB },
    });
    const state: WorkerState = { worker, last: null, done: false, exited: false };
    workers.push(state);
    worker.on('message', (msg: WorkerMessage | { type: 'done' }) => {
      if (msg.type === 'interval') {
        total.add(msg.measures);
        if (msg.ghost) ghost?.add(msg.ghost);
        state.last = msg;
        if (!msg.final) {
          busyTotal += msg.busy;
          busyIntervals++;
        }
      } else if (msg.type === 'settled') onSettled(msg.group, msg.host, msg.code);
      else if (msg.type === 'done') state.done = true;
    });
    worker.on('error', (err) => {
      fatal ??= `a bot worker crashed: ${err.stack ?? err.message}`;
      finishRequested();
    });
    worker.on('exit', () => {
      state.exited = true;
      state.done = true;
    });
  }

  // ---- progress, and the end of the run ----
  const progress = new ProgressLine(io.err);
  const endAt = startEpochMs + cfg.durationS * 1000;
  const tick = setInterval(() => {
    const now = Date.now();
    const interval = new Measures();
    let playing = 0;
    let connecting = 0;
    let started = 0;
    let busy = 0;
    let reported = 0;
    for (const w of workers) {
      if (!w.last) continue;
      interval.add(w.last.measures);
      playing += w.last.playing;
      connecting += w.last.connecting;
      started += w.last.started;
      busy += w.last.busy;
      reported++;
    }
    const c = total.counters;
    progress.show(
      formatProgress({
        elapsedS: Math.max(0, (now - startEpochMs) / 1000),
        target: cfg.bots,
        playing,
        connecting,
        failed: c.failed,
        disconnected: c.disconnected,
        interval,
        busy: reported ? busy / reported : 0,
      }),
      now,
    );
    // Nothing left to measure: every bot was started and has failed or left.
    if (reported === workers.length && started >= cfg.bots && playing === 0 && connecting === 0) finishRequested();
  }, REPORT_EVERY_MS);
  const endTimer = setTimeout(finishRequested, Math.max(0, endAt - Date.now()));

  await Promise.race([finished, io.interrupted]);
  clearInterval(tick);
  clearTimeout(endTimer);
  progress.done();
  const elapsedS = (Date.now() - startEpochMs) / 1000;

  // The server's figures are read while the bots are still connected.
  let statsAfter: ServerStats | null = null;
  if (statsBefore) {
    try {
      // The tick percentiles over this run's own ticks (a server too old for ?since ignores it).
      statsAfter = await fetchServerStats(cfg.statsUrl, undefined, statsBefore.ticks);
    } catch (err) {
      serverError = `could not read the server's stats at the end: ${(err as Error).message}`;
    }
  }
  const cpu = process.cpuUsage(cpuStart);
  const wallMs = performance.now() - wallStart;

  for (const w of workers) if (!w.exited) w.worker.postMessage({ type: 'stop' });
  const deadline = Date.now() + STOP_TIMEOUT_MS + cfg.latencyMs + cfg.jitterMs;
  while (workers.some((w) => !w.done) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  let started = 0;
  for (const w of workers) started += w.last?.started ?? 0;
  for (const w of workers) await w.worker.terminate();
  const playingAtEnd = Math.max(0, total.counters.connected - total.counters.disconnected);
  if (fatal) throw new RunError(fatal);

  return buildReport({
    config: cfg,
    measures: total,
    startedAt,
    elapsedS,
    started,
    playingAtEnd,
    busy: busyIntervals ? busyTotal / busyIntervals : null,
    processCpuPercent: wallMs > 0 ? ((cpu.user + cpu.system) / 1000 / wallMs) * 100 : null,
    statsBefore,
    statsAfter,
    serverError,
    ghost: ghost?.finish() ?? null,
  });
}
