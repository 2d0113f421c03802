/**
 * The end-of-run report: one object built from the merged measures and the server's
 * stats, written as JSON (--json) and printed as a table. It also judges the run: a
 * run where most bots never connected, or snapshots came far below the server's rate,
 * is a failed run (exit code 1), whatever the other figures say.
 */
import { closeCodeName } from '../../protocol/index.ts';
import type { BotsConfig } from './args.ts';
import type { GhostFigures } from './ghost-judge.ts';
import type { Histogram } from './histogram.ts';
import type { Measures } from './metrics.ts';
import { inputBufferFigures, serverCpuPercent, type InputBufferFigures, type ServerStats } from './server-stats.ts';

export interface Percentiles {
  p50: number | null;
  p95: number | null;
  p99: number | null;
  mean: number | null;
  max: number | null;
  samples: number;
}

export interface BotsReport {
  tool: 'dustup-bots';
  reportVersion: 1;
  startedAt: string;
  /** Wall time from the first bot's start to the stop, s. */
  elapsedS: number;
  config: {
    url: string;
    bots: number;
    rampPerSec: number;
    durationS: number;
    room: string | null;
    rooms: number | null;
    behaviour: string;
    latencyMs: number;
    jitterMs: number;
    /** Hello.maxBytesPerSecond each bot asked for; null: none. */
    budget: number | null;
    workers: number;
    seed: number;
  };
  bots: {
    target: number;
    started: number;
    connected: number;
    failed: number;
    /** In a game, then lost it before the end. */
    disconnected: number;
    /** Close code -> count, for the disconnected ones. */
    disconnectedByCode: Record<string, number>;
    /** Why connections failed -> count. */
    failedByReason: Record<string, number>;
    /** In a game when the run stopped. */
    playingAtEnd: number;
  };
  rooms: { count: number; minPlayers: number | null; maxPlayers: number | null };
  connectMs: Percentiles;
  rttMs: Percentiles;
  snapshots: {
    perBotPerSec: number | null;
    /** What the server says it sends (its snapshot rate). */
    expectedPerSec: number | null;
    intervalMeanMs: number | null;
    intervalP50Ms: number | null;
    intervalP99Ms: number | null;
    /** p99 - p50 of the arrival interval, ms. */
    jitterMs: number | null;
    samples: number;
  };
  /** Input sent -> first snapshot whose ackSeq covers it. */
  inputAckMs: Percentiles;
  /** Correction at each reconciliation (0 = the prediction was exact). */
  predictionErrorPx: Percentiles & { corrections: number };
  /** The netcode scorecard (fight bots only; null otherwise): what players feel. */
  netcode: NetcodeScorecard | null;
  bytes: {
    /** WebSocket payload bytes (frame headers not included). */
    inPerBotPerSec: number | null;
    outPerBotPerSec: number | null;
    totalIn: number;
    totalOut: number;
  };
  /** From the server's /api/stats; null if it could not be read. */
  server: {
    /** Over the run's own ticks (tickSamples of them), when the server reports its window. */
    tickP50Ms: number;
    tickP99Ms: number;
    /** Ticks the percentiles cover; null: a server without ?since (its last 1024). */
    tickSamples: number | null;
    /** The server's input buffer during the run; null from a server that does not report it. */
    inputBuffer: InputBufferFigures | null;
    tickOverruns: number;
    /** CPU use of the server process during the run, % of one core. */
    cpuPercent: number | null;
    rssBytes: number;
    players: number;
    rooms: number;
  } | null;
  serverError: string | null;
  /** The load generator itself: if it was busy, the figures above include its delays. */
  generator: {
    workers: number;
    /** Mean event-loop utilisation of the worker threads, 0..1. */
    busy: number | null;
    loopLagP50Ms: number | null;
    loopLagP99Ms: number | null;
    /** CPU of the whole bots process during the run, % of one core. */
    processCpuPercent: number | null;
  };
  sanity: { ok: boolean; problems: string[]; warnings: string[] };
}

/**
 * Shares are of the judged shots (own shots paired with the server's verdict by input
 * seq, see shot-judge.ts), 0..1; null with none judged.
 */
export interface NetcodeScorecard {
  shots: {
    judged: number;
    agree: number;
    /** Agreement: the screen and the server named the same target (or both none). */
    agreement: number | null;
    /** The screen showed a hit, the server none (refused shots included). */
    falseMisses: number;
    falseMissShare: number | null;
    /** Of the false misses: at a target already dead on the server (killed meanwhile by another shot). */
    falseMissesOnDead: number;
    /** The screen showed a miss, the server a hit. */
    falseHits: number;
    falseHitShare: number | null;
    /** Of the false hits: on a player the screen did not draw at all (outside the cells it is sent). */
    falseHitsUnseen: number;
    /** Both hit, different players. */
    wrongTarget: number;
    /** Refused by the server: the view was older than its rewind limit. */
    beyondRewind: number;
    beyondRewindShare: number | null;
    /** Not judged: predictions no verdict answered, and verdicts with no prediction. */
    unanswered: number;
    unpredicted: number;
  };
  /** How old, in server time, the others are as drawn (clock-sync server time now - render time). */
  viewLatencyMs: Percentiles;
  /** The interpolator's own delay on the same frames: view latency less the trip down, roughly. */
  interpolationDelayMs: Percentiles;
  /**
   * Drawn position - the server's at the same server time, px: over every sampled
   * observer's drawn players, and over each one's nearest ten.
   */
  ghostPx: Percentiles;
  ghostNearestTenPx: Percentiles;
  /** Drawn samples that could not be paired with the truth (see ghost-judge.ts). */
  ghostUnmatched: number;
  /** What "drawn" means for a headless bot. */
  drawn: string;
}

export interface RunSummary {
  config: BotsConfig;
  measures: Measures;
  startedAt: Date;
  elapsedS: number;
  started: number;
  playingAtEnd: number;
  busy: number | null;
  processCpuPercent: number | null;
  statsBefore: ServerStats | null;
  statsAfter: ServerStats | null;
  serverError: string | null;
  /** The paired ghost samples (fight runs; null or absent otherwise). */
  ghost?: GhostFigures | null;
}

const r2 = (v: number): number | null => (Number.isFinite(v) ? Math.round(v * 100) / 100 : null);

function percentiles(h: Histogram): Percentiles {
  return {
    p50: r2(h.percentile(0.5)),
    p95: r2(h.percentile(0.95)),
    p99: r2(h.percentile(0.99)),
    mean: r2(h.mean),
    max: h.count > 0 ? r2(h.max) : null,
    samples: h.count,
  };
}

export function buildReport(run: RunSummary): BotsReport {
  const { config: cfg, measures: m } = run;
  const c = m.counters;
  const perBot = (v: number): number | null => (c.botSeconds > 0 ? r2(v / c.botSeconds) : null);
  const si = m.h.snapshotIntervalMs;
  const roomSizes = Object.values(m.rooms);
  const before = run.statsBefore;
  const after = run.statsAfter;
  const expected = after?.snapshotRate ?? before?.snapshotRate ?? null;

  const report: BotsReport = {
    tool: 'dustup-bots',
    reportVersion: 1,
    startedAt: run.startedAt.toISOString(),
    elapsedS: r2(run.elapsedS) ?? 0,
    config: {
      url: cfg.wsUrl,
      bots: cfg.bots,
      rampPerSec: cfg.rampPerSec,
      durationS: cfg.durationS,
      room: cfg.room || null,
      rooms: cfg.rooms || null,
      behaviour: cfg.behaviour,
      latencyMs: cfg.latencyMs,
      jitterMs: cfg.jitterMs,
      budget: cfg.budget || null,
      workers: cfg.workers,
      seed: cfg.seed,
    },
    bots: {
      target: cfg.bots,
      started: run.started,
      connected: c.connected,
      failed: c.failed,
      disconnected: c.disconnected,
      disconnectedByCode: { ...m.disconnectCodes },
      failedByReason: { ...m.failReasons },
      playingAtEnd: run.playingAtEnd,
    },
    rooms: {
      count: roomSizes.length,
      minPlayers: roomSizes.length ? Math.min(...roomSizes) : null,
      maxPlayers: roomSizes.length ? Math.max(...roomSizes) : null,
    },
    connectMs: percentiles(m.h.connectMs),
    rttMs: percentiles(m.h.rttMs),
    snapshots: {
      perBotPerSec: perBot(c.snapshots),
      expectedPerSec: expected,
      intervalMeanMs: r2(si.mean),
      intervalP50Ms: r2(si.percentile(0.5)),
      intervalP99Ms: r2(si.percentile(0.99)),
      jitterMs: r2(si.percentile(0.99) - si.percentile(0.5)),
      samples: si.count,
    },
    inputAckMs: percentiles(m.h.inputAckMs),
    predictionErrorPx: { ...percentiles(m.h.predictionErrorPx), corrections: c.corrections },
    netcode: cfg.behaviour === 'fight' ? scorecard(m, run.ghost ?? null) : null,
    bytes: {
      inPerBotPerSec: perBot(c.bytesIn),
      outPerBotPerSec: perBot(c.bytesOut),
      totalIn: c.bytesIn,
      totalOut: c.bytesOut,
    },
    server: after
      ? {
          tickP50Ms: r2(after.tickP50Ms) ?? 0,
          tickP99Ms: r2(after.tickP99Ms) ?? 0,
          tickSamples: after.tickWindow && before?.ticks !== undefined ? after.tickWindow.count : null,
          inputBuffer: inputBufferFigures(before, after),
          tickOverruns: after.tickOverruns - (before?.tickOverruns ?? 0),
          cpuPercent: before ? r2(serverCpuPercent(before, after)) : null,
          rssBytes: after.rssBytes,
          players: after.players,
          rooms: after.rooms,
        }
      : null,
    serverError: run.serverError,
    generator: {
      workers: cfg.workers,
      busy: run.busy === null ? null : r2(run.busy),
      loopLagP50Ms: r2(m.h.loopLagMs.percentile(0.5)),
      loopLagP99Ms: r2(m.h.loopLagMs.percentile(0.99)),
      processCpuPercent: run.processCpuPercent === null ? null : r2(run.processCpuPercent),
    },
    sanity: { ok: true, problems: [], warnings: [] },
  };
  judge(report);
  return report;
}

function scorecard(m: Measures, ghost: GhostFigures | null): NetcodeScorecard {
  const c = m.counters;
  const share = (n: number): number | null => (c.shotsJudged > 0 ? Math.round((n / c.shotsJudged) * 10000) / 10000 : null);
  const none = percentilesOfNothing();
  return {
    shots: {
      judged: c.shotsJudged,
      agree: c.shotsAgree,
      agreement: share(c.shotsAgree),
      falseMisses: c.shotsFalseMiss,
      falseMissShare: share(c.shotsFalseMiss),
      falseMissesOnDead: c.shotsFalseMissDead,
      falseHits: c.shotsFalseHit,
      falseHitShare: share(c.shotsFalseHit),
      falseHitsUnseen: c.shotsFalseHitUnseen,
      wrongTarget: c.shotsWrongTarget,
      beyondRewind: c.shotsBeyondRewind,
      beyondRewindShare: share(c.shotsBeyondRewind),
      unanswered: c.shotsUnanswered,
      unpredicted: c.shotsUnpredicted,
    },
    viewLatencyMs: percentiles(m.h.viewLatencyMs),
    interpolationDelayMs: percentiles(m.h.interpolationDelayMs),
    ghostPx: ghost ? percentiles(ghost.all) : none,
    ghostNearestTenPx: ghost ? percentiles(ghost.nearest) : none,
    ghostUnmatched: ghost?.unmatched ?? 0,
    drawn: "the client's Interpolator sampled at every bot update (the server's tick rate)",
  };
}

function percentilesOfNothing(): Percentiles {
  return { p50: null, p95: null, p99: null, mean: null, max: null, samples: 0 };
}

/** Fill in report.sanity: problems fail the run, warnings are printed. */
function judge(r: BotsReport): void {
  const { problems, warnings } = r.sanity;
  const b = r.bots;
  if (b.connected * 2 < b.target) problems.push(`only ${b.connected} of ${b.target} bots connected`);
  else if (b.playingAtEnd * 2 < b.target)
    problems.push(`only ${b.playingAtEnd} of ${b.target} bots were still in the game at the end`);
  const rate = r.snapshots.perBotPerSec;
  const expected = r.snapshots.expectedPerSec;
  if (b.connected > 0 && expected !== null && (rate ?? 0) < expected / 2)
    problems.push(`bots received ${rate ?? 0} snapshots/s, under half the server's ${expected}/s`);
  if (b.connected > 0 && r.rttMs.samples === 0) problems.push('no ping was ever answered');
  if (b.failed > 0) warnings.push(`${b.failed} bots failed to connect (${describeCounts(b.failedByReason)})`);
  if (b.disconnected > 0)
    warnings.push(`${b.disconnected} bots were disconnected (${describeCounts(codeNames(b.disconnectedByCode))})`);
  const lag = r.generator.loopLagP99Ms;
  if ((lag !== null && lag > 50) || (r.generator.busy !== null && r.generator.busy > 0.9))
    warnings.push(
      `the bot workers fell behind (busy ${pct(r.generator.busy)}, loop lag p99 ${lag} ms): the figures include ` +
        'their own delays; use more --workers or fewer bots per worker',
    );
  if (r.config.rooms !== null && r.rooms.count !== r.config.rooms)
    warnings.push(
      `asked for ${r.config.rooms} rooms, the bots ended up in ${r.rooms.count} (quick play fills public rooms ` +
        'before opening new ones: start the server with --max-players <bots per room>)',
    );
  if (r.server === null) warnings.push(`no server figures: ${r.serverError ?? 'stats not read'}`);
  r.sanity.ok = problems.length === 0;
}

function codeNames(byCode: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [code, n] of Object.entries(byCode)) out[`${code} ${closeCodeName(Number(code))}`] = n;
  return out;
}

function describeCounts(counts: Record<string, number>): string {
  return Object.entries(counts)
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${n} x ${k}`)
    .join(', ');
}

const pct = (v: number | null): string => (v === null ? '-' : `${Math.round(v * 100)}%`);
const pct2 = (v: number | null): string => (v === null ? '-' : `${(v * 100).toFixed(2)}%`);
const num = (v: number | null | undefined, digits = 1): string => (v === null || v === undefined ? '-' : v.toFixed(digits));

/** The report as an aligned table for a terminal. */
export function formatReport(r: BotsReport): string {
  const rows: [string, string][] = [];
  const section = (title: string): void => {
    rows.push(['', '']);
    rows.push([title, '']);
  };
  const row = (k: string, v: string): void => {
    rows.push([`  ${k}`, v]);
  };
  const p3 = (p: Percentiles, unit: string, digits = 1): string =>
    p.samples === 0 ? '-' : `p50 ${num(p.p50, digits)}  p95 ${num(p.p95, digits)}  p99 ${num(p.p99, digits)} ${unit}  (${p.samples} samples)`;

  const c = r.config;
  rows.push([
    'dustup-bots report',
    `${c.bots} ${c.behaviour} bots, ${r.elapsedS.toFixed(1)} s, ${c.url}` +
      (c.latencyMs || c.jitterMs ? `, latency ${c.latencyMs}+${c.jitterMs} ms each way` : '') +
      (c.budget ? `, asking ${c.budget} B/s` : ''),
  ]);
  section('bots');
  row('connected', `${r.bots.connected} / ${r.bots.target}` + (r.bots.started < r.bots.target ? ` (${r.bots.started} started)` : ''));
  row('failed', r.bots.failed ? `${r.bots.failed}  (${describeCounts(r.bots.failedByReason)})` : '0');
  row(
    'disconnected',
    r.bots.disconnected ? `${r.bots.disconnected}  (${describeCounts(codeNames(r.bots.disconnectedByCode))})` : '0',
  );
  row('rooms', r.rooms.count ? `${r.rooms.count} (${r.rooms.minPlayers}..${r.rooms.maxPlayers} bots each)` : '0');
  row('connect time', p3(r.connectMs, 'ms'));
  section('network (as the bots see it)');
  row('RTT', p3(r.rttMs, 'ms'));
  const s = r.snapshots;
  row('snapshots', `${num(s.perBotPerSec)}/s per bot (server sends ${s.expectedPerSec ?? '?'}/s)`);
  row('snapshot interval', `mean ${num(s.intervalMeanMs)} ms, p50 ${num(s.intervalP50Ms)}, p99 ${num(s.intervalP99Ms)}, jitter (p99-p50) ${num(s.jitterMs)} ms`);
  row('input -> ack', p3(r.inputAckMs, 'ms'));
  row('prediction error', `${p3(r.predictionErrorPx, 'px', 2)}, ${r.predictionErrorPx.corrections} corrections`);
  row('bytes per bot', `in ${num(kb(r.bytes.inPerBotPerSec), 2)} KB/s, out ${num(kb(r.bytes.outPerBotPerSec), 2)} KB/s (payload)`);
  const n = r.netcode;
  if (n) {
    section('netcode scorecard (fight)');
    const sh = n.shots;
    row(
      'hit agreement',
      sh.judged === 0
        ? 'no shots judged'
        : `${pct2(sh.agreement)} of ${sh.judged} shots; false misses ${pct2(sh.falseMissShare)} (${sh.falseMissesOnDead} on a target just killed), false hits ${pct2(sh.falseHitShare)} (${sh.falseHitsUnseen} on a player not drawn), ` +
            `wrong target ${sh.wrongTarget}, beyond rewind ${pct2(sh.beyondRewindShare)}; not judged: ${sh.unanswered} unanswered, ${sh.unpredicted} unpredicted`,
    );
    row('view latency', p3(n.viewLatencyMs, 'ms'));
    row('interpolation delay', p3(n.interpolationDelayMs, 'ms'));
    row('ghost error', p3(n.ghostPx, 'px', 2));
    row('ghost, nearest ten', p3(n.ghostNearestTenPx, 'px', 2) + (n.ghostUnmatched ? `, ${n.ghostUnmatched} unmatched` : ''));
  }
  section('server');
  if (r.server) {
    const window = r.server.tickSamples === null ? 'last 1024 ticks' : `the run's ${r.server.tickSamples} ticks`;
    row('tick duration', `p50 ${num(r.server.tickP50Ms, 2)} ms, p99 ${num(r.server.tickP99Ms, 2)} ms (${window}), ${r.server.tickOverruns} overruns`);
    const ib = r.server.inputBuffer;
    if (ib)
      row(
        'input buffer',
        `depth mean ${num(ib.meanDepth, 2)} inputs, wait mean ${num(ib.meanWaitMs)} ms, ` +
          `starved ${ib.starvations} of ${ib.ticks} player-ticks (${num(ib.starvedPerMille)}‰; ` +
          `${ib.starvedBehind} more on ticks the server ran late), ${ib.catchUps} catch-ups`,
      );
    row('CPU', `${num(r.server.cpuPercent)}% of a core, RSS ${Math.round(r.server.rssBytes / 1048576)} MB`);
    row('players / rooms', `${r.server.players} / ${r.server.rooms} at the end`);
  } else row('stats', r.serverError ?? 'not read');
  section('load generator');
  row(
    'workers',
    `${r.generator.workers}, busy ${pct(r.generator.busy)}, loop lag p50 ${num(r.generator.loopLagP50Ms)} p99 ${num(r.generator.loopLagP99Ms)} ms` +
      (r.generator.processCpuPercent !== null ? `, process CPU ${num(r.generator.processCpuPercent, 0)}%` : ''),
  );
  rows.push(['', '']);
  rows.push([r.sanity.ok ? 'result: OK' : 'result: FAILED', '']);
  for (const p of r.sanity.problems) rows.push([`  problem: ${p}`, '']);
  for (const w of r.sanity.warnings) rows.push([`  warning: ${w}`, '']);

  const width = Math.max(...rows.filter(([, v]) => v !== '').map(([k]) => k.length)) + 2;
  return rows.map(([k, v]) => (v === '' ? k : k.padEnd(width) + v)).join('\n');
}

const kb = (bytes: number | null): number | null => (bytes === null ? null : bytes / 1024);
