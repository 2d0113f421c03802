/**
 * The recording factory a server's rooms are built with: each room's god-view stream
 * (room-recorder.ts) goes to its replay file when replays are on, and to its live
 * spectators when spectating is on; with neither there is no recorder at all.
 */
import type { RecordingFactory } from '../room.ts';
import type { ReplayStore } from './replay-store.ts';
import { RoomRecorder, type ReplayOutput } from './room-recorder.ts';
import type { Spectators } from './spectators.ts';

const NOWHERE: ReplayOutput = { append: () => {}, finish: () => {}, dropped: true };

export function roomStreams(
  store: ReplayStore | null,
  spectators: Spectators | null,
  rates: { tickRate: number; snapshotRate: number },
): RecordingFactory | undefined {
  if (!store && !spectators) return undefined;
  return (room, tap) => {
    const opened = store?.open(room) ?? null;
    const live = spectators?.feedFor(room);
    const rec = new RoomRecorder(room, tap, opened?.file ?? NOWHERE, {
      ...rates,
      startedAtMs: opened?.startedAtMs ?? Date.now(),
      ...(store?.flushMs !== undefined ? { flushMs: store.flushMs } : {}),
      ...(live ? { live } : {}),
    });
    return {
      record: (tick, time, events, snapshot) => rec.record(tick, time, events, snapshot),
      finish: () => {
        rec.finish();
        opened?.ended();
      },
    };
  };
}
