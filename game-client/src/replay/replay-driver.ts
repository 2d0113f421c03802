/**
 * Plays a replay into a real GameClient, in place of a server: the client is built with
 * this driver's WebSocket (a socket that answers Hello with a Welcome and Ping with a
 * Pong, and ignores inputs) and this driver's clock, and receives the recorded frames
 * as a whole-map client would have, at the moments they were sent. Everything the game
 * shows (interpolation, kill feed, leaderboard, effects) is then exactly what it shows
 * live.
 *
 * The clock is the replay's own server time (so the client's clock sync finds an
 * offset of 0 and an RTT of 0). Playing advances it by real time times the speed;
 * pausing stops it, and a paused client draws the same frame. A frame is handed over
 * with the clock set to its own send time, so the client's arrival times are as even
 * as the server's ticks, whatever the page's frame rate.
 *
 * A driver starts at one tick: it feeds the keyframe a few seconds before it, then, on
 * its first pump, everything up to the tick (so the kill feed and chat show what they
 * showed then). Seeking elsewhere is a new driver and a new client.
 */
import { ClientKind, ServerKind, decodeClientMessage, encodeServerMessage } from '../../../protocol/index.ts';
import { ReplayCursor, type Replay } from '../../../protocol/replay/index.ts';
import type { WebSocketCtor, WebSocketLike } from '../net/connection.ts';

/** The driver starts this long before the tick asked for, so the feeds have their recent lines. */
export const FEED_LEAD_MS = 5000;
export const MIN_SPEED = 0.25;
export const MAX_SPEED = 4;
/** A frame gap longer than this (a background tab) advances the replay by this much only. */
const MAX_STEP_MS = 250;

export class ReplayDriver {
  private readonly cursor: ReplayCursor;
  private socket: ReplaySocket | null = null;
  /** The replay's server time being shown, ms. */
  private clock: number;
  /** Set while a frame is handed over: the client reads the frame's own send time. */
  private dispatching: number | null = null;
  private lastReal = Number.NaN;
  private started = false;
  playing: boolean;
  private speedValue: number;
  /** Called when playback reaches the end (and pauses). */
  onEnd: (() => void) | null = null;

  readonly now = (): number => this.dispatching ?? this.clock;
  /** A WebSocket constructor whose sockets this driver serves (at once). */
  readonly WebSocket: WebSocketCtor;

  constructor(
    readonly replay: Replay,
    /** The tick to show first. */
    readonly startTick: number,
    opts: { speed?: number; playing?: boolean } = {},
  ) {
    this.cursor = new ReplayCursor(replay, {
      restart: () => {},
      frame: (bytes, _msg, _tick, serverTime) => this.hand(bytes, serverTime),
    });
    const lead = Math.ceil((FEED_LEAD_MS * replay.header.tickRate) / 1000);
    const from = this.cursor.keyframeAtOrBefore(Math.max(replay.firstTick, startTick - lead));
    this.clock = from.serverTime;
    this.playing = opts.playing ?? true;
    this.speedValue = clampSpeed(opts.speed ?? 1);
    const driver = this;
    this.WebSocket = class {
      constructor(_url: string) {
        const s = new ReplaySocket();
        driver.attach(s);
        return s;
      }
    } as unknown as WebSocketCtor;
  }

  /** Serve this socket from now on (it opens, if it was waiting for the replay to load). */
  attach(s: ReplaySocket): void {
    this.socket = s;
    s.bind(this);
  }

  get speed(): number {
    return this.speedValue;
  }

  set speed(v: number) {
    this.speedValue = clampSpeed(v);
  }

  /** The tick the view is at (the latest record handed over). */
  get tick(): number {
    return this.cursor.tick;
  }

  get serverTime(): number {
    return this.clock;
  }

  get ended(): boolean {
    return this.cursor.tick >= this.replay.lastTick;
  }

  /**
   * Once per frame, before the client's update: move the clock by the real time since
   * the last call times the speed (when playing), and hand over what was sent by then.
   */
  pump(realNow: number): void {
    const s = this.socket;
    if (!s || !s.welcomed) return;
    const dt = Number.isNaN(this.lastReal) ? 0 : Math.min(MAX_STEP_MS, Math.max(0, realNow - this.lastReal));
    this.lastReal = realNow;
    if (!this.started) {
      this.started = true;
      // Catch up to the tick asked for, at once: the feeds fill as they were then.
      const target = this.replay.ticks[Math.max(0, this.recordAtOrBefore(this.startTick))]!;
      this.cursor.seek(target.tick);
      this.clock = Math.max(this.clock, target.serverTime);
      return;
    }
    if (!this.playing || this.ended) return;
    this.clock += dt * this.speedValue;
    const last = this.replay.ticks[this.replay.ticks.length - 1]!;
    if (this.clock >= last.serverTime) this.clock = last.serverTime;
    const i = this.recordByTime(this.clock);
    if (i >= 0 && this.replay.ticks[i]!.tick > this.cursor.tick) this.cursor.seek(this.replay.ticks[i]!.tick);
    if (this.ended) {
      this.playing = false;
      this.onEnd?.();
    }
  }

  /** The socket said hello: welcome it, then the keyframe. */
  welcome(s: ReplaySocket): void {
    const h = this.replay.header;
    const k = this.cursor.keyframeAtOrBefore(Math.max(this.replay.firstTick, this.startTick - Math.ceil((FEED_LEAD_MS * h.tickRate) / 1000)));
    s.deliver(
      encodeServerMessage({
        kind: ServerKind.Welcome,
        // No one: every player in the replay is someone else, interpolated.
        playerId: 0,
        tickRate: h.tickRate,
        snapshotRate: h.snapshotRate,
        serverTick: k.tick,
        serverTime: k.serverTime,
        mapId: h.mapId,
        roomCode: h.room,
        // Never presented: a replay has no connection to resume.
        resumeToken: 'replay',
        resumed: false,
        privateRoom: !h.isPublic,
      }),
    );
    s.welcomed = true;
    this.cursor.seek(k.tick);
  }

  private hand(bytes: Uint8Array, serverTime: number): void {
    const s = this.socket;
    if (!s) return;
    this.dispatching = Math.max(serverTime, this.dispatching ?? -Infinity);
    try {
      s.deliver(bytes);
    } finally {
      this.dispatching = null;
    }
  }

  /** Index of the last tick record at or before tick t (-1: none). */
  private recordAtOrBefore(t: number): number {
    return lastIndex(this.replay.ticks, (r) => r.tick <= t);
  }

  /** Index of the last tick record sent by server time t (-1: none). */
  private recordByTime(t: number): number {
    return lastIndex(this.replay.ticks, (r) => r.serverTime <= t);
  }
}

function lastIndex<T>(xs: readonly T[], ok: (x: T) => boolean): number {
  let lo = -1;
  let hi = xs.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (ok(xs[mid]!)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

const clampSpeed = (v: number): number => (Number.isFinite(v) ? Math.min(MAX_SPEED, Math.max(MIN_SPEED, v)) : 1);

/**
 * The client's side of the pretend connection. It may be created before its replay is
 * loaded: it opens once a driver is bound, or closes with fail() if none can be.
 */
export class ReplaySocket implements WebSocketLike {
  binaryType = 'arraybuffer';
  readyState = 0;
  onopen: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: unknown) => void) | null = null;
  onclose: ((ev: unknown) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  welcomed = false;
  private driver: ReplayDriver | null = null;

  bind(driver: ReplayDriver): void {
    this.driver = driver;
    // As a real socket: open after the handlers are set (never inside the constructor).
    queueMicrotask(() => {
      if (this.readyState !== 0) return;
      this.readyState = 1;
      this.onopen?.({});
    });
  }

  /** The replay could not be opened: the client gets a close with the reason. */
  fail(code: number, reason: string): void {
    if (this.readyState >= 2) return;
    this.readyState = 3;
    queueMicrotask(() => this.onclose?.({ code, reason }));
  }

  send(data: Uint8Array): void {
    const driver = this.driver;
    if (this.readyState !== 1 || !driver) return;
    let msg;
    try {
      msg = decodeClientMessage(data);
    } catch {
      return;
    }
    // Answers come later, as from a server: never inside the client's own send.
    if (msg.kind === ClientKind.Hello && !this.welcomed) queueMicrotask(() => driver.welcome(this));
    else if (msg.kind === ClientKind.Ping) {
      const clientTime = msg.clientTime;
      const serverTime = Math.round(driver.now());
      queueMicrotask(() => this.deliver(encodeServerMessage({ kind: ServerKind.Pong, clientTime, serverTime })));
    }
    // Inputs, chat and viewports change nothing: a replay is what happened.
  }

  deliver(bytes: Uint8Array): void {
    if (this.readyState !== 1) return;
    this.onmessage?.({ data: bytes });
  }

  close(code = 1000, reason = ''): void {
    if (this.readyState >= 2) return;
    this.readyState = 3;
    queueMicrotask(() => this.onclose?.({ code, reason }));
  }
}
