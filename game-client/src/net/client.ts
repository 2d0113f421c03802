/**
 * One player's connection to a room: the browser game and every headless bot use this.
 * No timers and no rendering: the owner calls update() every frame (or on its own
 * schedule), and everything that depends on time reads the injected clock, so a test
 * or a bot swarm drives it by hand.
 *
 * A thin front over pieces split by lifetime. Per page (this object): the controls, the
 * roster, the match, the stats, the listeners, the map once loaded, and the link
 * (connection, backoff, resume token). Per server clock: the ClockSync, kept across a
 * resume. Per connection: a NetSession, built whole once the Welcome's map is ready.
 * Per frame: the player views. Where the client stands is one tagged union.
 */
import {
  CloseCode,
  CREATE_PRIVATE_ROOM,
  Limits,
  ClientKind,
  ServerKind,
  isValidRoomCode,
  sanitizeChat,
  sanitizeName,
  type CollisionMap,
  type PlayerState,
  type ServerMessage,
  type WelcomeMsg,
} from '../../../protocol/index.ts';
import type { Clock } from '../../../protocol/clock.ts';
import { ClientEvents } from './client-events.ts';
import { STATE_OF, shownSession, type ClientPhase } from './client-phase.ts';
import { ClockSync } from './clock-sync.ts';
import type { WebSocketCtor } from './connection.ts';
import { Controls } from './controls.ts';
import { ReconnectingLink, type CloseInfo } from './link.ts';
import { httpSeat } from './seat.ts';
import { fetchMap } from './map-loader.ts';
import { NetSession, type SessionHost } from './net-session.ts';
import { PlayerViews } from './player-views.ts';
import { StatsTracker } from './stats-tracker.ts';
import {
  ConnectError,
  type ClientState,
  type ClientStats,
  type GameClientOptions,
  type LocalPlayerView,
  type ReconnectAttempt,
  type RemotePlayerView,
} from './client-types.ts';

export * from './client-types.ts';
export type { ClientPhase } from './client-phase.ts';
export { fetchMap } from './map-loader.ts';

export class GameClient extends ClientEvents {
  private readonly opts: GameClientOptions;
  private readonly now: Clock['now'];
  private readonly name: string;
  /** "" quick play, CREATE_PRIVATE_ROOM, or a code as asked for (upper case). */
  private readonly roomAsked: string;
  private readonly link: ReconnectingLink;
  private current: ClientPhase = { phase: 'idle' };
  /** The latest Welcome: who this client is in which room, also after the end. */
  private welcome: WelcomeMsg | null = null;
  /** Replaced only when the server is another (a join that did not resume). */
  private clock: ClockSync;
  private mapValue: CollisionMap | null = null;
  private pendingConnect: { resolve: (w: WelcomeMsg) => void; reject: (e: Error) => void } | null = null;

  private readonly controls = new Controls();
  /** Scores, health, deaths and pickups, from MatchState and Events. */
  readonly match = this.room.match;
  private readonly statsTracker = new StatsTracker();
  private readonly views = new PlayerViews();

  private readonly host: SessionHost = {
    send: (msg) => this.link.send(msg),
    outOfSync: (reason) => this.link.restart(CloseCode.Malformed, reason),
    localShots: this.shotListeners,
  };

  constructor(opts: GameClientOptions) {
    super();
    this.opts = opts;
    this.now = opts.now ?? (() => performance.now());
    this.name = sanitizeName(opts.name);
    const room = (opts.room ?? '').trim();
    this.roomAsked = room === CREATE_PRIVATE_ROOM ? room : room.toUpperCase();
    this.clock = new ClockSync(opts.clock);
    this.link = new ReconnectingLink(
      {
        url: opts.url,
        WebSocket: () => this.webSocket(),
        now: this.now,
        name: this.name,
        room: this.roomAsked,
        roundSeconds: opts.roundSeconds,
        reconnect: opts.reconnect ? (opts.reconnect === true ? {} : opts.reconnect) : null,
        seat: opts.seat ? (opts.seat === true ? httpSeat(opts.url) : opts.seat) : null,
        maxBytesPerSecond: opts.maxBytesPerSecond,
      },
      {
        welcome: (msg, arrival) => this.welcomed(msg, arrival),
        message: (msg, arrival) => this.received(msg, arrival),
        reconnecting: (attempt) => this.lost(attempt),
        closed: (code, reason) => this.ended(code, reason),
      },
    );
  }

  // ---- lifecycle ----

  /**
   * Open the socket, say hello, and resolve with the welcome once the map is ready for
   * prediction. Rejects with ConnectError if the server closes first (room full,
   * unknown room, version mismatch, ...), or with an Error if the map cannot be loaded.
   */
  connect(): Promise<WelcomeMsg> {
    if (this.current.phase !== 'idle') return Promise.reject(new Error('GameClient.connect() may be called only once'));
    const room = this.roomAsked;
    if (room !== '' && room !== CREATE_PRIVATE_ROOM && !isValidRoomCode(room))
      return Promise.reject(new Error(`"${room}" is not a room code (4-8 letters/digits, no 0/O/1/I/L)`));
    if (!this.webSocket()) return Promise.reject(new Error('no WebSocket implementation: pass options.WebSocket (e.g. the ws package)'));
    this.current = { phase: 'connecting' };
    return new Promise<WelcomeMsg>((resolve, reject) => {
      this.pendingConnect = { resolve, reject };
      try {
        this.link.open();
      } catch (err) {
        this.current = { phase: 'closed', close: null, last: null };
        this.settleConnect(err instanceof Error ? err : new Error(String(err)));
      }
    });
  }

  /** Leave: closes the socket with 1000; onClose listeners run. No reconnect after it. */
  close(reason = 'client left'): void {
    this.link.close(reason);
    if (this.current.phase === 'idle') this.current = { phase: 'closed', close: null, last: null };
  }

  /**
   * Advance everything to `now` (default: the injected clock): produce and send the
   * inputs due, predict them, ping when due, advance the interpolation clock and
   * smoothing, refresh stats. Call once per frame.
   */
  update(now: number = this.now()): void {
    if (this.current.phase === 'reconnecting') this.link.update(now);
    const p = this.current;
    if (p.phase !== 'playing') return;
    // The dead send no buttons: the server applies their inputs as none anyway, and
    // predicting a walk it will not do would only be corrected.
    p.session.update(now, this.match.selfAlive ? this.controls.buttons : 0);
    this.statsTracker.update(now, p.session, this.link.bytesIn, this.link.bytesOut);
  }

  /**
   * Send only the inputs due by `now` (no pings, no stats): for an owner whose update()
   * runs less often than it can afford to check the input clock.
   */
  pumpInputs(now: number = this.now()): void {
    const p = this.current;
    if (p.phase !== 'playing') return;
    p.session.pumpInputs(now, this.match.selfAlive ? this.controls.buttons : 0);
  }

  // ---- controls ----

  /** Button bits (protocol Button) held from now on; sampled once per tick. */
  setButtons(buttons: number): void {
    this.controls.setButtons(buttons);
  }

  /** Aim angle, radians (any range). */
  setAim(rad: number): void {
    this.controls.setAim(rad);
  }

  /**
   * The size of the area drawn around the own player, world px: the server sends the
   * players in and around it. Reported when it changes by more than a few pixels.
   */
  setViewport(width: number, height: number): void {
    this.controls.setViewport(width, height);
  }

  /**
   * Say something to the room. Cleaned and cut as the server will; returns false when
   * nothing is left to send or the connection is not ready.
   */
  sendChat(text: string): boolean {
    const clean = sanitizeChat(text.slice(0, Limits.MAX_RAW_CHAT));
    if (clean === '' || this.current.phase !== 'playing') return false;
    return this.link.send({ kind: ClientKind.Chat, text: clean });
  }

  /**
   * Spectating (game-client/src/replay/): as a private room's creator, let anyone with
   * the code watch it (or stop letting new spectators in). False when not playing.
   */
  allowWatching(allow: boolean): boolean {
    if (this.current.phase !== 'playing') return false;
    return this.link.send({ kind: ClientKind.AllowWatching, allow: allow ? 1 : 0 });
  }

  // ---- state ----

  /** Where the client stands, with what exists there (the session while playing). */
  get phase(): Readonly<ClientPhase> {
    return this.current;
  }
  get state(): ClientState {
    return STATE_OF[this.current.phase];
  }
  get connected(): boolean {
    return this.current.phase === 'playing';
  }
  get reconnecting(): boolean {
    return this.current.phase === 'reconnecting';
  }
  override get playerId(): number {
    return this.welcome?.playerId ?? 0;
  }
  get roomCode(): string {
    return this.welcome?.roomCode ?? '';
  }
  get mapId(): string {
    return this.welcome?.mapId ?? '';
  }
  get tickRate(): number {
    return this.welcome?.tickRate ?? 0;
  }
  get snapshotRate(): number {
    return this.welcome?.snapshotRate ?? 0;
  }
  /** The latest close (null before any); during a reconnect, the one that caused it. */
  get closeReason(): CloseInfo | null {
    return this.link.lastClose;
  }
  /** The collision map used for prediction (null until loaded). */
  get map(): CollisionMap | null {
    return this.mapValue;
  }
  /** Estimated server time now, ms (ping/pong clock sync). */
  serverNow(now: number = this.now()): number {
    return this.clock.serverNow(now);
  }
  /** The server time remote players are drawn at, ms: what a shot should carry. */
  get renderTime(): number {
    return this.shown()?.interpolator.renderTime ?? Number.NaN;
  }
  /** Latest predicted (unsmoothed) own state, px and px/s, or null before the first snapshot. */
  get predictedState(): Readonly<PlayerState> | null {
    return this.shown()?.reconciler.state ?? null;
  }
  /** Distance of the latest reconciliation's correction, px (0: the prediction was exact). */
  get lastPredictionError(): number {
    return this.shown()?.reconciler.lastError ?? 0;
  }
  /** Everyone in the room now (the roster kept by Roster, PlayerJoined, PlayerLeft). */
  roster(): { id: number; name: string }[] {
    return this.room.roster.list();
  }
  /** Name from the roster ('' if unknown). */
  nameOf(id: number): string {
    return this.room.roster.get(id) ?? '';
  }
  private readonly nameFor = (id: number): string => this.room.roster.get(id) ?? '';
  /** The own player where it should be drawn, or null before it has been seen. Reused object. */
  localPlayer(): Readonly<LocalPlayerView> | null {
    const s = this.shown();
    return s ? this.views.local(s, this.room.roster.get(s.playerId) ?? this.name, this.controls.aimRad) : null;
  }
  /** Every other player at render time. The array and its objects are reused by the next call. */
  remotePlayers(): readonly Readonly<RemotePlayerView>[] {
    return this.views.remote(this.shown(), this.nameFor);
  }
  /** Inputs produced on the current connection so far (current between updates, unlike stats). */
  get inputsProduced(): number {
    const s = this.shown();
    return s ? s.inputs.produced : 0;
  }
  /** Figures for the debug overlay and bot reports; refreshed by update(). Reused object. */
  get stats(): Readonly<ClientStats> {
    return this.statsTracker.stats;
  }

  // ---- internals ----

  private shown(): NetSession | null {
    return shownSession(this.current);
  }

  private webSocket(): WebSocketCtor | undefined {
    return this.opts.WebSocket ?? (globalThis as { WebSocket?: WebSocketCtor }).WebSocket;
  }

  /** Resolve (welcome) or reject (error) the promise of connect(), once. */
  private settleConnect(result: WelcomeMsg | Error): void {
    const p = this.pendingConnect;
    if (!p) return;
    this.pendingConnect = null;
    if (result instanceof Error) p.reject(result);
    else p.resolve(result);
  }

  private welcomed(w: WelcomeMsg, arrival: number): void {
    const rejoin = this.welcome !== null;
    // A new player (not resumed) may be on a restarted server with another clock.
    if (rejoin && !w.resumed) this.clock = new ClockSync(this.opts.clock);
    this.welcome = w;
    this.clock.hint(w.serverTime, arrival);
    const loading: ClientPhase = { phase: 'loading', welcome: w, rejoin, early: [] };
    this.current = loading;
    this.loadMap(w.mapId).then(
      (map) => this.play(loading, map),
      (err: unknown) => {
        if (this.current === loading) this.fail(err);
      },
    );
    this.observe(w, arrival);
  }

  private async loadMap(mapId: string): Promise<CollisionMap> {
    if (this.mapValue?.id === mapId) return this.mapValue;
    const src = this.opts.map;
    if (typeof src === 'function') return src(mapId);
    if (src) return src;
    return fetchMap(this.opts.url, mapId);
  }

  /** The map is in: build the session for this Welcome, unless the connection ended meanwhile. */
  private play(loading: Extract<ClientPhase, { phase: 'loading' }>, map: CollisionMap): void {
    if (this.current !== loading) return;
    const w = loading.welcome;
    let session: NetSession;
    try {
      session = new NetSession(w, map, this.clock, this.host, this.controls, this.now(), this.opts);
    } catch (err) {
      this.fail(err);
      return;
    }
    this.mapValue = map;
    const playing: ClientPhase = { phase: 'playing', session };
    this.current = playing;
    session.catchUp(loading.early);
    // Catching up may have found the stream out of sync and closed the connection.
    if (this.current !== playing) return;
    if (loading.rejoin) {
      this.link.joined();
      this.reconnectedListeners.emit(w.resumed === true);
    }
    this.settleConnect(w);
  }

  /** The game could not start on this connection: say why and close it (retrying would not help). */
  private fail(err: unknown): void {
    const e = err instanceof Error ? err : new Error(String(err));
    this.settleConnect(e);
    this.link.reject(CloseCode.Normal, e.message);
  }

  private received(msg: ServerMessage, arrival: number): void {
    const p = this.current;
    switch (msg.kind) {
      case ServerKind.Snapshot:
        if (p.phase === 'playing') {
          this.statsTracker.snapshotArrived();
          p.session.receive(msg, arrival);
        } else if (p.phase === 'loading') {
          this.statsTracker.snapshotArrived();
          p.early.push({ snap: msg, arrival });
        } else this.link.reject(CloseCode.UnexpectedMessage, 'snapshot before welcome');
        break;
      case ServerKind.Pong:
        if (p.phase === 'playing') p.session.receive(msg, arrival);
        else this.clock.addSample(msg.clientTime, msg.serverTime, arrival);
        break;
      case ServerKind.InputTiming:
        // Before the session exists its input clock has not started: nothing to adjust.
        if (p.phase === 'playing') p.session.receive(msg, arrival);
        break;
      case ServerKind.Events:
        this.room.apply(msg);
        // The session's shot predictor follows the server's own shots (their seqs).
        if (p.phase === 'playing') p.session.receive(msg, arrival);
        break;
      default:
        this.room.apply(msg);
    }
    this.observe(msg, arrival);
  }

  private observe(msg: ServerMessage, arrival: number): void {
    for (const l of this.messageListeners.all) l(msg, arrival);
  }

  private lost(attempt: ReconnectAttempt): void {
    this.current = { phase: 'reconnecting', attempt, last: this.shown() };
    this.reconnectingListeners.emit(attempt);
  }

  private ended(code: number, reason: string): void {
    this.current = { phase: 'closed', close: { code, reason }, last: this.shown() };
    this.settleConnect(new ConnectError(code, reason));
    this.closeListeners.emit(code, reason);
  }
}
