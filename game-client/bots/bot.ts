/**
 * One headless player: a GameClient, a behaviour, and the bookkeeping that turns what
 * it sees into measures. It has no timer of its own: the swarm calls update(now) once
 * per tick for every bot of the worker.
 */
import type { Clock } from '../../protocol/clock.ts';
import { EventType, ServerKind, dequantizePos, type CollisionMap, type GameEvent, type ServerMessage } from '../../protocol/index.ts';
import type { LocalShot } from '../src/net/client-types.ts';
import { ConnectError, GameClient, describeClose } from '../src/net/client.ts';
import { createBehaviour, type Behaviour, type BehaviourName } from './behaviours.ts';
import type { DelayScheduler } from '../src/net/delay-scheduler.ts';
import type { LaggySocket } from '../src/net/laggy-socket.ts';
import type { GhostRecorder } from './ghost-samples.ts';
import type { Measures } from './metrics.ts';
import type { PathFinder } from './path-finder.ts';
import { deriveSeed, seededRandom } from './random.ts';
import { ShotJudge } from './shot-judge.ts';
import { laggyWebSocketCtor } from './ws-link.ts';

/** What every bot of a worker shares, its clock included (now()). */
export interface BotEnvironment extends Clock {
  url: string;
  behaviour: BehaviourName;
  latencyMs: number;
  jitterMs: number;
  /** Hello.maxBytesPerSecond to ask for; 0 or absent: none. */
  budget?: number;
  seed: number;
  namePrefix: string;
  /** Join through POST /api/seat on `url`'s node (cluster matchmaking). */
  seat?: boolean;
  /** Reconnect by itself after a loss (GameClient reconnect). */
  reconnect?: boolean;
  scheduler: DelayScheduler;
  measures: Measures;
  /** The map by id, fetched once per worker. */
  loadMap(mapId: string): Promise<CollisionMap>;
  /** The path finder of a loaded map, built once per worker. */
  pathsFor(map: CollisionMap): PathFinder;
  /**
   * The netcode scorecard (fight only, else null): every bot's truth goes here, and the
   * drawn positions of the bots `probes(index)` picks (a bounded sample of observers).
   */
  ghost: GhostRecorder | null;
  probes(index: number): boolean;
}

export type BotPhase = 'waiting' | 'connecting' | 'playing' | 'done';

/** Give up on a connection that has not reached the game after this long, ms. */
export const CONNECT_TIMEOUT_MS = 15_000;
/** Input send times kept for the input-to-ack measure (8 s at 30 Hz). */
const SEND_RING = 256;
/** Pongs before the view's age is measured (the clock offset comes from the lowest-RTT ones). */
const MIN_PONGS = 3;
/**
 * The view is measured from this long after joining (ms): the snapshots that queued
 * while the map loaded arrive bunched, and the interpolator's two-second window of
 * arrival spread needs that long to forget them. The scorecard is of play, not of joins.
 */
const SETTLE_MS = 3000;

export class Bot {
  phase: BotPhase = 'waiting';
  private client: GameClient | null = null;
  private socket: LaggySocket | null = null;
  private behaviour: Behaviour | null = null;
  private readonly random: () => number;
  private startedAt = 0;
  private stopping = false;

  // Measures kept per bot, folded into the worker's Measures as they happen.
  private lastSnapshotAt = Number.NaN;
  private readonly sendTimes = new Float64Array(SEND_RING);
  private inputsSent = 0;
  private ackSeen = 0;
  private accountedAt = 0;
  private accountedIn = 0;
  private accountedOut = 0;
  private accountedInputs = 0;
  /** The scorecard's parts (fight only): own shots against verdicts, and this bot's frames as an observer. */
  private judge: ShotJudge | null = null;
  private probe = false;
  /** Pongs so far: the view's age is measured once the clock has synced. */
  private pongs = 0;
  private playingSince = 0;
  private firstJudgedSeq = Infinity;

  constructor(
    readonly index: number,
    private readonly env: BotEnvironment,
    /** Called once the bot is in a room (its code), or failed (''). */
    private readonly onSettled: (bot: Bot, roomCode: string) => void = () => {},
  ) {
    this.random = seededRandom(deriveSeed(env.seed, index, 1));
  }

  get roomCode(): string {
    return this.client?.roomCode ?? '';
  }

  /** Open the connection; `room` is a room code or '' for quick play. */
  start(room: string): void {
    if (this.phase !== 'waiting') return;
    const env = this.env;
    this.phase = 'connecting';
    this.startedAt = env.now();
    const lagRandom = seededRandom(deriveSeed(env.seed, this.index, 2));
    const client = new GameClient({
      url: env.url,
      name: `${env.namePrefix}${this.index + 1}`,
      room,
      now: env.now,
      maxBytesPerSecond: env.budget ? env.budget : undefined,
      WebSocket: laggyWebSocketCtor(
        { latencyMs: env.latencyMs, jitterMs: env.jitterMs, random: lagRandom, scheduler: env.scheduler },
        (s) => (this.socket = s),
      ),
      map: (id) => env.loadMap(id),
      // Only fight looks at other players; the others skip what only drawing them needs.
      interpolate: env.behaviour === 'fight',
      seat: env.seat === true,
      reconnect: env.reconnect === true,
    });
    this.client = client;
    if (env.ghost) {
      this.judge = new ShotJudge(env.measures);
      this.probe = env.probes(this.index);
      client.onLocalShot(this.shotDrawn);
      client.onEvent(this.event);
    }
    client.onMessage(this.observe);
    client.onClose(this.closed);
    client.connect().then(
      () => {
        if (this.phase !== 'connecting') return;
        const now = env.now();
        this.phase = 'playing';
        this.playingSince = now;
        env.measures.counters.connected++;
        env.measures.h.connectMs.record(now - this.startedAt);
        const code = client.roomCode;
        env.measures.rooms[code] = (env.measures.rooms[code] ?? 0) + 1;
        this.accountedAt = now;
        this.behaviour = createBehaviour(env.behaviour, {
          client,
          paths: env.pathsFor(client.map!),
          random: this.random,
        });
        this.onSettled(this, code);
      },
      (err: unknown) => this.fail(err),
    );
  }

  /** One tick: decide controls, let the client send its input and pings. */
  update(now: number): void {
    if (this.phase === 'connecting') {
      if (now - this.startedAt > CONNECT_TIMEOUT_MS) this.client?.close(`no game after ${CONNECT_TIMEOUT_MS / 1000} s`);
      // A rematch (4012) before the first game waits for update(), like a reconnect.
      else if (this.client?.reconnecting) this.client.update(now);
      return;
    }
    if (this.phase !== 'playing') return;
    const client = this.client!;
    this.behaviour!.update(now);
    client.update(now);
    this.noteSends(client, now);
    if (this.judge) this.frame(client, now);
  }

  /**
   * The scorecard's frame: how old the others are as drawn (server time now, by the
   * clock sync, less the render time), and for a probe where they are drawn.
   */
  private frame(client: GameClient, now: number): void {
    const rt = client.renderTime;
    if (!Number.isFinite(rt) || this.pongs < MIN_PONGS || now - this.playingSince < SETTLE_MS) return;
    const h = this.env.measures.h;
    h.viewLatencyMs.record(client.serverNow(now) - rt);
    h.interpolationDelayMs.record(client.stats.interpolationDelay);
    const me = client.predictedState;
    if (this.probe && me) this.env.ghost!.addFrame(rt, me.x, me.y, client.remotePlayers());
  }

  private readonly shotDrawn = (shot: Readonly<LocalShot>): void => {
    // Shots are judged from the first one after settling (see SETTLE_MS): while the
    // worker is busy bringing its bots in, its stalls are the load generator's, not the
    // netcode's, and a stalled bot's Fire carries the render time of before the stall.
    if (this.env.now() - this.playingSince < SETTLE_MS) return;
    if (this.firstJudgedSeq === Infinity) this.firstJudgedSeq = shot.seq;
    this.judge!.predicted(shot.seq, shot.hitId, this.client!.remotePlayers().map((p) => p.id));
  };

  private readonly event = (e: GameEvent): void => {
    if (e.type !== EventType.Shot || e.seq === undefined || e.shooter !== this.client!.playerId) return;
    if (e.seq < this.firstJudgedSeq) return;
    const client = this.client!;
    this.judge!.verdict(e.seq, e.target ?? -1, e.refused === 1, (id) => client.match.isAlive(id));
  };

  /**
   * Between updates: send the inputs that fell due, with the controls as last decided.
   * The swarm calls this on every wake so send times follow the server's InputTiming.
   */
  pump(now: number): void {
    if (this.phase !== 'playing') return;
    const client = this.client!;
    client.pumpInputs(now);
    this.noteSends(client, now);
  }

  private noteSends(client: GameClient, now: number): void {
    // stats.inputsSent is refreshed by update() only; the session's count is current.
    const sent = client.inputsProduced;
    for (let seq = this.inputsSent + 1; seq <= sent; seq++) this.sendTimes[seq % SEND_RING] = now;
    this.inputsSent = sent;
  }

  /** Fold the bytes, inputs and in-game time since the last call into the measures. */
  account(now: number): void {
    if (this.phase !== 'playing') return;
    const m = this.env.measures.counters;
    const s = this.socket;
    if (s) {
      m.bytesIn += s.bytesIn - this.accountedIn;
      m.bytesOut += s.bytesOut - this.accountedOut;
      this.accountedIn = s.bytesIn;
      this.accountedOut = s.bytesOut;
    }
    m.inputsSent += this.inputsSent - this.accountedInputs;
    this.accountedInputs = this.inputsSent;
    m.botSeconds += (now - this.accountedAt) / 1000;
    this.accountedAt = now;
  }

  /** Leave (end of run): the close is not counted as a disconnect. */
  stop(): void {
    if (this.phase === 'done') return;
    this.stopping = true;
    if (this.phase === 'playing') this.account(this.env.now());
    if (this.client) this.client.close('load test finished');
    this.phase = 'done';
  }

  private readonly observe = (msg: ServerMessage, now: number): void => {
    const m = this.env.measures;
    switch (msg.kind) {
      case ServerKind.Snapshot: {
        if (this.phase !== 'playing') return;
        m.counters.snapshots++;
        // Where the server had this player at this tick: the scorecard's truth.
        this.env.ghost?.addTruth(this.client!.playerId, msg.serverTime, dequantizePos(msg.self.x), dequantizePos(msg.self.y));
        if (!Number.isNaN(this.lastSnapshotAt)) m.h.snapshotIntervalMs.record(now - this.lastSnapshotAt);
        this.lastSnapshotAt = now;
        // Input-to-ack: each input newly covered by this ack, timed from its send.
        const ack = Math.min(msg.ackSeq, this.inputsSent);
        if (ack > this.ackSeen) {
          const oldest = Math.max(this.ackSeen + 1, this.inputsSent - SEND_RING + 1);
          for (let seq = oldest; seq <= ack; seq++) m.h.inputAckMs.record(now - this.sendTimes[seq % SEND_RING]!);
          this.ackSeen = ack;
        }
        const err = this.client!.lastPredictionError;
        m.h.predictionErrorPx.record(err);
        if (err > 0) m.counters.corrections++;
        return;
      }
      case ServerKind.Pong:
        this.pongs++;
        m.h.rttMs.record(now - msg.clientTime);
        return;
    }
  };

  private readonly closed = (code: number): void => {
    if (this.phase !== 'playing' || this.stopping) return;
    this.account(this.env.now());
    this.phase = 'done';
    const m = this.env.measures;
    m.counters.disconnected++;
    const key = String(code);
    m.disconnectCodes[key] = (m.disconnectCodes[key] ?? 0) + 1;
  };

  private fail(err: unknown): void {
    if (this.phase !== 'connecting') return;
    this.phase = 'done';
    const m = this.env.measures;
    m.counters.failed++;
    let why: string;
    if (err instanceof ConnectError) {
      why = describeClose(err.code, '');
      const detail = this.socket?.errorText || (err.code === 1000 ? err.reason : '');
      if (detail) why += `: ${detail}`;
    } else why = err instanceof Error ? err.message : String(err);
    m.failReasons[why] = (m.failReasons[why] ?? 0) + 1;
    this.onSettled(this, '');
  }
}
