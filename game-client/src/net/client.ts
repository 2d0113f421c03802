/**
 * One player's connection to a room: the browser game and every headless bot use this.
 * No timers and no rendering: the owner calls update() every frame (or on its own
 * schedule), and everything that depends on time reads the injected clock, so a test
 * or a bot swarm drives it by hand.
 */
import {
  ClientKind,
  CloseCode,
  POS_SCALE,
  PROTOCOL_VERSION,
  ServerKind,
  VEL_SCALE,
  isValidRoomCode,
  Button,
  CREATE_PRIVATE_ROOM,
  Limits,
  PLAYER_RADIUS,
  blasterCooldownTicks,
  sanitizeChat,
  traceShot,
  type GameEvent,
  type ShotTarget,
  parseTiledMap,
  quantizeAngle,
  sanitizeName,
  DeltaError,
  REMOTE_POS_SCALE,
  SnapshotDecoder,
  type CollisionMap,
  type InputMsg,
  type ResolvedSnapshot,
  type ViewportMsg,
  type PingMsg,
  type PlayerState,
  type RosterMsg,
  type ServerMessage,
  type SnapshotMsg,
  type WelcomeMsg,
} from '../../../protocol/index.ts';
import { ClockSync } from './clock-sync.ts';
import { CLOSE_ABNORMAL, Connection, type WebSocketCtor } from './connection.ts';
import { InputSender } from './input-sender.ts';
import { Interpolator } from './interpolator.ts';
import { RateMeter } from './rate-meter.ts';
import { Reconciler } from './reconciler.ts';
import { Backoff, isRetryableClose, type ReconnectOptions } from './reconnect.ts';
import { MatchView } from './match.ts';
import {
  ConnectError,
  type ClientState,
  type ClientStats,
  type GameClientOptions,
  type LocalPlayerView,
  type LocalShot,
  type ReconnectAttempt,
  type RemotePlayerView,
} from './client-types.ts';

export * from './client-types.ts';

type Listener<A extends unknown[]> = (...args: A) => void;

export class GameClient {
  private readonly opts: GameClientOptions;
  private readonly now: () => number;
  private readonly name: string;
  /** "" quick play, CREATE_PRIVATE_ROOM, or a code; after a Welcome, that room's code. */
  private room: string;
  private conn: Connection | null = null;
  private stateValue: ClientState = 'idle';
  private welcome: WelcomeMsg | null = null;
  private mapValue: CollisionMap | null = null;

  private inputs: InputSender | null = null;
  private interp: Interpolator | null = null;
  /** Applies each snapshot's cell blocks to what this client can see. */
  private decoder: SnapshotDecoder | null = null;
  /** Viewport last reported to the server, and the one to report (world px). */
  private viewSent = { width: 0, height: 0 };
  private readonly viewWanted: ViewportMsg = { kind: ClientKind.Viewport, width: 0, height: 0 };
  private reconciler: Reconciler | null = null;
  private clock: ClockSync;
  /** Own state from a snapshot that arrived before the map was loaded. */
  private earlySnapshot: SnapshotMsg | null = null;

  private buttons = 0;
  private aimRad = 0;
  private aimByte = 0;

  private nextPingAt = Number.NaN;
  private pingsSent = 0;

  private readonly names = new Map<number, string>();
  private readonly closeListeners: Listener<[number, string]>[] = [];
  private readonly rosterListeners: Listener<[RosterMsg['players']]>[] = [];
  private readonly messageListeners: Listener<[ServerMessage, number]>[] = [];
  private readonly reconnectingListeners: Listener<[ReconnectAttempt]>[] = [];
  private readonly reconnectedListeners: Listener<[boolean]>[] = [];
  private closeInfo: { code: number; reason: string } | null = null;

  // Connection lifecycle (see connect(), reconnect).
  private pendingConnect: { resolve: (w: WelcomeMsg) => void; reject: (e: Error) => void } | null = null;
  /** The connection whose Welcome was taken (a second Welcome on it is an error). */
  private welcomedConn: Connection | null = null;
  /** From the latest Welcome: presented in the Hello of a reconnect. */
  private resumeToken: string | null = null;
  private readonly reconnectOpts: ReconnectOptions | null;
  private readonly backoff: Backoff | null;
  /** When the next reconnect attempt opens its socket (local ms); NaN while one is under way. */
  private retryAt = Number.NaN;
  private attemptStartedAt = Number.NaN;
  /** close() was called: no more attempts. */
  private userClosed = false;
  /** This side closed the socket for a reason a new connection fixes (desync, stuck attempt). */
  private retryOwnClose = false;
  /** Bytes of earlier connections, so the byte rates run on across a reconnect. */
  private bytesInBefore = 0;
  private bytesOutBefore = 0;

  // Reused every tick/frame: a bot process runs thousands of clients.
  private readonly inputMsg: InputMsg = { kind: ClientKind.Input, seq: 0, buttons: 0, aim: 0 };
  /** Scores, health, deaths and pickups, from MatchState and Events. */
  readonly match = new MatchView(() => this.playerId);
  private readonly eventListeners: Listener<[GameEvent, number]>[] = [];
  private readonly shotListeners: Listener<[LocalShot]>[] = [];
  /** The first input seq whose Fire the local blaster shows (cooldown counted in inputs). */
  private nextLocalFireSeq = 0;
  private readonly shotTargets: ShotTarget[] = [];
  private readonly localShot: LocalShot = { x0: 0, y0: 0, x1: 0, y1: 0, hitId: -1, aim: 0 };
  private readonly pingMsg: PingMsg = { kind: ClientKind.Ping, clientTime: 0 };
  private readonly serverState: PlayerState = { x: 0, y: 0, vx: 0, vy: 0 };
  private readonly localView: LocalPlayerView = { id: 0, name: '', x: 0, y: 0, vx: 0, vy: 0, aim: 0 };
  private readonly remoteViews: RemotePlayerView[] = [];
  private readonly remotePool: RemotePlayerView[] = [];
  private readonly statsValue: ClientStats = {
    rtt: Number.NaN,
    rttSmoothed: Number.NaN,
    clockOffset: 0,
    snapshotRate: 0,
    snapshotJitter: 0,
    interpolationDelay: Number.NaN,
    interpolationTarget: Number.NaN,
    bytesInPerSec: 0,
    bytesOutPerSec: 0,
    predictionError: 0,
    predictionErrorMax: 0,
    corrections: 0,
    pendingInputs: 0,
    tickRate: 0,
    inputsSent: 0,
    snapshotsReceived: 0,
  };
  private snapshotsReceived = 0;
  private readonly inMeter = new RateMeter();
  private readonly outMeter = new RateMeter();
  private readonly snapMeter = new RateMeter();
  private errorWindowStart = Number.NaN;

  constructor(opts: GameClientOptions) {
    this.opts = opts;
    this.now = opts.now ?? (() => performance.now());
    this.name = sanitizeName(opts.name);
    const room = (opts.room ?? '').trim();
    this.room = room === CREATE_PRIVATE_ROOM ? room : room.toUpperCase();
    this.clock = new ClockSync(opts.clock);
    this.reconnectOpts = opts.reconnect ? (opts.reconnect === true ? {} : opts.reconnect) : null;
    this.backoff = this.reconnectOpts ? new Backoff(this.reconnectOpts) : null;
  }

  // ---- lifecycle ----

  /**
   * Open the socket, say hello, and resolve with the welcome once the map is ready for
   * prediction. Rejects with ConnectError if the server closes first (room full,
   * unknown room, version mismatch, ...), or with an Error if the map cannot be loaded.
   */
  connect(): Promise<WelcomeMsg> {
    if (this.stateValue !== 'idle') return Promise.reject(new Error('GameClient.connect() may be called only once'));
    if (this.room !== '' && this.room !== CREATE_PRIVATE_ROOM && !isValidRoomCode(this.room))
      return Promise.reject(new Error(`"${this.room}" is not a room code (4-8 letters/digits, no 0/O/1/I/L)`));
    const WS = this.opts.WebSocket ?? (globalThis as { WebSocket?: WebSocketCtor }).WebSocket;
    if (!WS) return Promise.reject(new Error('no WebSocket implementation: pass options.WebSocket (e.g. the ws package)'));

    this.stateValue = 'connecting';
    return new Promise<WelcomeMsg>((resolve, reject) => {
      this.pendingConnect = { resolve, reject };
      try {
        this.openConnection(WS);
      } catch (err) {
        this.stateValue = 'closed';
        this.settleConnect(err instanceof Error ? err : new Error(String(err)));
      }
    });
  }

  /** Resolve (welcome) or reject (error) the promise of connect(), once. */
  private settleConnect(result: WelcomeMsg | Error): void {
    const p = this.pendingConnect;
    if (!p) return;
    this.pendingConnect = null;
    if (result instanceof Error) p.reject(result);
    else p.resolve(result);
  }

  /** Open a socket and say hello: the first connection, or a reconnect attempt. */
  private openConnection(WS: WebSocketCtor): void {
    const conn = new Connection(this.opts.url, WS);
    this.conn = conn;
    conn.onOpen(() => {
      const hello = { kind: ClientKind.Hello, version: PROTOCOL_VERSION, name: this.name, room: this.room } as const;
      conn.send(this.resumeToken ? { ...hello, resumeToken: this.resumeToken } : hello);
    });
    conn.onClose((code, reason) => this.connectionClosed(conn, code, reason));
    conn.onMessage((msg) => {
      if (msg.kind === ServerKind.Welcome) {
        if (this.welcomedConn === conn) {
          conn.close(CloseCode.UnexpectedMessage, 'second welcome');
          return;
        }
        this.welcomedConn = conn;
        const reconnect = this.welcome !== null;
        this.onWelcome(msg).then(
          () => {
            if (this.conn !== conn || conn.isClosed) return;
            if (reconnect) {
              this.backoff?.reset();
              for (const l of this.reconnectedListeners) l(msg.resumed === true);
            }
            this.settleConnect(msg);
          },
          (err: unknown) => {
            const e = err instanceof Error ? err : new Error(String(err));
            this.settleConnect(e);
            conn.close(CloseCode.Normal, e.message);
          },
        );
        this.observe(msg);
        return;
      }
      this.handle(msg);
      this.observe(msg);
    });
  }

  private connectionClosed(conn: Connection, code: number, reason: string): void {
    if (conn !== this.conn) return;
    this.closeInfo = { code, reason };
    this.bytesInBefore += conn.bytesIn;
    this.bytesOutBefore += conn.bytesOut;
    const ownRetry = this.retryOwnClose;
    this.retryOwnClose = false;
    if (this.backoff && !this.userClosed && this.welcome !== null) {
      if (code === CloseCode.ResumeRefused && this.resumeToken) {
        // The server no longer has our player (restarted, or the grace period ran out):
        // come back as a new one, at once.
        this.resumeToken = null;
        this.scheduleReconnect(0, code, reason);
        return;
      }
      const max = this.reconnectOpts!.maxAttempts ?? 12;
      if ((ownRetry || isRetryableClose(code)) && this.backoff.attempts < max) {
        this.scheduleReconnect(this.backoff.next(), code, reason);
        return;
      }
    }
    this.stateValue = 'closed';
    this.settleConnect(new ConnectError(code, reason));
    for (const l of this.closeListeners) l(code, reason);
  }

  private scheduleReconnect(delayMs: number, code: number, reason: string): void {
    this.stateValue = 'reconnecting';
    this.retryAt = this.now() + delayMs;
    this.attemptStartedAt = Number.NaN;
    const info: ReconnectAttempt = { attempt: this.backoff!.attempts, delayMs, code, reason };
    for (const l of this.reconnectingListeners) l(info);
  }

  /** While reconnecting: open the next attempt when due; abandon one that hangs. */
  private updateReconnect(now: number): void {
    if (Number.isNaN(this.retryAt)) {
      const timeout = this.reconnectOpts!.attemptTimeoutMs ?? 10_000;
      if (now - this.attemptStartedAt > timeout && this.conn && !this.conn.isClosed) {
        this.retryOwnClose = true;
        this.conn.close(CloseCode.Normal, 'reconnect attempt timed out');
      }
      return;
    }
    if (now < this.retryAt) return;
    this.retryAt = Number.NaN;
    this.attemptStartedAt = now;
    const WS = this.opts.WebSocket ?? (globalThis as { WebSocket?: WebSocketCtor }).WebSocket!;
    try {
      this.openConnection(WS);
    } catch (err) {
      this.connectionClosed(this.conn!, CLOSE_ABNORMAL, err instanceof Error ? err.message : String(err));
    }
  }

  /** Leave: closes the socket with 1000; onClose listeners run. No reconnect after it. */
  close(reason = 'client left'): void {
    this.userClosed = true;
    if (this.conn && !this.conn.isClosed) this.conn.close(CloseCode.Normal, reason);
    else if (this.stateValue === 'reconnecting') {
      // Between attempts there is no socket to close: end here.
      this.stateValue = 'closed';
      this.closeInfo = { code: CloseCode.Normal, reason };
      for (const l of this.closeListeners) l(CloseCode.Normal, reason);
    } else this.stateValue = 'closed';
  }

  /**
   * Advance everything to `now` (default: the injected clock): produce and send the
   * inputs due, predict them, ping when due, advance the interpolation clock and
   * smoothing, refresh stats. Call once per frame.
   */
  update(now: number = this.now()): void {
    if (this.stateValue === 'reconnecting') this.updateReconnect(now);
    if (this.stateValue !== 'ready') return;
    const inputs = this.inputs!;
    // The dead send no buttons: the server applies their inputs as none anyway, and
    // predicting a walk it will not do would only be corrected.
    inputs.update(now, this.match.selfAlive ? this.buttons : 0, this.aimByte, this.sendInput);
    if (!(now < this.nextPingAt)) {
      this.pingMsg.clientTime = now;
      this.conn!.send(this.pingMsg);
      this.pingsSent++;
      const fast = this.opts.fastPings ?? 5;
      this.nextPingAt =
        now + (this.pingsSent < fast ? (this.opts.fastPingIntervalMs ?? 200) : (this.opts.pingIntervalMs ?? 1000));
    }
    this.reportViewport();
    this.interp!.update(now);
    this.reconciler!.advance(now);
    this.updateStats(now);
  }

  // ---- controls ----

  /** Button bits (protocol Button) held from now on; sampled once per tick. */
  setButtons(buttons: number): void {
    this.buttons = buttons & 0xff;
  }

  /** Aim angle, radians (any range). */
  setAim(rad: number): void {
    if (!Number.isFinite(rad)) return;
    this.aimRad = rad;
    this.aimByte = quantizeAngle(rad);
  }

  /**
   * The size of the area drawn around the own player, world px: the server sends the
   * players in and around it. Reported when it changes by more than a few pixels.
   */
  setViewport(width: number, height: number): void {
    if (!Number.isFinite(width) || !Number.isFinite(height)) return;
    this.viewWanted.width = Math.max(1, Math.min(16384, Math.round(width)));
    this.viewWanted.height = Math.max(1, Math.min(16384, Math.round(height)));
  }

  private reportViewport(): void {
    const w = this.viewWanted;
    if (w.width === 0) return;
    if (Math.abs(w.width - this.viewSent.width) < 16 && Math.abs(w.height - this.viewSent.height) < 16) return;
    this.viewSent = { width: w.width, height: w.height };
    this.conn!.send(w);
  }

  // ---- events ----

  /**
   * The connection ended (server close, network loss, or close()). Exactly once. With
   * `reconnect`, only when the client gives up: a close it recovers from is reported by
   * onReconnecting instead.
   */
  onClose(l: (code: number, reason: string) => void): () => void {
    return subscribe(this.closeListeners, l);
  }

  /** With `reconnect`: the connection was lost and the client will try again (after each failure). */
  onReconnecting(l: (attempt: ReconnectAttempt) => void): () => void {
    return subscribe(this.reconnectingListeners, l);
  }

  /**
   * With `reconnect`: back in the game. resumed: the same player (id, position, score);
   * false: the server had lost it, so this is a new player (new playerId).
   */
  onReconnected(l: (resumed: boolean) => void): () => void {
    return subscribe(this.reconnectedListeners, l);
  }

  /** The room's player list changed (sent whole). */
  onRoster(l: (players: RosterMsg['players']) => void): () => void {
    return subscribe(this.rosterListeners, l);
  }

  /**
   * Every message from the server, after the client has handled it, with its local
   * arrival time: for tools that measure (the load-test bots), not for game logic.
   */
  onMessage(l: (msg: ServerMessage, arrival: number) => void): () => void {
    return subscribe(this.messageListeners, l);
  }

  /**
   * Every game event (shots, hits, kills, respawns, pickups, chat, notices) in the order
   * the server sent them, with the tick they happened in; match (scores, health) is
   * already updated when it runs.
   */
  onEvent(l: (event: GameEvent, tick: number) => void): () => void {
    return subscribe(this.eventListeners, l);
  }

  /**
   * The own blaster fired, as predicted at once: where the beam goes on this screen and
   * whom it hits here (the server's Shot/Hit events confirm). For the muzzle flash,
   * beam and sound; no waiting for a round trip. The object is reused.
   */
  onLocalShot(l: (shot: Readonly<LocalShot>) => void): () => void {
    return subscribe(this.shotListeners, l);
  }

  /**
   * Say something to the room. Cleaned and cut as the server will; returns false when
   * nothing is left to send or the connection is not ready.
   */
  sendChat(text: string): boolean {
    const clean = sanitizeChat(text.slice(0, Limits.MAX_RAW_CHAT));
    if (clean === '' || this.stateValue !== 'ready' || !this.conn) return false;
    return this.conn.send({ kind: ClientKind.Chat, text: clean });
  }

  // ---- state ----

  get state(): ClientState {
    return this.stateValue;
  }
  get connected(): boolean {
    return this.stateValue === 'ready';
  }
  get reconnecting(): boolean {
    return this.stateValue === 'reconnecting';
  }
  get playerId(): number {
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
  /** Why the connection ended (null while open). */
  get closeReason(): { code: number; reason: string } | null {
    return this.closeInfo;
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
    return this.interp?.renderTime ?? Number.NaN;
  }
  /** Latest predicted (unsmoothed) own state, px and px/s, or null before the first snapshot. */
  get predictedState(): Readonly<PlayerState> | null {
    return this.reconciler?.state ?? null;
  }
  /** Distance of the latest reconciliation's correction, px (0: the prediction was exact). */
  get lastPredictionError(): number {
    return this.reconciler?.lastError ?? 0;
  }
  /** Everyone in the room now (the roster kept by Roster, PlayerJoined, PlayerLeft). */
  roster(): { id: number; name: string }[] {
    return [...this.names].map(([id, name]) => ({ id, name }));
  }

  /** Name from the roster ('' if unknown). */
  nameOf(id: number): string {
    return this.names.get(id) ?? '';
  }

  /** The own player where it should be drawn, or null before it has been seen. Reused object. */
  localPlayer(): Readonly<LocalPlayerView> | null {
    const r = this.reconciler;
    const inputs = this.inputs;
    if (!r || !inputs) return null;
    const v = this.localView;
    if (!r.renderPosition(inputs.alpha, v)) return null;
    const s = r.state!;
    v.id = this.playerId;
    v.name = this.names.get(v.id) ?? this.name;
    v.vx = s.vx;
    v.vy = s.vy;
    v.aim = this.aimRad;
    return v;
  }

  /** Every other player at render time. The array and its objects are reused by the next call. */
  remotePlayers(): readonly Readonly<RemotePlayerView>[] {
    const out = this.remoteViews;
    let n = 0;
    if (this.interp) {
      const self = this.playerId;
      for (const e of this.interp.sample()) {
        if (e.id === self) continue;
        const v = this.remotePool[n] ?? (this.remotePool[n] = { id: 0, name: '', x: 0, y: 0, vx: 0, vy: 0, aim: 0 });
        v.id = e.id;
        v.name = this.names.get(e.id) ?? '';
        v.x = e.x;
        v.y = e.y;
        v.vx = e.vx;
        v.vy = e.vy;
        v.aim = e.aim;
        out[n++] = v;
      }
    }
    out.length = n;
    return out;
  }

  /** Figures for the debug overlay and bot reports; refreshed by update(). Reused object. */
  get stats(): Readonly<ClientStats> {
    return this.statsValue;
  }

  // ---- internals ----

  private rosterChanged(): void {
    if (this.rosterListeners.length === 0) return;
    const players = [...this.names].map(([id, name]) => ({ id, name }));
    for (const l of this.rosterListeners) l(players);
  }

  private observe(msg: ServerMessage): void {
    const ls = this.messageListeners;
    if (ls.length === 0) return;
    const now = this.now();
    for (const l of ls) l(msg, now);
  }

  private readonly sendInput = (seq: number, buttons: number, aim: number): void => {
    this.reconciler!.applyInput(seq, buttons);
    const m = this.inputMsg;
    m.seq = seq;
    m.buttons = buttons;
    m.aim = aim;
    // A shot carries the moment the others were drawn at: the server judges it there.
    m.viewTime = (buttons & Button.Fire) !== 0 ? this.viewTime() : undefined;
    this.conn!.send(m);
    if (m.viewTime !== undefined && seq >= this.nextLocalFireSeq) {
      this.nextLocalFireSeq = seq + blasterCooldownTicks(this.tickRate);
      this.predictShot(aim);
    }
  };

  /** The render time of remote players as a whole ms (the server clock estimate before any snapshot). */
  private viewTime(): number {
    const t = this.renderTime;
    const v = Number.isFinite(t) ? t : this.clock.serverNow(this.now());
    return Math.min(Limits.MAX_VIEW_TIME, Math.max(0, Math.round(v)));
  }

  /** Draw-at-once version of the shot just sent: traced against what this screen shows. */
  private predictShot(aim: number): void {
    const me = this.reconciler?.state;
    if (!me || this.shotListeners.length === 0 || !this.mapValue) return;
    const targets = this.shotTargets;
    let n = 0;
    for (const p of this.remotePlayers()) {
      const t = targets[n] ?? (targets[n] = { id: 0, x: 0, y: 0 });
      t.id = p.id;
      t.x = p.x;
      t.y = p.y;
      n++;
    }
    targets.length = n;
    const r = traceShot(this.mapValue, me.x, me.y, aim, targets, PLAYER_RADIUS);
    const shot = this.localShot;
    shot.x0 = me.x;
    shot.y0 = me.y;
    shot.x1 = me.x + r.dx * r.dist;
    shot.y1 = me.y + r.dy * r.dist;
    shot.hitId = r.hitId;
    shot.aim = aim;
    for (const l of this.shotListeners) l(shot);
  }

  private async onWelcome(w: WelcomeMsg): Promise<void> {
    // After a reconnect everything per-connection starts over: the server sends full
    // snapshots (no baseline), acks from 0, and expects input seq 1 again; a new player
    // (not resumed) may even be on a restarted server with another clock.
    if (this.welcome !== null && !w.resumed) this.clock = new ClockSync(this.opts.clock);
    this.welcome = w;
    // A reconnect that cannot resume joins this private room again, not yet another one.
    if (this.room === CREATE_PRIVATE_ROOM) this.room = w.roomCode;
    this.nextLocalFireSeq = 0;
    this.resumeToken = w.resumeToken ?? null;
    this.reconciler = null;
    this.earlySnapshot = null;
    this.viewSent = { width: 0, height: 0 };
    this.pingsSent = 0;
    const now = this.now();
    this.clock.hint(w.serverTime, now);
    this.inputs = new InputSender(w.tickRate, this.opts.inputs);
    this.interp = new Interpolator(w.snapshotRate, this.opts.interpolator);
    // Remote positions come in 1/REMOTE_POS_SCALE px and displacements per snapshot;
    // the decoder turns them into the units of the own player's exact state.
    this.decoder = new SnapshotDecoder(POS_SCALE / REMOTE_POS_SCALE, (VEL_SCALE / REMOTE_POS_SCALE) * w.snapshotRate);
    this.stateValue = 'loading';
    const map = this.mapValue?.id === w.mapId ? this.mapValue : await this.loadMap(w.mapId);
    // The socket may have closed while the map loaded.
    if (this.conn?.isClosed !== false) return;
    if (map.id !== w.mapId) throw new Error(`server plays map "${w.mapId}" but the client was given "${map.id}"`);
    this.mapValue = map;
    this.reconciler = new Reconciler(map, w.tickRate, this.opts.reconciler);
    this.stateValue = 'ready';
    const t = this.now();
    this.inputs.start(t);
    this.nextPingAt = t;
    if (this.earlySnapshot) {
      this.reconcileOwn(this.earlySnapshot);
      this.earlySnapshot = null;
    }
  }

  private loadMap(mapId: string): Promise<CollisionMap> {
    const src = this.opts.map;
    if (typeof src === 'function') return src(mapId);
    if (src) return Promise.resolve(src);
    return fetchMap(this.opts.url, mapId);
  }

  private handle(msg: ServerMessage): void {
    switch (msg.kind) {
      case ServerKind.Snapshot:
        this.onSnapshot(msg);
        return;
      case ServerKind.Pong:
        this.clock.addSample(msg.clientTime, msg.serverTime, this.now());
        return;
      case ServerKind.Roster:
        this.names.clear();
        for (const p of msg.players) this.names.set(p.id, p.name);
        this.rosterChanged();
        return;
      case ServerKind.PlayerJoined:
        this.names.set(msg.id, msg.name);
        this.match.joined(msg.id);
        this.rosterChanged();
        return;
      case ServerKind.PlayerLeft:
        this.names.delete(msg.id);
        this.match.left(msg.id);
        this.rosterChanged();
        return;
      case ServerKind.MatchState:
        this.match.reset(msg);
        return;
      case ServerKind.Events:
        for (const e of msg.events) {
          this.match.apply(e);
          for (const l of this.eventListeners) l(e, msg.tick);
        }
        return;
      case ServerKind.Welcome:
        return; // handled in connect()
    }
  }

  private onSnapshot(snap: SnapshotMsg): void {
    if (!this.interp || !this.decoder) {
      this.conn?.close(CloseCode.UnexpectedMessage, 'snapshot before welcome');
      return;
    }
    this.snapshotsReceived++;
    try {
      this.decoder.apply(snap.tick, snap.baseTick, snap.view, snap.blocks);
    } catch (e) {
      if (!(e instanceof DeltaError)) throw e;
      // A new connection starts from full snapshots: with `reconnect`, that is the fix.
      this.retryOwnClose = true;
      this.conn?.close(CloseCode.Malformed, `snapshot out of sync: ${e.message}`);
      return;
    }
    if (this.opts.interpolate !== false) this.pushInterpolated(snap);
    if (this.reconciler) this.reconcileOwn(snap);
    else this.earlySnapshot = snap;
  }

  private pushInterpolated(snap: SnapshotMsg): void {
    // The interpolator keeps what it is given, so each snapshot gets its own list.
    const entities = this.decoder!.entities();
    const own = entities.find((e) => e.id === this.playerId);
    if (own) {
      own.x = snap.self.x;
      own.y = snap.self.y;
      own.vx = snap.self.vx;
      own.vy = snap.self.vy;
    }
    const resolved: ResolvedSnapshot = { tick: snap.tick, serverTime: snap.serverTime, ackSeq: snap.ackSeq, entities };
    this.interp!.push(resolved, this.now());
  }

  private reconcileOwn(snap: SnapshotMsg): void {
    const inputs = this.inputs!;
    inputs.history.ack(snap.ackSeq);
    const s = this.serverState;
    s.x = snap.self.x / POS_SCALE;
    s.y = snap.self.y / POS_SCALE;
    s.vx = snap.self.vx / VEL_SCALE;
    s.vy = snap.self.vy / VEL_SCALE;
    s.dash = snap.self.dash;
    s.dashCooldown = snap.self.dashCooldown;
    this.reconciler!.reconcile(snap.ackSeq, s, inputs.history);
  }

  private updateStats(now: number): void {
    const st = this.statsValue;
    const conn = this.conn!;
    this.inMeter.update(this.bytesInBefore + conn.bytesIn, now);
    this.outMeter.update(this.bytesOutBefore + conn.bytesOut, now);
    this.snapMeter.update(this.snapshotsReceived, now);
    const r = this.reconciler!;
    const interp = this.interp!;
    st.rtt = this.clock.rtt;
    st.rttSmoothed = this.clock.smoothedRtt;
    st.clockOffset = this.clock.offset;
    st.snapshotRate = this.snapMeter.rate;
    st.snapshotJitter = interp.jitter;
    st.interpolationDelay = interp.delay(now);
    st.interpolationTarget = interp.targetDelay;
    st.bytesInPerSec = this.inMeter.rate;
    st.bytesOutPerSec = this.outMeter.rate;
    st.predictionError = r.lastError;
    if (Number.isNaN(this.errorWindowStart) || now - this.errorWindowStart >= 1000) {
      this.errorWindowStart = now;
      st.predictionErrorMax = r.takeMaxError();
    }
    st.corrections = r.corrections;
    st.pendingInputs = this.inputs!.history.pending;
    st.tickRate = this.tickRate;
    st.inputsSent = this.inputs!.produced;
    st.snapshotsReceived = this.snapshotsReceived;
  }
}

/** Default map loader: the server serves the repo's assets/ at /assets/. */
export async function fetchMap(wsUrl: string, mapId: string): Promise<CollisionMap> {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(mapId)) throw new Error(`refusing to load map with id "${mapId}"`);
  const u = new URL(wsUrl);
  u.protocol = u.protocol === 'wss:' ? 'https:' : 'http:';
  u.pathname = `/assets/maps/${mapId}.json`;
  u.search = '';
  u.hash = '';
  const res = await fetch(u);
  if (!res.ok) throw new Error(`could not load map ${mapId} from ${u.href}: HTTP ${res.status}`);
  return parseTiledMap(mapId, await res.json());
}

function subscribe<F>(list: F[], l: F): () => void {
  list.push(l);
  return () => {
    const i = list.indexOf(l);
    if (i >= 0) list.splice(i, 1);
  };
}
