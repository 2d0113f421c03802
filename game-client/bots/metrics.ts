/**
 * What a worker measures, as plain counters and histograms that sum across workers and
 * across reporting intervals. A worker keeps one Measures, sends it every interval
 * (then resets it), and the CLI adds the intervals up: the run total for the report,
 * the latest interval for the progress line.
 */
import { Histogram, type HistogramData } from './histogram.ts';

/** Counters: everything here is a sum (bots-seconds included), so merging is addition. */
export interface Counters {
  /** Bots whose connect() resolved (welcome received, map loaded). */
  connected: number;
  /** Bots that never got into a game. */
  failed: number;
  /** Bots that were in a game and lost it before the run ended. */
  disconnected: number;
  snapshots: number;
  bytesIn: number;
  bytesOut: number;
  inputsSent: number;
  /** Sum over bots of the time each was in a game, s: the denominator of per-bot rates. */
  botSeconds: number;
  /** Corrections (prediction differed from the server). */
  corrections: number;
  /** Worker loop wakes, and the ones that ran more than one tick interval late. */
  loopWakes: number;
  loopLateWakes: number;
  /** Own shots paired with the server's verdict (shot-judge.ts), and how they compared. */
  shotsJudged: number;
  shotsAgree: number;
  shotsFalseMiss: number;
  /** Of the false misses: the target was dead on the server by then (killed by another shot meanwhile). */
  shotsFalseMissDead: number;
  shotsFalseHit: number;
  /** Of the false hits: on a player this client did not draw at all (outside its view's cells). */
  shotsFalseHitUnseen: number;
  shotsWrongTarget: number;
  /** Of the judged: refused by the server, their view older than its rewind limit. */
  shotsBeyondRewind: number;
  /** A prediction no verdict answered (the server did not fire it: the shooter had just died, say). */
  shotsUnanswered: number;
  /** A verdict with no prediction of its seq (the two sides' cooldowns disagreed). */
  shotsUnpredicted: number;
}

export const emptyCounters = (): Counters => ({
  connected: 0,
  failed: 0,
  disconnected: 0,
  snapshots: 0,
  bytesIn: 0,
  bytesOut: 0,
  inputsSent: 0,
  botSeconds: 0,
  corrections: 0,
  loopWakes: 0,
  loopLateWakes: 0,
  shotsJudged: 0,
  shotsAgree: 0,
  shotsFalseMiss: 0,
  shotsFalseMissDead: 0,
  shotsFalseHit: 0,
  shotsFalseHitUnseen: 0,
  shotsWrongTarget: 0,
  shotsBeyondRewind: 0,
  shotsUnanswered: 0,
  shotsUnpredicted: 0,
});

export function addCounters(into: Counters, from: Counters): void {
  for (const k of Object.keys(into) as (keyof Counters)[]) into[k] += from[k];
}

/** Histograms and their resolution. */
export const HISTOGRAMS = {
  /** Ping round trip, ms. */
  rttMs: 0.01,
  /** Time between consecutive snapshots at one bot, ms. */
  snapshotIntervalMs: 0.01,
  /** Input sent -> first snapshot acknowledging it, ms. */
  inputAckMs: 0.01,
  /** Prediction correction at each reconciliation, px. */
  predictionErrorPx: 0.01,
  /** Socket open requested -> game ready, ms. */
  connectMs: 0.01,
  /** How late the worker's loop woke against its schedule, ms. */
  loopLagMs: 0.01,
  /** How old, in server time, the others are as drawn: server time now - render time, ms (fight only). */
  viewLatencyMs: 0.01,
  /** The interpolator's own delay behind the newest server time the stream could bring, ms, on the same frames. */
  interpolationDelayMs: 0.01,
} as const;

export type HistogramName = keyof typeof HISTOGRAMS;

export interface MeasuresData {
  counters: Counters;
  histograms: Record<HistogramName, HistogramData>;
  /** Counts by key, e.g. close code "4003" -> 2, or failure reason -> count. */
  disconnectCodes: Record<string, number>;
  failReasons: Record<string, number>;
  /** Players per room code (bots that joined it during the interval). */
  rooms: Record<string, number>;
}

export class Measures {
  counters = emptyCounters();
  readonly h: Record<HistogramName, Histogram>;
  disconnectCodes: Record<string, number> = {};
  failReasons: Record<string, number> = {};
  rooms: Record<string, number> = {};

  constructor() {
    const h = {} as Record<HistogramName, Histogram>;
    for (const [name, unit] of Object.entries(HISTOGRAMS)) h[name as HistogramName] = new Histogram(unit);
    this.h = h;
  }

  static from(data: MeasuresData): Measures {
    const m = new Measures();
    m.add(data);
    return m;
  }

  add(d: MeasuresData): void {
    addCounters(this.counters, d.counters);
    for (const name of Object.keys(HISTOGRAMS) as HistogramName[]) this.h[name].add(d.histograms[name]);
    addCounts(this.disconnectCodes, d.disconnectCodes);
    addCounts(this.failReasons, d.failReasons);
    addCounts(this.rooms, d.rooms);
  }

  toData(): MeasuresData {
    const histograms = {} as Record<HistogramName, HistogramData>;
    for (const name of Object.keys(HISTOGRAMS) as HistogramName[]) histograms[name] = this.h[name].toData();
    return {
      counters: { ...this.counters },
      histograms,
      disconnectCodes: { ...this.disconnectCodes },
      failReasons: { ...this.failReasons },
      rooms: { ...this.rooms },
    };
  }

  reset(): void {
    this.counters = emptyCounters();
    for (const h of Object.values(this.h)) h.reset();
    this.disconnectCodes = {};
    this.failReasons = {};
    this.rooms = {};
  }
}

export function addCounts(into: Record<string, number>, from: Record<string, number>): void {
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v;
}
