/**
 * One headless player: a GameClient, a behaviour, and the bookkeeping that turns what
 * it sees into measures. It has no timer of its own: the swarm calls update(now) once
 * per tick for every bot of the worker.
 */
import type { Clock } from '../../protocol/clock.ts';
import { ServerKind, type CollisionMap, type ServerMessage } from '../../protocol/index.ts';
import { ConnectError, GameClient, describeClose } from '../src/net/client.ts';
import { createBehaviour, type Behaviour, type BehaviourName } from './behaviours.ts';
import type { DelayScheduler } from './delay-scheduler.ts';
import type { LaggySocket } from './laggy-socket.ts';
import type { Measures } from './metrics.ts';
import type { PathFinder } from './path-finder.ts';
import { deriveSeed, seededRandom } from './random.ts';
import { laggyWebSocketCtor } from './ws-link.ts';

/** What every bot of a worker shares, its clock included (now()). */
export interface BotEnvironment extends Clock {
  url: string;
  behaviour: BehaviourName;
  latencyMs: number;
  jitterMs: number;
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
}

export type BotPhase = 'waiting' | 'connecting' | 'playing' | 'done';

/** Give up on a connection that has not reached the game after this long, ms. */
export const CONNECT_TIMEOUT_MS = 15_000;
/** Input send times kept for the input-to-ack measure (8 s at 30 Hz). */
const SEND_RING = 256;

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
    client.onMessage(this.observe);
    client.onClose(this.closed);
    client.connect().then(
      () => {
        if (this.phase !== 'connecting') return;
        const now = env.now();
        this.phase = 'playing';
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
  }

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
