/**
 * The shapes GameClient is configured with and reports (options, views, stats), and how
 * it describes a close: apart from the class so callers can read its contract in one
 * place.
 */
import { closeCodeName, type CollisionMap, type EntityState } from '../../../protocol/index.ts';
import type { ClockSyncOptions } from './clock-sync.ts';
import type { WebSocketCtor } from './connection.ts';
import type { InputSenderOptions } from './input-sender.ts';
import type { InterpolatorOptions } from './interpolator.ts';
import type { ReconcilerOptions } from './reconciler.ts';
import type { ReconnectOptions } from './reconnect.ts';
import type { SeatAsk } from './seat.ts';
import type { Clock } from '../../../protocol/clock.ts';

export type MapSource = CollisionMap | ((mapId: string) => Promise<CollisionMap>);

export interface GameClientOptions {
  /** WebSocket URL, e.g. ws://host:8080/ws. */
  url: string;
  /** Display name; sanitized as the server will (protocol sanitizeName). */
  name: string;
  /** Room code to join (case-insensitive); "" or absent = quick play. */
  room?: string;
  /**
   * Snapshot bytes per second to ask the server for at most (Hello.maxBytesPerSecond):
   * a slow or metered link asks for less. Absent: the server's limit.
   */
  maxBytesPerSecond?: number;
  /** With room CREATE_PRIVATE_ROOM: the new room's round length, s (protocol 6; 0 or absent: none). */
  roundSeconds?: number;
  /** WebSocket constructor; default globalThis.WebSocket (pass the `ws` package in Node 20). */
  WebSocket?: WebSocketCtor;
  /** Local clock, ms; default performance.now. update() and message arrivals both use it. */
  now?: Clock['now'];
  /**
   * The collision map for prediction, or a loader given the welcome's mapId. Default:
   * fetch /assets/maps/<mapId>.json from the server the URL points at.
   */
  map?: MapSource;
  /** Ping every this many ms once synced (default 1000). */
  pingIntervalMs?: number;
  /** The first this many pings go out fast (default 5) ... */
  fastPings?: number;
  /** ... this many ms apart (default 200), so RTT and offset are good within a second. */
  fastPingIntervalMs?: number;
  inputs?: InputSenderOptions;
  reconciler?: ReconcilerOptions;
  interpolator?: InterpolatorOptions;
  /**
   * Keep the other players' snapshots for interpolation (default true). A headless bot
   * that never draws them passes false: every snapshot is still decoded and reconciled,
   * only the per-snapshot entity list for remotePlayers() is skipped (it stays empty).
   */
  interpolate?: boolean;
  clock?: ClockSyncOptions;
  /**
   * After the game started, come back by itself when the connection is lost (default
   * false: the first close is final and onClose reports it). With it, a lost socket, a
   * server restart (4010) and the like put the client in state 'reconnecting': it tries
   * again from update() with exponential backoff and jitter, presenting the Welcome's
   * resume token to get the same player back (onReconnected(true)); if the server no
   * longer has it (4011 ResumeRefused, e.g. after a restart) it joins afresh as a new
   * player (onReconnected(false)). Refusals (4000-4007 and the like), close() and
   * running out of attempts end it: onClose then reports the last close.
   */
  reconnect?: boolean | ReconnectOptions;
  /**
   * Ask the node at `url` where to play before each fresh join (POST /api/seat, README
   * §14) and connect to the node it names with the seat ticket: true for HTTP to `url`'s
   * host, or a function of one's own. A refused ticket (4012) or a node that lost its
   * lease (4013) is answered by asking again, by itself. Default false: connect to `url`.
   */
  seat?: boolean | SeatAsk;
}

export type ClientState = 'idle' | 'connecting' | 'loading' | 'ready' | 'reconnecting' | 'closed';

/** Why and when a reconnecting client tries next (onReconnecting). */
export interface ReconnectAttempt {
  /** 1 for the first retry after a loss, then 2, 3, ... */
  attempt: number;
  /** Milliseconds until the attempt. */
  delayMs: number;
  /** The close that caused it. */
  code: number;
  reason: string;
}

/**
 * A player as it should be drawn now: the one player shape (protocol EntityState) in
 * px, px/s and radians (aim: in [0, 2π) for remote players; as set, for the own
 * player), plus its roster name.
 */
export interface PlayerView extends EntityState {
  name: string;
}

/**
 * The own player: predicted and smoothed; velocity of the latest prediction; the aim
 * set locally (not waiting for the server).
 */
export type LocalPlayerView = PlayerView;

/** The own blaster's shot as this client draws it at once (px; hitId -1: none). */
export interface LocalShot {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  hitId: number;
  /** The aim byte it flew along. */
  aim: number;
  /** The Input seq whose Fire it is (the server's Shot event carries it back, protocol 6). */
  seq: number;
}

/** Another player at render time (interpolated). */
export type RemotePlayerView = PlayerView;

export interface ClientStats {
  /** Latest ping round trip, ms (NaN before the first pong). */
  rtt: number;
  /** Smoothed RTT, ms. */
  rttSmoothed: number;
  /** Server clock minus local clock, ms (from the lowest-RTT pongs). */
  clockOffset: number;
  /** Snapshots per second actually received. */
  snapshotRate: number;
  /** Snapshot arrival jitter, ms. */
  snapshotJitter: number;
  /** How far in the past remote players are drawn, ms. */
  interpolationDelay: number;
  /** The delay the interpolator is steering toward, ms. */
  interpolationTarget: number;
  /**
   * How old, in server time, a shot fired now would be when it reaches the server (the
   * others' render time against the server clock, plus half the RTT), ms.
   */
  viewAge: number;
  /** The server's rewind limit (the Welcome's), ms: shots from an older view are refused. */
  rewindLimit: number;
  /** 'ok'; 'capped': the delay is held below what the jitter asks for, to stay in the limit; 'beyond': the network alone exceeds it. */
  viewLimit: 'ok' | 'capped' | 'beyond';
  bytesInPerSec: number;
  bytesOutPerSec: number;
  /** Distance of the last prediction correction, px (0 = prediction was exact). */
  predictionError: number;
  /** Largest correction during the last second, px. */
  predictionErrorMax: number;
  /** Snapshots that corrected the prediction, in total. */
  corrections: number;
  /** Inputs sent and not yet acknowledged. */
  pendingInputs: number;
  tickRate: number;
  inputsSent: number;
  snapshotsReceived: number;
}

/** connect() rejects with this when the socket closes before the game could start. */
export class ConnectError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
  ) {
    super(`connection closed before the game started: ${describeClose(code, reason)}`);
    this.name = 'ConnectError';
  }
}

/** Standard codes a browser or `ws` reports itself (the server's own are in protocol). */
const STANDARD_CLOSE: Record<number, string> = {
  1001: 'GoingAway',
  1005: 'NoStatus',
  1006: 'Abnormal (network error, or the server could not be reached)',
  1011: 'ServerError',
};

/** "RoomNotFound (4004): no room ABCD": for error messages and the connection-lost screen. */
export function describeClose(code: number, reason: string): string {
  const name = STANDARD_CLOSE[code] ?? closeCodeName(code);
  const label = name === `code ${code}` ? `code ${code}` : `${name} (${code})`;
  return reason ? `${label}: ${reason}` : label;
}

