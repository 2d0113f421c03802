/**
 * One match: its players, their authoritative state, and the per-tick work of applying
 * inputs, stepping the shared sim and sending snapshots. Many rooms live in a process.
 */
import {
  Button,
  CloseCode,
  EventType,
  NO_BASELINE,
  Notice,
  ServerKind,
  SnapshotWriter,
  encodeServerMessage,
  quantizePos,
  quantizeVel,
  sanitizeChat,
  stepPlayer,
  type CollisionMap,
  type InputMsg,
  type PlayerState,
  type SelfState,
} from '../protocol/index.ts';
import type { TickInfo } from './loop.ts';
import { EventFeed, type EventRecipient } from './net/event-feed.ts';
import { InputQueue } from './net/input-queue.ts';
import { InterestGrid, wholeMap } from './net/interest-grid.ts';
import type { Session } from './net/session.ts';
import { SnapshotBuilder } from './net/snapshot-builder.ts';
import { Arena, type Combatant } from './world/arena.ts';

export interface Player {
  readonly id: number;
  readonly name: string;
  /** The room it plays in, for as long as it is in one. */
  readonly room: Room;
  /** The current connection; a closed one while the player is kept for a resume. */
  session: Session;
  state: PlayerState;
  /** Aim byte from the latest applied input. */
  aim: number;
  readonly inputs: InputQueue;
  /** Last input seq applied: the ack the player's snapshots carry. */
  lastAppliedSeq: number;
  /** Reused for the self part of each snapshot. */
  readonly selfState: SelfState;
  /** Health, life, score, blaster cooldown: see world/arena.ts. */
  readonly combat: Combatant;
}

export interface RoomOptions {
  tickRate: number;
  snapshotRate: number;
  capacity: number;
  /** Over this many buffered bytes a player's snapshot is skipped (backpressure). */
  sendSoftLimitBytes: number;
  /** A client skipped for backpressure this long without a break is closed (SlowConsumer). */
  slowConsumerTimeoutMs: number;
  /**
   * 'delta': interest-managed delta snapshots (the default). 'full': the whole room's
   * state to every client every snapshot, as full-state servers do; for comparison
   * in the benchmark only.
   */
  snapshotMode: 'delta' | 'full';
  random: () => number;
}

const FULL_STATE = { tick: NO_BASELINE, view: null };

export class Room {
  readonly players = new Map<number, Player>();
  private readonly dt: number;
  private readonly taken: InputMsg[] = [];
  private readonly snapshots: SnapshotBuilder;
  private readonly blocks: Uint8Array[] = [];
  /** Every frame of a tick is written here in turn; transports copy what they send. */
  private readonly writer = new SnapshotWriter();
  snapshotsSent = 0;
  snapshotsSkipped = 0;
  /** Combat, respawns and pickups. */
  readonly arena: Arena;
  /** This tick's events, flushed before its snapshots. */
  private readonly events: EventFeed;
  /** Loop time of the latest tick, ms (a newcomer's spawn protection runs from it). */
  private now = 0;

  constructor(
    readonly code: string,
    readonly isPublic: boolean,
    readonly map: CollisionMap,
    private readonly opts: RoomOptions,
  ) {
    this.dt = 1 / opts.tickRate;
    const grid = new InterestGrid(map.width * map.tileSize, map.height * map.tileSize);
    this.snapshots = new SnapshotBuilder(grid);
    this.events = new EventFeed(grid);
    this.arena = new Arena(map, opts.tickRate, opts.random, this.events);
  }

  get size(): number {
    return this.players.size;
  }

  get isFull(): boolean {
    return this.players.size >= this.opts.capacity;
  }

  get capacity(): number {
    return this.opts.capacity;
  }

  join(id: number, name: string, session: Session): Player {
    if (this.isFull) throw new Error(`room ${this.code} is full`);
    const at = this.arena.spawnPoint(this.players.values());
    const player: Player = {
      id,
      name,
      session,
      state: { x: at.x, y: at.y, vx: 0, vy: 0 },
      aim: 0,
      // One second of inputs may wait; more means the client sends faster than it may.
      inputs: new InputQueue(this.opts.tickRate),
      lastAppliedSeq: 0,
      selfState: { x: 0, y: 0, vx: 0, vy: 0 },
      room: this,
      combat: this.arena.newcomer(this.now),
    };
    // Everyone already here learns of the newcomer; the newcomer gets the whole list.
    const joined = encodeServerMessage({ kind: ServerKind.PlayerJoined, id, name });
    for (const p of this.players.values()) p.session.send(joined);
    this.players.set(id, player);
    const players = [...this.players.values()].map((p) => ({ id: p.id, name: p.name }));
    session.send(encodeServerMessage({ kind: ServerKind.Roster, players }));
    this.sendMatchState(session);
    return player;
  }

  /** Scores, health and taken pickups, for a client that (re)joins: events follow from here. */
  private sendMatchState(session: Session): void {
    const players = [...this.players.values()].map((p) => ({
      id: p.id,
      score: p.combat.score,
      health: p.combat.alive ? p.combat.health : 0,
    }));
    session.send(encodeServerMessage({ kind: ServerKind.MatchState, players, pickupsTaken: this.arena.pickups.taken() }));
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
  }

  /**
   * A kept player's new connection. Its snapshots start over from full blocks (a new
   * session has no baseline) and its input sequence starts over at 1 (the acks at 0):
   * the client restarts its own on every connection.
   */
  resume(player: Player, session: Session): void {
    player.session = session;
    player.inputs.reset();
    player.lastAppliedSeq = 0;
    const players = [...this.players.values()].map((p) => ({ id: p.id, name: p.name }));
    session.send(encodeServerMessage({ kind: ServerKind.Roster, players }));
    this.sendMatchState(session);
  }

  leave(player: Player): void {
    if (!this.players.delete(player.id)) return;
    const left = encodeServerMessage({ kind: ServerKind.PlayerLeft, id: player.id });
    for (const p of this.players.values()) p.session.send(left);
  }

  tick(info: TickInfo): void {
    this.now = info.time;
    const taken = this.taken;
    const arena = this.arena;
    for (const p of this.players.values()) {
      const n = p.inputs.take(taken);
      for (let i = 0; i < n; i++) {
        const input = taken[i]!;
        // The dead still have their inputs acknowledged (the client's prediction stays in
        // step) but applied as no buttons: a corpse neither walks nor shoots.
        const alive = p.combat.alive;
        p.state = stepPlayer(p.state, alive ? input.buttons : 0, this.dt, this.map);
        p.aim = input.aim;
        p.lastAppliedSeq = input.seq;
        if (alive && input.viewTime !== undefined && (input.buttons & Button.Fire) !== 0)
          arena.fire(p, input.aim, input.viewTime, info.tick);
      }
    }
    arena.endTick(info.time, this.players);
    // Events before the snapshot of the same tick: a kill arrives before the snapshot
    // its victim has vanished from, a respawn before the one it reappears in.
    if (this.events.pending > 0) this.events.flush(info.tick, this.eventRecipients());
    if (this.snapshotDue(info.tick)) this.sendSnapshots(info);
  }

  private *eventRecipients(): Iterable<EventRecipient> {
    const grid = this.snapshots.grid;
    const full = this.opts.snapshotMode === 'full';
    for (const p of this.players.values()) {
      const s = p.session;
      if (s.phase === 'closed') continue;
      yield {
        id: p.id,
        view: full ? wholeMap(grid) : grid.viewAround(p.state.x, p.state.y, s.viewWidth, s.viewHeight),
        send: (bytes) => s.send(bytes),
      };
    }
  }

  /** Snapshots go out snapshotRate times a second, spread evenly over the ticks. */
  private snapshotDue(tick: number): boolean {
    const { tickRate, snapshotRate } = this.opts;
    if (snapshotRate >= tickRate) return true;
    return Math.floor(((tick + 1) * snapshotRate) / tickRate) > Math.floor((tick * snapshotRate) / tickRate);
  }

  private sendSnapshots(info: TickInfo): void {
    const builder = this.snapshots;
    builder.capture(info.tick, this.remoteSources());
    const time = Math.round(info.time);
    const blocks = this.blocks;
    for (const p of this.players.values()) {
      const s = p.session;
      // A player kept for a resume has no one to send to.
      if (s.phase === 'closed') continue;
      // Backpressure: a client that is not keeping up gets no snapshot this tick rather
      // than an ever-growing buffer; the next one deltas against what it last received.
      if (s.bufferedAmount() > this.opts.sendSoftLimitBytes) {
        s.snapshotsSkipped++;
        this.snapshotsSkipped++;
        if (s.slowSince < 0) s.slowSince = info.time;
        else if (info.time - s.slowSince > this.opts.slowConsumerTimeoutMs)
          s.close(CloseCode.SlowConsumer, `not reading: send buffer over ${this.opts.sendSoftLimitBytes} bytes for ${this.opts.slowConsumerTimeoutMs} ms`);
        continue;
      }
      s.slowSince = -1;
      const full = this.opts.snapshotMode === 'full';
      const view = full ? wholeMap(builder.grid) : builder.grid.viewAround(p.state.x, p.state.y, s.viewWidth, s.viewHeight);
      const baseTick = builder.blocksFor(view, full ? FULL_STATE : s.baseline, blocks);
      const self = p.selfState;
      self.x = quantizePos(p.state.x);
      self.y = quantizePos(p.state.y);
      self.vx = quantizeVel(p.state.vx);
      self.vy = quantizeVel(p.state.vy);
      self.dash = p.state.dash ?? 0;
      self.dashCooldown = p.state.dashCooldown ?? 0;
      s.send(this.writer.write(info.tick, time, p.lastAppliedSeq, baseTick, self, view, blocks));
      s.baseline.tick = info.tick;
      s.baseline.view = view;
      this.snapshotsSent++;
    }
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
