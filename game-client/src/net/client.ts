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
  closeCodeName,
  isValidRoomCode,
  parseTiledMap,
  quantizeAngle,
  sanitizeName,
  DeltaError,
  REMOTE_POS_SCALE,
  SnapshotDecoder,
  type CollisionMap,
  type EntityState,
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
import { ClockSync, type ClockSyncOptions } from './clock-sync.ts';
import { Connection, type WebSocketCtor } from './connection.ts';
import { InputSender, type InputSenderOptions } from './input-sender.ts';
import { Interpolator, type InterpolatorOptions } from './interpolator.ts';
import { RateMeter } from './rate-meter.ts';
import { Reconciler, type ReconcilerOptions } from './reconciler.ts';

export type MapSource = CollisionMap | ((mapId: string) => Promise<CollisionMap>);

export interface GameClientOptions {
  /** WebSocket URL, e.g. ws://host:8080/ws. */
  url: string;
  /** Display name; sanitized as the server will (protocol sanitizeName). */
  name: string;
  /** Room code to join (case-insensitive); "" or absent = quick play. */
  room?: string;
  /** WebSocket constructor; default globalThis.WebSocket (pass the `ws` package in Node 20). */
  WebSocket?: WebSocketCtor;
  /** Local clock, ms; default performance.now. update() and message arrivals both use it. */
  now?: () => number;
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
}

export type ClientState = 'idle' | 'connecting' | 'loading' | 'ready' | 'closed';

/** The own player as it should be drawn now (predicted, smoothed). */
export interface LocalPlayerView {
  id: number;
  name: string;
  /** px */
  x: number;
  y: number;
  /** px/s, of the latest prediction */
  vx: number;
  vy: number;
  /** The aim set locally, radians (not waiting for the server). */
  aim: number;
}

/** Another player at render time (interpolated). */
export interface RemotePlayerView {
  id: number;
  name: string;
  x: number;
  y: number;
  vx: number;
  vy: number;
  /** radians [0, 2π) */
  aim: number;
}

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

type Listener<A extends unknown[]> = (...args: A) => void;

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

export class GameClient {
  private readonly opts: GameClientOptions;
  private readonly now: () => number;
  private readonly name: string;
  private readonly room: string;
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
  private readonly clock: ClockSync;
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
  private closeInfo: { code: number; reason: string } | null = null;

  // Reused every tick/frame: a bot process runs thousands of clients.
  private readonly inputMsg: InputMsg = { kind: ClientKind.Input, seq: 0, buttons: 0, aim: 0 };
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
    this.room = (opts.room ?? '').trim().toUpperCase();
    this.clock = new ClockSync(opts.clock);
  }

  // ---- lifecycle ----

  /**
   * Open the socket, say hello, and resolve with the welcome once the map is ready for
   * prediction. Rejects with ConnectError if the server closes first (room full,
   * unknown room, version mismatch, ...), or with an Error if the map cannot be loaded.
   */
  connect(): Promise<WelcomeMsg> {
    if (this.stateValue !== 'idle') return Promise.reject(new Error('GameClient.connect() may be called only once'));
    if (this.room !== '' && !isValidRoomCode(this.room))
      return Promise.reject(new Error(`"${this.room}" is not a room code (4-8 letters/digits, no 0/O/1/I/L)`));
    const WS = this.opts.WebSocket ?? (globalThis as { WebSocket?: WebSocketCtor }).WebSocket;
    if (!WS) return Promise.reject(new Error('no WebSocket implementation: pass options.WebSocket (e.g. the ws package)'));

    this.stateValue = 'connecting';
    return new Promise<WelcomeMsg>((resolve, reject) => {
      let settled = false;
      const fail = (err: Error): void => {
        if (!settled) {
          settled = true;
          reject(err);
        }
      };
      let conn: Connection;
      try {
        conn = new Connection(this.opts.url, WS);
      } catch (err) {
        this.stateValue = 'closed';
        fail(err instanceof Error ? err : new Error(String(err)));
        return;
      }
      this.conn = conn;
      conn.onOpen(() => {
        conn.send({ kind: ClientKind.Hello, version: PROTOCOL_VERSION, name: this.name, room: this.room });
      });
      conn.onClose((code, reason) => {
        this.stateValue = 'closed';
        this.closeInfo = { code, reason };
        fail(new ConnectError(code, reason));
        for (const l of this.closeListeners) l(code, reason);
      });
      conn.onMessage((msg) => {
        if (msg.kind === ServerKind.Welcome) {
          if (this.welcome) {
            conn.close(CloseCode.UnexpectedMessage, 'second welcome');
            return;
          }
          this.onWelcome(msg).then(
            () => {
              if (settled) return;
              settled = true;
              resolve(msg);
            },
            (err: unknown) => {
              const e = err instanceof Error ? err : new Error(String(err));
              fail(e);
              conn.close(CloseCode.Normal, e.message);
            },
          );
          this.observe(msg);
          return;
        }
        this.handle(msg);
        this.observe(msg);
      });
    });
  }

  /** Leave: closes the socket with 1000; onClose listeners run. */
  close(reason = 'client left'): void {
    if (this.conn) this.conn.close(CloseCode.Normal, reason);
    else this.stateValue = 'closed';
  }

  /**
   * Advance everything to `now` (default: the injected clock): produce and send the
   * inputs due, predict them, ping when due, advance the interpolation clock and
   * smoothing, refresh stats. Call once per frame.
   */
  update(now: number = this.now()): void {
    if (this.stateValue !== 'ready') return;
    const inputs = this.inputs!;
    inputs.update(now, this.buttons, this.aimByte, this.sendInput);
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

  /** The connection ended (server close, network loss, or close()). Exactly once. */
  onClose(l: (code: number, reason: string) => void): () => void {
    return subscribe(this.closeListeners, l);
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

  // ---- state ----

  get state(): ClientState {
    return this.stateValue;
  }
  get connected(): boolean {
    return this.stateValue === 'ready';
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
    this.conn!.send(m);
  };

  private async onWelcome(w: WelcomeMsg): Promise<void> {
    this.welcome = w;
    const now = this.now();
    this.clock.hint(w.serverTime, now);
    this.inputs = new InputSender(w.tickRate, this.opts.inputs);
    this.interp = new Interpolator(w.snapshotRate, this.opts.interpolator);
    // Remote positions come in 1/REMOTE_POS_SCALE px and displacements per snapshot;
    // the decoder turns them into the units of the own player's exact state.
    this.decoder = new SnapshotDecoder(POS_SCALE / REMOTE_POS_SCALE, (VEL_SCALE / REMOTE_POS_SCALE) * w.snapshotRate);
    this.stateValue = 'loading';
    const map = await this.loadMap(w.mapId);
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
        this.rosterChanged();
        return;
      case ServerKind.PlayerLeft:
        this.names.delete(msg.id);
        this.rosterChanged();
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
    this.reconciler!.reconcile(snap.ackSeq, s, inputs.history);
  }

  private updateStats(now: number): void {
    const st = this.statsValue;
    const conn = this.conn!;
    this.inMeter.update(conn.bytesIn, now);
    this.outMeter.update(conn.bytesOut, now);
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
