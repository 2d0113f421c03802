/**
 * One match: its players, their authoritative state, and the per-tick work of applying
 * inputs, stepping the shared sim and sending snapshots. Many rooms live in a process.
 */
import {
  CloseCode,
  NO_BASELINE,
  ServerKind,
  SnapshotWriter,
  encodeServerMessage,
  quantizePos,
  quantizeVel,
  stepPlayer,
  type CollisionMap,
  type InputMsg,
  type PlayerState,
  type SelfState,
} from '../protocol/index.ts';
import type { TickInfo } from './loop.ts';
import { InputQueue } from './net/input-queue.ts';
import { InterestGrid, wholeMap } from './net/interest-grid.ts';
import type { Session } from './net/session.ts';
import { SnapshotBuilder } from './net/snapshot-builder.ts';
import { chooseSpawn } from './world/spawns.ts';

export interface Player {
  readonly id: number;
  readonly name: string;
  readonly session: Session;
  state: PlayerState;
  /** Aim byte from the latest applied input. */
  aim: number;
  readonly inputs: InputQueue;
  /** Last input seq applied: the ack the player's snapshots carry. */
  lastAppliedSeq: number;
  /** Reused for the self part of each snapshot. */
  readonly selfState: SelfState;
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

  constructor(
    readonly code: string,
    readonly isPublic: boolean,
    readonly map: CollisionMap,
    private readonly opts: RoomOptions,
  ) {
    this.dt = 1 / opts.tickRate;
    this.snapshots = new SnapshotBuilder(new InterestGrid(map.width * map.tileSize, map.height * map.tileSize));
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
    const at = chooseSpawn(this.map.spawns, [...this.players.values()].map((p) => p.state), this.opts.random);
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
    };
    // Everyone already here learns of the newcomer; the newcomer gets the whole list.
    const joined = encodeServerMessage({ kind: ServerKind.PlayerJoined, id, name });
    for (const p of this.players.values()) p.session.send(joined);
    this.players.set(id, player);
    const players = [...this.players.values()].map((p) => ({ id: p.id, name: p.name }));
    session.send(encodeServerMessage({ kind: ServerKind.Roster, players }));
    return player;
  }

  leave(player: Player): void {
    if (!this.players.delete(player.id)) return;
    const left = encodeServerMessage({ kind: ServerKind.PlayerLeft, id: player.id });
    for (const p of this.players.values()) p.session.send(left);
  }

  tick(info: TickInfo): void {
    const taken = this.taken;
    for (const p of this.players.values()) {
      const n = p.inputs.take(taken);
      for (let i = 0; i < n; i++) {
        const input = taken[i]!;
        p.state = stepPlayer(p.state, input.buttons, this.dt, this.map);
        p.aim = input.aim;
        p.lastAppliedSeq = input.seq;
      }
    }
    if (this.snapshotDue(info.tick)) this.sendSnapshots(info);
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
      s.send(this.writer.write(info.tick, time, p.lastAppliedSeq, baseTick, self, view, blocks));
      s.baseline.tick = info.tick;
      s.baseline.view = view;
      this.snapshotsSent++;
    }
  }

  private *remoteSources(): Iterable<{ id: number; x: number; y: number; aim: number }> {
    const src = { id: 0, x: 0, y: 0, aim: 0 };
    for (const p of this.players.values()) {
      src.id = p.id;
      src.x = p.state.x;
      src.y = p.state.y;
      src.aim = p.aim;
      yield src;
    }
  }
}
