/**
 * One match: its players, their authoritative state, and the per-tick work of applying
 * inputs, stepping the shared sim and sending events and snapshots. Many rooms live in a
 * process. A room reaches each player's connection through its ClientChannel only.
 */
import {
  Button,
  EventType,
  Notice,
  ServerKind,
  SnapshotWriter,
  encodeServerMessage,
  sanitizeChat,
  stepPlayer,
  writeSelfState,
  type CollisionMap,
  type InputMsg,
  type TickInfo,
  type PlayerState,
  type SelfState,
} from '../protocol/index.ts';
import { ClientBudget, DEFAULT_MAX_BYTES_PER_SECOND, newBudgetTotals, type BudgetTotals, type PlayerLocator } from './net/budget.ts';
import { ClientChannel, type Backpressure, type ClientLink } from './net/client-channel.ts';
import { EventFeed } from './net/event-feed.ts';
import { InputQueue, newInputTotals, type InputTotals } from './net/input-queue.ts';
import { InterestGrid } from './net/interest-grid.ts';
import { SnapshotBuilder } from './net/snapshot-builder.ts';
import type { ViewPolicy, ViewPolicyFactory } from './net/view-policy.ts';
import { Arena, type Combatant, type ShotTotals } from './world/arena.ts';
import { EngagementSink } from './world/engagements.ts';
import { RoomBroadcasts } from './world/room-broadcasts.ts';
import { Rounds } from './world/rounds.ts';

export interface Player {
  readonly id: number;
  readonly name: string;
  /** The room it plays in, for as long as it is in one. */
  readonly room: Room;
  /** The current connection's channel; a closed one while the player is kept for a resume. */
  channel: ClientChannel;
  state: PlayerState;
  /** Aim byte from the latest applied input. */
  aim: number;
  readonly inputs: InputQueue;
  /** Last input seq applied: the ack the player's snapshots carry. */
  lastAppliedSeq: number;
  /** The InputTiming adjust last sent on this connection (a new client starts at 0). */
  timingSent: number;
  /** Reused for the self part of each snapshot. */
  readonly selfState: SelfState;
  /** Health, life, score, blaster cooldown: see world/arena.ts. */
  readonly combat: Combatant;
  /**
   * Loop time each queued Fire input arrived, by seq: a shot's age is judged on arrival,
   * so the time it then waits in the input queue is not counted against its shooter.
   */
  readonly fireArrivals: Map<number, number>;
}

export interface RoomOptions {
  tickRate: number;
  snapshotRate: number;
  capacity: number;
  /** Over this many buffered bytes a player's snapshot is skipped (backpressure). */
  sendSoftLimitBytes: number;
  /** A client skipped for backpressure this long without a break is closed (SlowConsumer). */
  slowConsumerTimeoutMs: number;
  /** What each client sees: net/view-policy.ts (interest-managed, or everything for comparison). */
  view: ViewPolicyFactory;
  random: () => number;
  /** Counters shared by every room of a server, for /metrics (rooms come and go). */
  totals?: RoomTotals;
  /** Lag compensation's limit, ms (default MAX_REWIND_MS); each Welcome carries it. */
  maxRewindMs?: number;
  /** Replays: a recording for each new room, or none (game-server/replay/). */
  recording?: RecordingFactory;
  /** Bandwidth budget: the most snapshot bytes per second per client (default DEFAULT_MAX_BYTES_PER_SECOND). */
  maxBytesPerSecond?: number;
}

// ---- replay recording hook (game-server/replay/) ----
/** What a room lends its recording: the feeds it already builds for its clients. */
export interface RecordingTap {
  readonly events: EventFeed;
  readonly snapshots: SnapshotBuilder;
  readonly grid: InterestGrid;
}
/** A room's match recording: fed once per tick after the tick's sends, ended with the room. */
export interface RoomRecording {
  record(tick: number, time: number, events: boolean, snapshot: boolean): void;
  finish(): void;
}
export type RecordingFactory = (room: Room, tap: RecordingTap) => RoomRecording | null;

export interface RoomTotals extends ShotTotals {
  snapshotsSent: number;
  snapshotsSkipped: number;
  /** Input buffer figures of every player (net/input-queue.ts). */
  input: InputTotals;
  /** Bandwidth budget figures of every client (net/budget.ts). */
  budget: BudgetTotals;
}

export const newRoomTotals = (): RoomTotals => ({ snapshotsSent: 0, snapshotsSkipped: 0, shotsBeyondRewind: 0, input: newInputTotals(), budget: newBudgetTotals() });

/**
 * InputTiming goes out at most this often per player, and only when the adjust changed:
 * a P controller needs fresh figures, not a message every tick.
 */
const TIMING_EVERY_TICKS = 8;

/**
 * When the Fire input `seq` arrived (default: `fallback`), forgetting it and any older
 * one (inputs the queue dropped on overflow never come to be applied).
 */
function takeArrival(arrivals: Map<number, number>, seq: number, fallback: number): number {
  const at = arrivals.get(seq) ?? fallback;
  for (const k of arrivals.keys()) if (k <= seq) arrivals.delete(k);
  return at;
}

export class Room {
  readonly players = new Map<number, Player>();
  private readonly dt: number;
  private readonly taken: InputMsg[] = [];
  /** Read by the tick bench (blocks encoded vs served from cache). */
  readonly snapshots: SnapshotBuilder;
  private readonly blocks: Uint8Array[] = [];
  /** Every frame of a tick is written here in turn; transports copy what they send. */
  private readonly writer = new SnapshotWriter();
  private readonly policy: ViewPolicy;
  private readonly backpressure: Backpressure;
  readonly totals: RoomTotals;
  /** Combat, respawns and pickups. */
  readonly arena: Arena;
  /** This tick's joins, leaves and events, flushed before its snapshots. */
  private readonly events: EventFeed;
  /** MatchState and RoundState for everyone (issue 13), and this tick's frames of them. */
  private readonly broadcasts: RoomBroadcasts;
  private broadcastFrames: readonly Uint8Array[] = [];
  /** The players with an open channel this tick, their views worked out (reused every tick). */
  private readonly live: Player[] = [];
  /** What sendTick works on, for the player `sendingTo` (set per client per tick). */
  private sendingTo: Player | null = null;
  private sendingInfo: TickInfo | null = null;
  private sendingSnapshot = false;
  /** sendTick bound once: it runs inside each client's cork, every tick. */
  private readonly sendTickBound = (): void => this.sendTick();
  /** Stamp of the latest join or leave (see EventFeed.announce). */
  private membership = 0;
  /** Loop time of the latest tick, ms (a newcomer's spawn protection runs from it). */
  private now = 0;
  /** Set once the room is shut (it failed): it takes no one and sends nothing. */
  closed = false;
  /** This room's replay recording, if replays are on. */
  private readonly recording: RoomRecording | null;

  constructor(
    readonly code: string,
    readonly isPublic: boolean,
    readonly map: CollisionMap,
    private readonly opts: RoomOptions,
  ) {
    this.dt = 1 / opts.tickRate;
    const grid = new InterestGrid(map.width * map.tileSize, map.height * map.tileSize);
    this.snapshots = new SnapshotBuilder(grid);
    this.policy = opts.view(grid);
    this.backpressure = { softLimitBytes: opts.sendSoftLimitBytes, timeoutMs: opts.slowConsumerTimeoutMs };
    this.totals = opts.totals ?? newRoomTotals();
    this.events = new EventFeed(grid);
    // Bandwidth budget: combat events also tell each client's budget who it is fighting.
    const sink = new EngagementSink(this.events, this.players, () => this.now);
    this.arena = new Arena(map, opts.tickRate, opts.random, sink, this.totals, opts.maxRewindMs);
    this.broadcasts = new RoomBroadcasts(this.players, () => this.arena.pickups.taken());
    this.recording = opts.recording?.(this, { events: this.events, snapshots: this.snapshots, grid }) ?? null;
  }

  /** Bandwidth budget: a new connection's, sized to this room's grid and capped by the server's limit. */
  private budgetFor(link: ClientLink): ClientBudget {
    const max = this.opts.maxBytesPerSecond ?? DEFAULT_MAX_BYTES_PER_SECOND;
    return new ClientBudget(this.snapshots.grid, 1000 / this.opts.tickRate, max, link.askedBytesPerSecond ?? 0);
  }

  /** Where a player of this room is, for the budget (its own position and its opponents'). */
  private readonly locator: PlayerLocator = {
    locate: (id, out) => {
      const p = this.players.get(id);
      if (!p) return false;
      out.x = p.state.x;
      out.y = p.state.y;
      return true;
    },
  };

  get size(): number {
    return this.players.size;
  }

  get isFull(): boolean {
    return this.players.size >= this.opts.capacity;
  }

  get capacity(): number {
    return this.opts.capacity;
  }

  join(id: number, name: string, link: ClientLink): Player {
    if (this.closed) throw new Error(`room ${this.code} is closed`);
    if (this.isFull) throw new Error(`room ${this.code} is full`);
    const at = this.arena.spawnPoint(this.players.values());
    const channel = new ClientChannel(id, link, this.budgetFor(link));
    const player: Player = {
      id,
      name,
      channel,
      state: { x: at.x, y: at.y, vx: 0, vy: 0 },
      aim: 0,
      // One second of inputs may wait; more means the client sends faster than it may.
      inputs: new InputQueue(this.opts.tickRate, 1000 / this.opts.tickRate),
      lastAppliedSeq: 0,
      timingSent: 0,
      selfState: { x: 0, y: 0, vx: 0, vy: 0 },
      room: this,
      combat: this.arena.newcomer(this.now),
      fireArrivals: new Map(),
    };
    // Everyone already here learns of the newcomer with the next tick; the newcomer gets
    // the whole list now (so it is not told of itself, nor of what the list already says).
    const stamp = ++this.membership;
    this.events.announce(encodeServerMessage({ kind: ServerKind.PlayerJoined, id, name }), stamp);
    channel.rosterStamp = stamp;
    this.players.set(id, player);
    this.sendRoster(channel);
    return player;
  }

  /** Everyone here, then scores, health and taken pickups: events follow from here. */
  private sendRoster(channel: ClientChannel): void {
    const players = [...this.players.values()].map((p) => ({ id: p.id, name: p.name }));
    channel.send(encodeServerMessage({ kind: ServerKind.Roster, players }));
    this.sendMatchState(channel);
  }

  /** Scores, health and taken pickups, for a client that (re)joins: events follow from here. */
  private sendMatchState(channel: ClientChannel): void {
    channel.send(this.broadcasts.matchState(false));
    // Rounds (issue 13): a player who joins or resumes mid-round learns where the round is.
    const round = this.broadcasts.roundState();
    if (round) channel.send(round);
  }

  /** Give this room rounds of lengthMs (issue 13; before anyone plays in it). */
  useRounds(lengthMs: number): void {
    if (lengthMs > 0 && !this.broadcasts.rounds) this.broadcasts.rounds = new Rounds(lengthMs);
  }

  get rounds(): Rounds | null {
    return this.broadcasts.rounds;
  }

  /** A chat line from a player: cleaned, then to everyone in the room with the next events. */
  chat(player: Player, raw: string): void {
    const text = sanitizeChat(raw);
    if (text !== '') this.events.all({ type: EventType.Chat, player: player.id, text });
  }

  /** Tell one player its chat line was dropped for going over the chat rate. */
  chatRefused(player: Player): void {
    this.events.to(player.id, { type: EventType.Notice, notice: Notice.ChatRateLimited, text: 'You are sending messages too fast; that one was not sent.' });
  }

  /**
   * The player's connection dropped: it stays in the room (seat, state, visible to
   * others) but frozen, since no input is applied until it resumes.
   */
  detach(player: Player): void {
    player.inputs.reset();
    player.fireArrivals.clear();
  }

  /**
   * A kept player's new connection. Its snapshots start over from full blocks (a new
   * channel has no baseline) and its input sequence starts over at 1 (the acks at 0):
   * the client restarts its own on every connection.
   */
  resume(player: Player, link: ClientLink): void {
    player.channel = new ClientChannel(player.id, link, this.budgetFor(link));
    player.inputs.reset();
    player.fireArrivals.clear();
    player.lastAppliedSeq = 0;
    player.timingSent = 0;
    player.channel.rosterStamp = this.membership;
    this.sendRoster(player.channel);
  }

  /**
   * Shut the room for good (its tick failed): every connected player is closed with
   * `code`, and from here on the room takes no one and sends nothing.
   */
  shut(code: number, reason: string): void {
    this.closed = true;
    this.recording?.finish();
    for (const p of [...this.players.values()]) if (p.channel.open) p.channel.link.close(code, reason);
  }

  leave(player: Player): void {
    if (!this.players.delete(player.id)) return;
    if (this.closed) return;
    this.events.announce(encodeServerMessage({ kind: ServerKind.PlayerLeft, id: player.id }), ++this.membership);
    // The lobby drops an empty room: its match (and its recording) is over.
    if (this.players.size === 0) this.recording?.finish();
  }

  tick(info: TickInfo): void {
    this.now = info.time;
    const taken = this.taken;
    const arena = this.arena;
    // Slack is measured against when the tick really runs, not when it was due.
    const now = info.time + info.lateness;
    const inputTotals = this.totals.input;
    const timingDue = info.tick % TIMING_EVERY_TICKS === 0;
    const behind = info.lateness > 1000 / this.opts.tickRate;
    for (const p of this.players.values()) {
      const n = p.inputs.take(taken, now, p.channel.open, inputTotals, behind);
      if (timingDue && p.channel.open) this.sendTiming(p);
      for (let i = 0; i < n; i++) {
        const input = taken[i]!;
        // The dead still have their inputs acknowledged (the client's prediction stays in
        // step) but applied as no buttons: a corpse neither walks nor shoots.
        const alive = p.combat.alive;
        p.state = stepPlayer(p.state, alive ? input.buttons : 0, this.dt, this.map);
        p.aim = input.aim;
        p.lastAppliedSeq = input.seq;
        if (input.viewTime !== undefined) {
          const arrival = takeArrival(p.fireArrivals, input.seq, info.time);
          if (alive && (input.buttons & Button.Fire) !== 0 && this.broadcasts.firing) arena.fire(p, input.aim, input.viewTime, info.tick, arrival, input.seq);
        }
      }
    }
    arena.endTick(info.time, this.players);
    const due = this.snapshotDue(info.tick);
    // Round and radar frames go between this tick's events and its snapshot, in the same write.
    const extra = (this.broadcastFrames = this.broadcasts.tick(info.time));
    if (!due && this.events.pending === 0 && extra.length === 0) return;
    // Each open client's view, once per tick: its events and its snapshot both use it.
    const live = this.live;
    live.length = 0;
    for (const p of this.players.values()) {
      const c = p.channel;
      // A player kept for a resume has no one to send to.
      if (!c.open) continue;
      c.look(this.policy, p.state.x, p.state.y);
      live.push(p);
    }
    const events = this.events.pending > 0;
    if (events) this.events.prepare(info.tick);
    if (due) this.snapshots.capture(info.tick, this.remoteSources());
    // Each client's frames of this tick leave in one write (one syscall, not one per frame).
    this.sendingInfo = info;
    this.sendingSnapshot = due;
    for (const p of live) {
      this.sendingTo = p;
      p.channel.cork(this.sendTickBound);
    }
    this.sendingTo = null;
    this.recording?.record(info.tick, info.time, events, due);
    if (events) this.events.finish();
  }

  /**
   * One client's frames of the tick. Joins, leaves and events before the snapshot of the
   * same tick: a kill arrives before the snapshot its victim has vanished from, a
   * respawn before the one it reappears in, a newcomer's PlayerJoined before the first
   * snapshot showing it.
   */
  private sendTick(): void {
    const p = this.sendingTo!;
    this.events.deliver(p.channel);
    for (const f of this.broadcastFrames) p.channel.send(f);
    if (this.sendingSnapshot) this.sendSnapshot(p, this.sendingInfo!);
  }

  /** Ask the player's client to stretch or squeeze its input interval, when that changed. */
  private sendTiming(p: Player): void {
    const t = p.inputs.timing;
    const adjust = t.adjust;
    if (adjust === p.timingSent) return;
    p.timingSent = adjust;
    p.channel.send(encodeServerMessage({ kind: ServerKind.InputTiming, adjust, targetMs: Math.round(t.targetMs) }));
  }

  /** Snapshots go out snapshotRate times a second, spread evenly over the ticks. */
  private snapshotDue(tick: number): boolean {
    const { tickRate, snapshotRate } = this.opts;
    if (snapshotRate >= tickRate) return true;
    return Math.floor(((tick + 1) * snapshotRate) / tickRate) > Math.floor((tick * snapshotRate) / tickRate);
  }

  private sendSnapshot(p: Player, info: TickInfo): void {
    const c = p.channel;
    // Closed since its view was taken (by its events' send).
    if (!c.open) return;
    const totals = this.totals;
    if (!c.admit(info.time, this.backpressure)) {
      totals.snapshotsSkipped++;
      return;
    }
    const blocks = this.blocks;
    // Bandwidth budget: cells by priority within the client's rate, paced by what it reports receiving.
    const budgeted = this.policy.budgeted;
    const now = info.time + info.lateness;
    if (budgeted && !c.budget.pace(now, totals.budget)) return;
    const baseTick = budgeted
      ? c.budget.choose(this.snapshots, c.view, c.baseline, p.id, this.locator, info.tick, now, blocks, totals.budget)
      : this.snapshots.blocksFor(c.view, this.policy.baseline(c.baseline), blocks);
    const self = writeSelfState(p.state, p.selfState);
    const frame = this.writer.write(info.tick, Math.round(info.time), p.lastAppliedSeq, baseTick, self, c.view, blocks);
    c.send(frame);
    c.delivered(info.tick);
    if (budgeted) c.budget.delivered(info.tick, now, frame.byteLength, totals.budget);
    totals.snapshotsSent++;
  }

  private *remoteSources(): Iterable<{ id: number; x: number; y: number; aim: number }> {
    const src = { id: 0, x: 0, y: 0, aim: 0 };
    for (const p of this.players.values()) {
      // The dead are out of everyone's view until they respawn.
      if (!p.combat.alive) continue;
      src.id = p.id;
      src.x = p.state.x;
      src.y = p.state.y;
      src.aim = p.aim;
      yield src;
    }
  }
}
