/**
 * One connection's game, from its Welcome on: the snapshot decoder, the interpolation
 * buffer, prediction and reconciliation, the input clock, pings, the viewport report
 * and local shot prediction. Everything here starts over with each connection (the
 * server sends full snapshots again, acks from 0 and expects input seq 1), so a new
 * NetSession is built whole for each Welcome, with every part in place from its
 * constructor.
 *
 * It owns no socket: messages come in through receive(), and what it sends goes out
 * through its host's send(). A recorded stream can drive it the same way.
 */
import {
  Button,
  ClientKind,
  DeltaError,
  EventType,
  Limits,
  POS_SCALE,
  REWIND_MARGIN_TICKS,
  REMOTE_POS_SCALE,
  ServerKind,
  SnapshotDecoder,
  VEL_SCALE,
  readSelfState,
  type ClientMessage,
  type CollisionMap,
  type InputMsg,
  type PlayerState,
  type ServerMessage,
  type SnapshotMsg,
  type WelcomeMsg,
} from '../../../protocol/index.ts';
import type { LocalShot } from './client-types.ts';
import type { ClockSync } from './clock-sync.ts';
import type { Controls } from './controls.ts';
import { InputSender, type InputSenderOptions } from './input-sender.ts';
import { Interpolator, type InterpolatorOptions } from './interpolator.ts';
import type { Listeners } from './listeners.ts';
import { Pinger, type PingOptions } from './pinger.ts';
import { Reconciler, type ReconcilerOptions } from './reconciler.ts';
import { ShotPredictor } from './shot-predictor.ts';

export interface SessionOptions extends PingOptions {
  inputs?: InputSenderOptions;
  reconciler?: ReconcilerOptions;
  interpolator?: InterpolatorOptions;
  /** Keep the others' snapshots for interpolation (default true); see GameClientOptions. */
  interpolate?: boolean;
}

/** What a session needs from whoever runs it. */
export interface SessionHost {
  /** Sends to the server; false when it cannot go out (the connection is closing). */
  send(msg: ClientMessage): boolean;
  /**
   * The snapshot stream cannot be followed (a delta against a baseline this side does
   * not have): a new connection, which starts from full snapshots, fixes it.
   */
  outOfSync(reason: string): void;
  /** Who draws the own shots; with nobody listening the trace is skipped. */
  readonly localShots: Listeners<[Readonly<LocalShot>]>;
}

/** A snapshot that came before the session existed (while the map loaded), with its arrival time. */
export interface EarlySnapshot {
  snap: SnapshotMsg;
  arrival: number;
}

/** What servers before protocol version 5 (no Welcome.maxRewindMs) rewound at most, ms. */
const LEGACY_REWIND_LIMIT_MS = 250;

export class NetSession {
  readonly welcome: WelcomeMsg;
  readonly map: CollisionMap;
  /** Shared with the previous session when the server resumed the player (same server clock). */
  readonly clock: ClockSync;
  readonly inputs: InputSender;
  readonly interpolator: Interpolator;
  readonly reconciler: Reconciler;
  /** Applies each snapshot's cell blocks to what this client can see. */
  private readonly decoder: SnapshotDecoder;
  private readonly pinger: Pinger;
  private readonly shots: ShotPredictor;
  private readonly interpolate: boolean;
  /** Viewport last reported on this connection (world px). */
  private readonly viewSent = { width: 0, height: 0 };
  /** The time of the latest update(), for a view time before any snapshot. */
  private now: number;
  /** The server's rewind limit, ms: a shot from a view older than this is refused. */
  readonly rewindLimitMs: number;
  /** Of the limit, what the server's input buffer and tick wait may take, ms. */
  private readonly rewindMarginMs: number;

  // Reused every tick: a bot process runs thousands of sessions.
  private readonly inputMsg: InputMsg = { kind: ClientKind.Input, seq: 0, buttons: 0, aim: 0 };
  private readonly serverState: PlayerState = { x: 0, y: 0, vx: 0, vy: 0 };

  /** `start`: local ms the input clock and the pings start from. */
  constructor(
    welcome: WelcomeMsg,
    map: CollisionMap,
    clock: ClockSync,
    private readonly host: SessionHost,
    private readonly controls: Readonly<Controls>,
    start: number,
    opts: SessionOptions = {},
  ) {
    if (map.id !== welcome.mapId) throw new Error(`server plays map "${welcome.mapId}" but the client was given "${map.id}"`);
    this.welcome = welcome;
    this.map = map;
    this.clock = clock;
    this.interpolate = opts.interpolate !== false;
    this.inputs = new InputSender(welcome.tickRate, opts.inputs);
    this.interpolator = new Interpolator(welcome.snapshotRate, opts.interpolator);
    // Remote positions come in 1/REMOTE_POS_SCALE px and displacements per snapshot;
    // the decoder turns them into the units of the own player's exact state.
    this.decoder = new SnapshotDecoder(POS_SCALE / REMOTE_POS_SCALE, (VEL_SCALE / REMOTE_POS_SCALE) * welcome.snapshotRate);
    this.reconciler = new Reconciler(map, welcome.tickRate, opts.reconciler);
    this.shots = new ShotPredictor(map, welcome.tickRate);
    this.pinger = new Pinger(start, opts);
    this.inputs.start(start);
    this.now = start;
    this.rewindLimitMs = welcome.maxRewindMs ?? LEGACY_REWIND_LIMIT_MS;
    this.rewindMarginMs = (REWIND_MARGIN_TICKS * 1000) / welcome.tickRate;
  }

  /**
   * How old, on the server's clock, a shot fired now would be when it reaches the
   * server: the others' render time against server time now, plus the Fire's one-way
   * trip (half the RTT). NaN before anything is drawn.
   */
  viewAge(now: number): number {
    return this.clock.serverNow(now) - this.interpolator.renderTime + this.fireTrip();
  }

  /**
   * The Fire input's one-way trip, ms: half the lowest RTT in the window. The lowest,
   * because the clock offset comes from the lowest-RTT pongs too: a page that handles a
   * pong a few frames late measures its RTT that much too long and its offset half that
   * too short, and only when both come from the same pongs do the errors cancel.
   */
  private fireTrip(): number {
    return this.clock.synced ? this.clock.minRtt / 2 : 0;
  }

  get playerId(): number {
    return this.welcome.playerId;
  }

  /**
   * Take the snapshots that arrived before the session existed: each is decoded and
   * buffered for interpolation at its own arrival time; only the newest is reconciled,
   * since nothing was predicted before it.
   */
  catchUp(early: readonly EarlySnapshot[]): void {
    let last: SnapshotMsg | null = null;
    for (const { snap, arrival } of early) {
      if (!this.decode(snap, arrival)) return;
      last = snap;
    }
    if (last) this.reconcileOwn(last);
  }

  /** A message from the server, arrived at local ms `arrival`. Kinds that are not this session's are ignored. */
  receive(msg: ServerMessage, arrival: number): void {
    switch (msg.kind) {
      case ServerKind.Snapshot:
        if (this.decode(msg, arrival)) this.reconcileOwn(msg);
        return;
      case ServerKind.Pong:
        this.clock.addSample(msg.clientTime, msg.serverTime, arrival);
        return;
      case ServerKind.InputTiming:
        this.inputs.adjust(msg.adjust);
        return;
      case ServerKind.Events:
        // The server's own shots restart the local cooldown (ShotPredictor.confirmed).
        for (const e of msg.events)
          if (e.type === EventType.Shot && e.shooter === this.welcome.playerId && e.seq !== undefined) this.shots.confirmed(e.seq);
        return;
      default:
        return;
    }
  }

  /**
   * Advance to `now`: send and predict the inputs due (holding `buttons`, aiming as the
   * controls say), ping when due, report a changed viewport, advance the interpolation
   * clock and the correction smoothing.
   */
  update(now: number, buttons: number): void {
    this.now = now;
    // The render clock first: a Fire sent below carries the render time of the frame
    // about to be drawn (and is traced against it), not the last frame's, which on a page
    // at 5 frames/s is 200 ms older, all of it added to the shot's rewind.
    this.keepViewInRewind(now);
    this.interpolator.update(now);
    this.inputs.update(now, buttons, this.controls.aimByte, this.sendInput);
    this.pinger.update(now, this.send);
    this.reportViewport();
    this.reconciler.advance(now);
  }

  /**
   * The delay the others may be drawn at and still be hit: the limit, less the margin,
   * less what viewAge adds to the delay (how far the stream's newest time lags the
   * server's clock, plus the Fire's trip up). A stalled page measures RTT a frame too
   * long and its clock offset half a frame short; in this sum the two cancel.
   */
  private keepViewInRewind(now: number): void {
    const interp = this.interpolator;
    if (Number.isNaN(interp.renderTime)) return;
    const clock = this.clock;
    const network = clock.synced ? clock.serverNow(now) - interp.streamNow(now) + this.fireTrip() : 0;
    interp.setCeiling(this.rewindLimitMs - this.rewindMarginMs - network);
  }

  /**
   * Only the inputs due by `now`, between full updates: a caller that updates rarely
   * (a bot swarm, once per tick) calls this more often so that its send times can
   * follow the server's InputTiming by less than a tick.
   */
  pumpInputs(now: number, buttons: number): void {
    this.now = now;
    this.inputs.update(now, buttons, this.controls.aimByte, this.sendInput);
  }

  /** Decode into the cells and buffer for interpolation; false when the stream broke. */
  private decode(snap: SnapshotMsg, arrival: number): boolean {
    try {
      this.decoder.apply(snap.tick, snap.baseTick, snap.view, snap.blocks);
    } catch (e) {
      if (!(e instanceof DeltaError)) throw e;
      this.host.outOfSync(`snapshot out of sync: ${e.message}`);
      return false;
    }
    if (this.interpolate) {
      // The interpolator keeps what it is given, so each snapshot gets its own list.
      const entities = this.decoder.entities();
      // The own entry carries the exact self state, not the coarser remote one.
      const own = entities.find((e) => e.id === this.welcome.playerId);
      if (own) {
        own.x = snap.self.x;
        own.y = snap.self.y;
        own.vx = snap.self.vx;
        own.vy = snap.self.vy;
      }
      this.interpolator.push({ tick: snap.tick, serverTime: snap.serverTime, ackSeq: snap.ackSeq, entities }, arrival);
    }
    return true;
  }

  private reconcileOwn(snap: SnapshotMsg): void {
    const history = this.inputs.history;
    history.ack(snap.ackSeq);
    this.reconciler.reconcile(snap.ackSeq, readSelfState(snap.self, this.serverState), history);
  }

  private readonly sendInput = (seq: number, buttons: number, aim: number): void => {
    this.reconciler.applyInput(seq, buttons);
    const m = this.inputMsg;
    m.seq = seq;
    m.buttons = buttons;
    m.aim = aim;
    // A shot carries the moment the others were drawn at: the server judges it there.
    const firing = (buttons & Button.Fire) !== 0;
    m.viewTime = firing ? this.viewTime() : undefined;
    // The server paces snapshots by what really arrives (bandwidth budget, protocol 6).
    const got = this.decoder.lastTick;
    m.ackTick = got >= 0 ? got : undefined;
    this.send(m);
    if (firing && this.shots.fires(seq)) this.predictShot(seq, aim);
  };

  /** The render time of remote players as a whole ms (the server clock estimate before any snapshot). */
  private viewTime(): number {
    const t = this.interpolator.renderTime;
    const v = Number.isFinite(t) ? t : this.clock.serverNow(this.now);
    return Math.min(Limits.MAX_VIEW_TIME, Math.max(0, Math.round(v)));
  }

  private predictShot(seq: number, aim: number): void {
    const me = this.reconciler.state;
    const listeners = this.host.localShots;
    if (!me || listeners.size === 0) return;
    // Against the others where this screen draws them now.
    const shot = this.shots.trace(me.x, me.y, aim, this.interpolator.sample(), this.welcome.playerId, seq);
    for (const l of listeners.all) l(shot);
  }

  private reportViewport(): void {
    const w = this.controls.viewport;
    const sent = this.viewSent;
    if (w.width === 0) return;
    if (Math.abs(w.width - sent.width) < 16 && Math.abs(w.height - sent.height) < 16) return;
    sent.width = w.width;
    sent.height = w.height;
    this.send(w);
  }

  private readonly send = (msg: ClientMessage): boolean => this.host.send(msg);
}
