/**
 * The game server's core, free of any socket library: the loop that ticks every room,
 * the lobby (Hello, resume, rooms), the session hub (connections, dispatch), and the
 * metrics over them. server.ts binds uWS to `hub`; tests bind a memory transport.
 *
 * A room whose tick throws fails alone: it is closed (its players with 1011, its kept
 * players' tokens void), logged with the stack, counted, and every other room ticks on.
 */
import { CloseCode, FixedLoop, type CollisionMap, type TickInfo, type TimerClock } from '../protocol/index.ts';
import type { ServerConfig } from './config.ts';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { MemoryRoomDirectory, type DirectoryOptions } from './directory/memory-directory.ts';
import { RedisRoomDirectory } from './directory/redis-directory.ts';
import type { RoomDirectory } from './directory/room-directory.ts';
import { Lobby, type PlayerSession } from './lobby.ts';
import type { Logger } from './logger.ts';
import { systemClock } from './loop.ts';
import { ServerMetrics } from './metrics.ts';
import { viewPolicyFor } from './net/view-policy.ts';
import { seededRandom } from '../protocol/random.ts';
import { newRoomTotals, type Room, type RoomTotals } from './room.ts';
import { SessionHub } from './session-hub.ts';
import { TickStats } from './tick-stats.ts';
import { ReplayStore } from './replay/replay-store.ts';
import { roomStreams } from './replay/room-streams.ts';
import { Spectators } from './replay/spectators.ts';

/** What the players of a failed room are told (a close reason: at most 123 bytes). */
export const ROOM_FAILED_REASON = 'internal server error: this room failed and was closed';

/** A node id when none is given: the host name (cleaned) and 4 random bytes. */
function defaultNodeId(): string {
  const host = hostname().replace(/[^A-Za-z0-9._-]/g, '').slice(0, 40) || 'node';
  return `${host}-${randomBytes(4).toString('hex')}`;
}

/**
 * The tick p99 a node offers the directory's placement: over the last 1,024 ticks but
 * never the first five seconds of the process (JIT warm-up and the first joins make a
 * few slow ticks that say nothing of load), and 0 until ten seconds of ticks exist, so
 * a young node is placed by its free seats alone. Under the clean-clone suite a young
 * node's start-up outliers made it look loaded and drew the swarm to the other node.
 */
export function placementP99(stats: TickStats, tickRate: number): number {
  const warmup = 5 * tickRate;
  if (stats.totalTicks < 2 * warmup) return 0;
  return stats.percentile(0.99, Math.max(warmup, stats.totalTicks - 1024));
}

export class Game {
  readonly loop: FixedLoop;
  readonly directory: RoomDirectory;
  readonly lobby: Lobby;
  readonly hub: SessionHub;
  readonly tickStats = new TickStats();
  readonly metrics: ServerMetrics;
  /** Snapshot counts of every room, past and present. */
  readonly roomTotals: RoomTotals = newRoomTotals();
  /** Rooms closed because their tick threw. */
  roomFailures = 0;
  private readonly clock: TimerClock;
  private readonly log: Logger;
  /** The replay folder, when matches are recorded (config.replayDir). */
  readonly replays: ReplayStore | null;
  /** Live spectators of public rooms, unless config.maxSpectators is 0. */
  readonly spectators: Spectators | null;

  constructor(
    config: ServerConfig,
    readonly map: CollisionMap,
    clock: TimerClock = systemClock,
  ) {
    this.clock = clock;
    this.log = config.logger;
    this.loop = new FixedLoop(config.tickRate, this.onTick, clock);
    this.replays = config.replayDir
      ? new ReplayStore({ dir: config.replayDir, maxBytes: config.replayMaxBytes, tickRate: config.tickRate, snapshotRate: config.snapshotRate, log: this.log })
      : null;
    const rates = { tickRate: config.tickRate, snapshotRate: config.snapshotRate };
    this.spectators =
      config.maxSpectators > 0
        ? new Spectators(() => this.directory.rooms, { ...rates, delayMs: config.spectatorDelayMs, maxSpectators: config.maxSpectators })
        : null;
    const streams = roomStreams(this.replays, this.spectators, rates);
    const recording = streams ? { recording: streams } : {};
    const rooms: DirectoryOptions = {
      tickRate: config.tickRate,
      snapshotRate: config.snapshotRate,
      capacity: config.maxPlayers,
      sendSoftLimitBytes: config.sendSoftLimitBytes,
      slowConsumerTimeoutMs: config.slowConsumerTimeoutMs,
      view: viewPolicyFor(config.snapshotMode),
      maxBytesPerSecond: config.maxBytesPerSecond,
      maxRooms: config.maxRooms,
      random: seededRandom(config.seed),
      totals: this.roomTotals,
      ticketTtlMs: config.ticketTtlMs,
      now: () => this.loop.now(),
      nodeId: config.nodeId ?? defaultNodeId(),
      publicUrl: config.publicUrl,
      maxRewindMs: config.maxRewindMs,
      ...recording,
    };
    // Cluster mode (issue 11): rooms still tick here; Redis says which node hosts which code.
    this.directory = config.redisUrl
      ? new RedisRoomDirectory(map, {
          ...rooms,
          redisUrl: config.redisUrl,
          nodeId: rooms.nodeId!,
          keyPrefix: config.redisKeyPrefix,
          leaseTtlMs: config.leaseTtlMs,
          refreshMs: config.leaseRefreshMs,
          log: this.log,
          load: () => ({ players: this.lobby.playerCount, tickP99Ms: placementP99(this.tickStats, config.tickRate), budgetMs: 1000 / config.tickRate }),
          onLeaseLost: (why) => this.lobby.closeAllRooms(CloseCode.NodeLeaseLost, `node lease lost (${why.slice(0, 60)}): rematch`),
        })
      : new MemoryRoomDirectory(map, rooms);
    this.lobby = new Lobby(
      this.directory,
      { tickRate: config.tickRate, snapshotRate: config.snapshotRate, mapId: map.id, resumeGraceMs: config.resumeGraceMs },
      this.loop,
      this.log,
    );
    this.hub = new SessionHub(this.lobby, config, () => this.loop.now(), this.log, (code) => this.metrics.disconnect(code));
    this.hub.spectators = this.spectators;
    this.metrics = new ServerMetrics(
      {
        totals: this.hub.totals,
        players: () => this.lobby.playerCount,
        keptPlayers: () => this.lobby.keptPlayers,
        rooms: () => this.directory.rooms.size,
        connections: () => this.hub.sessions.size,
        tickOverruns: () => this.loop.overruns,
        snapshotsSent: () => this.roomTotals.snapshotsSent,
        snapshotsSkipped: () => this.roomTotals.snapshotsSkipped,
        shotsBeyondRewind: () => this.roomTotals.shotsBeyondRewind,
        input: this.roomTotals.input,
        directory: () => ({ ...this.directory.node, ...this.directory.status() }),
        budget: this.roomTotals.budget,
      },
      { defaultMetrics: config.processMetrics },
    );
  }

  get sessions(): ReadonlySet<PlayerSession> {
    return this.hub.sessions;
  }

  get closesByCode(): ReadonlyMap<number, number> {
    return this.hub.closesByCode;
  }

  /** Players whose connection dropped, kept for a resume. */
  get keptPlayers(): number {
    return this.lobby.keptPlayers;
  }

  get playerCount(): number {
    return this.lobby.playerCount;
  }

  start(): void {
    this.loop.start();
  }

  stop(): void {
    this.loop.stop();
  }

  /** One loop tick: also callable by hand (tests drive a Game without its timer). */
  tick(info: TickInfo): void {
    const t0 = this.clock.now();
    const now = this.loop.now();
    this.hub.expireHandshakes(now);
    this.lobby.expireKept(now);
    this.directory.sweep(now);
    for (const room of this.directory.rooms.values()) {
      try {
        room.tick(info);
      } catch (err) {
        this.roomFailed(room, err, info.tick);
      }
    }
    const ms = this.clock.now() - t0;
    this.tickStats.record(ms);
    this.metrics.observeTick(ms);
  }

  private onTick = (info: TickInfo): void => this.tick(info);

  private roomFailed(room: Room, err: unknown, tick: number): void {
    this.roomFailures++;
    this.metrics.roomFailed();
    this.log.error(
      { err, room: room.code, players: room.size, tick },
      'room tick threw: room closed, its players disconnected with 1011',
    );
    // Whatever state the throw left the room in, none of it is sent or kept.
    try {
      this.lobby.closeRoom(room, CloseCode.InternalError, ROOM_FAILED_REASON);
    } catch (closeErr) {
      this.log.error({ err: closeErr, room: room.code }, 'closing a failed room threw');
      this.directory.remove(room);
    }
  }
}
