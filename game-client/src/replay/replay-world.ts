/**
 * The room as a replay describes it at the cursor's tick, with no rendering and no
 * clock: the cells (remote units, exactly as recorded) and the match (roster, scores,
 * health, deaths) built by the client's own RoomState. Tests compare it with the
 * server's state tick by tick; the bench times seeks into it.
 */
import { ServerKind, SnapshotDecoder, type ServerMessage } from '../../../protocol/index.ts';
import type { KeyframeRecord, ReplaySink } from '../../../protocol/replay/index.ts';
import { RoomState } from '../net/room-state.ts';

/** One player as recorded: id, X, Y (1/REMOTE_POS_SCALE px), dX, dY, aim (0..31). */
export type RecordedPlayer = [id: number, X: number, Y: number, dX: number, dY: number, aim: number];

export class ReplayWorld implements ReplaySink {
  // Unit scales of 1: positions stay in the recorded units, so comparisons are exact.
  decoder = new SnapshotDecoder(1, 1);
  room = new RoomState(() => 0);
  /** Tick of the latest snapshot applied. */
  snapshotTick = -1;

  restart(_k: KeyframeRecord): void {
    this.decoder = new SnapshotDecoder(1, 1);
    this.room = new RoomState(() => 0);
    this.snapshotTick = -1;
  }

  frame(_bytes: Uint8Array, msg: ServerMessage): void {
    if (msg.kind === ServerKind.Snapshot) {
      this.decoder.apply(msg.tick, msg.baseTick, msg.view, msg.blocks);
      this.snapshotTick = msg.tick;
    } else this.room.apply(msg);
  }

  /** Every visible player, by id. */
  players(): RecordedPlayer[] {
    const out: RecordedPlayer[] = [];
    for (const m of this.decoder.cells.values())
      for (let i = 0; i < m.ids.length; i++) out.push([m.ids[i]!, m.X[i]!, m.Y[i]!, m.dX[i]!, m.dY[i]!, m.aim[i]!]);
    return out.sort((a, b) => a[0] - b[0]);
  }

  /** Roster ids with their score and whether they are alive, by id. */
  standings(): [id: number, score: number, alive: boolean, health: number][] {
    const m = this.room.match;
    return this.room.roster
      .list()
      .map((p) => [p.id, m.scoreOf(p.id), m.isAlive(p.id), m.healthOf(p.id)] as [number, number, boolean, number])
      .sort((a, b) => a[0] - b[0]);
  }
}
