/**
 * Records one room's match as its god-view stream (protocol/REPLAY.md): per tick, the
 * frames a client seeing the whole map would have been sent (joins, leaves, every event
 * but private notices, and a snapshot of every cell as a delta against the previous
 * one), and every KEYFRAME_INTERVAL_S a keyframe (roster, match state, every cell whole)
 * a viewer can seek to.
 *
 * The snapshot comes from the room's own SnapshotBuilder: a cell some client also sees
 * costs nothing more (its block is cached per cell and baseline), and a cell nobody
 * sees is encoded once, as it would be for a client. The recorder takes its events the
 * way a client does, as an EventRecipient whose view is the whole map. Records pile up
 * in one buffer; every flushMs of loop time the buffer goes to the output, which writes
 * it asynchronously, so the tick never waits on the disk and a crash loses at most the
 * last flush interval.
 */
import {
  BLASTER_RANGE,
  NO_BASELINE,
  REMOTE_POS_SCALE,
  ServerKind,
  SnapshotWriter,
  encodeServerMessage,
  type SelfState,
  type ViewRect,
} from '../../protocol/index.ts';
import { KEYFRAME_INTERVAL_S, RecordType, encodePreamble, frameRecord } from '../../protocol/replay/index.ts';
import { pack } from '../../protocol/msgpack.ts';
import type { EventRecipient } from '../net/event-feed.ts';
import { wholeMap } from '../net/interest-grid.ts';
import type { ClientBaseline } from '../net/snapshot-builder.ts';
import type { RecordingTap, Room, RoomRecording } from '../room.ts';
import { RecordBuffer } from './record-buffer.ts';
import type { LiveTap } from './spectator-feed.ts';

/** Where a recording's bytes go (replay-file.ts: a file appended asynchronously). */
export interface ReplayOutput {
  append(bytes: Uint8Array): void;
  /** The recording is over: nothing more will be appended. */
  finish(): void;
  /** Set when the output gave up (deleted for the disk cap, or a write failed). */
  readonly dropped: boolean;
}

export interface RecorderOptions {
  tickRate: number;
  snapshotRate: number;
  /** Wall clock when recording starts, ms since 1970 (the header's start). */
  startedAtMs: number;
  /** A keyframe at least this often, s (default KEYFRAME_INTERVAL_S). */
  keyframeIntervalS?: number;
  /** Hand the buffered records to the output at least this often, loop ms (default 1000). */
  flushMs?: number;
  /** Live spectators, fed the same frames as they are made (spectator-feed.ts). */
  live?: LiveTap;
}

const NO_DELTA: ClientBaseline = Object.freeze({ tick: NO_BASELINE, view: null }) as ClientBaseline;

export class RoomRecorder implements RoomRecording, EventRecipient {
  // As an event recipient: no player (so no private notices), the whole map in view,
  // and a roster that predates every join (so every join and leave is recorded).
  readonly id = -1;
  readonly rosterStamp = 0;
  readonly view: ViewRect;
  private readonly frames: Uint8Array[] = [];
  private readonly blocks: Uint8Array[] = [];
  private readonly writer = new SnapshotWriter();
  private readonly self: SelfState = { x: 0, y: 0, vx: 0, vy: 0 };
  private readonly base: ClientBaseline;
  private readonly out = new RecordBuffer();
  private readonly keyframeTicks: number;
  private readonly flushMs: number;
  private lastKeyframe = -Infinity;
  private lastFlush = -Infinity;
  private done = false;
  private readonly live: LiveTap | null;
  /** This tick's shots for the inspector (judged before record()), their elements after the tick. */
  private readonly shots: unknown[][] = [];

  constructor(
    private readonly room: Room,
    private readonly tap: RecordingTap,
    private readonly output: ReplayOutput,
    opts: RecorderOptions,
  ) {
    this.view = wholeMap(tap.grid);
    this.base = { tick: NO_BASELINE, view: this.view };
    this.keyframeTicks = Math.max(1, Math.floor((opts.keyframeIntervalS ?? KEYFRAME_INTERVAL_S) * opts.tickRate));
    this.flushMs = opts.flushMs ?? 1000;
    this.live = opts.live ?? null;
    this.out.raw(encodePreamble());
    this.out.raw(
      frameRecord(pack([RecordType.Header, room.code, room.map.id, opts.tickRate, opts.snapshotRate, Math.round(opts.startedAtMs), room.isPublic ? 1 : 0])),
    );
    this.output.append(this.out.take());
    room.arena.shotObserver = (shooter, viewTime, x0, y0, x1, y1, targets, hitId, refused) => {
      // The others within reach of the beam, where the rewind put them (1/2 px, as the cells).
      const reach = BLASTER_RANGE + 64;
      const near: number[] = [];
      for (const t of targets)
        if (t.id !== shooter && Math.abs(t.x - x0) <= reach && Math.abs(t.y - y0) <= reach)
          near.push(t.id, Math.round(t.x * REMOTE_POS_SCALE), Math.round(t.y * REMOTE_POS_SCALE));
      const q = (v: number): number => Math.max(0, Math.round(v * REMOTE_POS_SCALE));
      this.shots.push([shooter, Math.max(0, Math.round(viewTime)), q(x0), q(y0), q(x1), q(y1), hitId > 0 ? hitId : 0, refused ? 1 : 0, near]);
    };
  }

  send(bytes: Uint8Array): void {
    this.frames.push(bytes);
  }

  /**
   * The room's tick just sent its frames: record what a whole-map client got. `events`:
   * the room's event feed is prepared for this tick; `snapshot`: the room captured one.
   */
  record(tick: number, time: number, events: boolean, snapshot: boolean): void {
    if (this.done) return;
    // A file given up (disk cap, write error) still feeds live spectators.
    const writing = !this.output.dropped;
    // A file starts with a keyframe (a reader seeks from one): what happens before the
    // first snapshot tick is in that keyframe's roster and match state.
    if (!snapshot && this.lastKeyframe === -Infinity) {
      this.shots.length = 0;
      return;
    }
    const frames = this.frames;
    frames.length = 0;
    if (events) this.tap.events.deliver(this);
    const serverTime = Math.round(time);
    if (snapshot) {
      const baseTick = this.tap.snapshots.blocksFor(this.view, this.base, this.blocks);
      frames.push(this.writer.write(tick, serverTime, 0, baseTick, this.self, this.view, this.blocks));
      this.base.tick = tick;
    }
    const wrote = frames.length > 0;
    if (wrote) {
      let size = 0;
      for (const f of frames) size += f.byteLength + 5;
      const out = this.out;
      out.begin(3 + frames.length, 27 + size);
      out.int(RecordType.Tick);
      out.int(tick);
      out.int(serverTime);
      for (const f of frames) out.bin(f);
      out.end();
      this.live?.tick(tick, serverTime, frames);
      frames.length = 0;
    }
    // Shot records follow their tick's record (the reader checks it), with that tick.
    // Rare next to ticks (a shot every few ticks per player), so packed the plain way.
    // (A shot always makes a Shot event, so its tick has a record.)
    if (wrote) for (const s of this.shots) this.out.raw(frameRecord(pack([RecordType.Shot, tick, ...s])));
    this.shots.length = 0;
    if (snapshot && (tick - this.lastKeyframe >= this.keyframeTicks || this.live?.wantsKeyframe)) this.keyframe(tick, serverTime);
    if (!writing) this.out.clear();
    else if (time - this.lastFlush >= this.flushMs) {
      this.lastFlush = time;
      this.flush();
    }
  }

  /** The room is over (emptied, or shut): the last records go out and the file is closed. */
  finish(): void {
    if (this.done) return;
    this.done = true;
    this.flush();
    this.output.finish();
    this.live?.finish();
  }

  /** The whole room after `tick`: where a seek starts from. Rare (every few seconds), so it may allocate. */
  private keyframe(tick: number, serverTime: number): void {
    this.lastKeyframe = tick;
    const players = [...this.room.players.values()];
    const roster = encodeServerMessage({ kind: ServerKind.Roster, players: players.map((p) => ({ id: p.id, name: p.name })) });
    const matchState = encodeServerMessage({
      kind: ServerKind.MatchState,
      players: players.map((p) => ({ id: p.id, score: p.combat.score, health: p.combat.alive ? p.combat.health : 0 })),
      pickupsTaken: this.room.arena.pickups.taken(),
    });
    this.tap.snapshots.blocksFor(this.view, NO_DELTA, this.blocks);
    const snap = this.writer.write(tick, serverTime, 0, NO_BASELINE, this.self, this.view, this.blocks);
    const out = this.out;
    out.begin(6, 27 + roster.byteLength + matchState.byteLength + snap.byteLength + 15);
    out.int(RecordType.Keyframe);
    out.int(tick);
    out.int(serverTime);
    out.bin(roster);
    out.bin(matchState);
    out.bin(snap);
    out.end();
    this.live?.keyframe(tick, serverTime, [roster, matchState, snap]);
  }

  private flush(): void {
    if (this.out.length > 0 && !this.output.dropped) this.output.append(this.out.take());
  }
}
