/**
 * A real Room played in process by seeded players who walk, aim at the nearest other
 * player and fire, recorded by the real RoomRecorder into memory. Alongside, what the
 * server had after every tick: the remote state its snapshot builder streamed (the
 * exact cells), every alive player's true position, and the standings.
 */
import {
  Button,
  ClientKind,
  REMOTE_AIM_SHIFT,
  REMOTE_POS_SCALE,
  quantizeAngle,
  type CellMembers,
} from '../../../protocol/index.ts';
import { seededRandom } from '../../../protocol/random.ts';
import { MemoryTransport } from '../../../game-server/net/memory-transport.ts';
import { Session } from '../../../game-server/net/session.ts';
import { viewPolicyFor } from '../../../game-server/net/view-policy.ts';
import { RoomRecorder, type ReplayOutput } from '../../../game-server/replay/room-recorder.ts';
import { Room, type Player } from '../../../game-server/room.ts';
import type { RecordedPlayer } from '../../../game-client/src/replay/replay-world.ts';
import { loadMap } from '../server/memory-game.ts';

export class MemoryOutput implements ReplayOutput {
  readonly chunks: Uint8Array[] = [];
  dropped = false;
  finished = false;
  append(bytes: Uint8Array): void {
    this.chunks.push(bytes);
  }
  finish(): void {
    this.finished = true;
  }
  bytes(): Uint8Array {
    const n = this.chunks.reduce((s, c) => s + c.byteLength, 0);
    const out = new Uint8Array(n);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.byteLength;
    }
    return out;
  }
}

export interface ServerTickState {
  /** The cells the snapshot builder streamed at its latest snapshot, as [id, X, Y, dX, dY, aim] by id. */
  streamed: RecordedPlayer[];
  /** This tick took a snapshot (else streamed and truth are the latest snapshot's). */
  snapshot: boolean;
  /** True positions of the alive, 1/REMOTE_POS_SCALE px, and aim 0..31: [id, X, Y, aim]. */
  truth: [number, number, number, number][];
  /** [id, score, alive, health] by id. */
  standings: [number, number, boolean, number][];
}

export interface RecordedMatch {
  output: MemoryOutput;
  /** What the server had after each tick, by tick. */
  states: Map<number, ServerTickState>;
  tickRate: number;
  kills: number;
}

export function playRecordedMatch(opts: { ticks: number; players: number; seed: number; snapshotRate?: number; keyframeIntervalS?: number }): RecordedMatch {
  const tickRate = 30;
  const map = loadMap('duel');
  const output = new MemoryOutput();
  const room = new Room('TEST', true, map, {
    tickRate,
    snapshotRate: opts.snapshotRate ?? tickRate,
    capacity: 64,
    sendSoftLimitBytes: 1 << 20,
    slowConsumerTimeoutMs: 5000,
    view: viewPolicyFor('delta'),
    random: seededRandom(opts.seed),
    recording: (r, tap) =>
      new RoomRecorder(r, tap, output, {
        tickRate,
        snapshotRate: opts.snapshotRate ?? tickRate,
        startedAtMs: 1_700_000_000_000,
        flushMs: 500,
        ...(opts.keyframeIntervalS !== undefined ? { keyframeIntervalS: opts.keyframeIntervalS } : {}),
      }),
  });
  const rnd = seededRandom(opts.seed + 1);
  const sessions: Session<Player>[] = [];
  const join = (i: number): void => {
    const s = new Session<Player>(i, 'test', new MemoryTransport({ keepFrames: false }), 0, 1000);
    s.slot = room.join(i, `p${i}`, s);
    sessions.push(s);
  };
  for (let i = 1; i <= opts.players; i++) join(i);
  const DIRS = [0, Button.Up, Button.Down, Button.Left, Button.Right, Button.Up | Button.Left, Button.Down | Button.Right];
  const moves = sessions.map(() => DIRS[Math.floor(rnd() * DIRS.length)]!);
  const states = new Map<number, ServerTickState>();
  let kills = 0;
  let seq = 0;
  const internals = room as unknown as { snapshots: { tick: number; current: { cells: Map<number, CellMembers> } } };
  for (let tick = 0; tick < opts.ticks; tick++) {
    const time = (tick * 1000) / tickRate;
    seq++;
    // Someone joins and someone leaves part-way, so the roster changes between keyframes.
    if (tick === Math.floor(opts.ticks / 3)) join(opts.players + 1);
    if (tick === Math.floor((2 * opts.ticks) / 3)) {
      const s = sessions.shift()!;
      room.leave(s.slot!);
    }
    for (let i = 0; i < sessions.length; i++) {
      const p = sessions[i]!.slot!;
      if (rnd() < 1 / tickRate) moves[i] = DIRS[Math.floor(rnd() * DIRS.length)]!;
      let target: Player | null = null;
      let best = Infinity;
      for (const q of room.players.values()) {
        if (q === p || !q.combat.alive) continue;
        const d = Math.hypot(q.state.x - p.state.x, q.state.y - p.state.y);
        if (d < best) [best, target] = [d, q];
      }
      const aim = target ? quantizeAngle(Math.atan2(target.state.y - p.state.y, target.state.x - p.state.x)) : Math.floor(rnd() * 256);
      const fire = target !== null && rnd() < 0.3;
      p.inputs.push({ kind: ClientKind.Input, seq, buttons: (moves[i] ?? 0) | (fire ? Button.Fire : 0), aim, ...(fire ? { viewTime: Math.round(time) } : {}) });
    }
    const before = [...room.players.values()].reduce((n, p) => n + p.combat.score, 0);
    room.tick({ tick, time, lateness: 0 });
    kills += [...room.players.values()].reduce((n, p) => n + p.combat.score, 0) - before;
    const snapshot = internals.snapshots.tick === tick;
    const streamed: RecordedPlayer[] = [];
    if (snapshot)
      for (const m of internals.snapshots.current.cells.values())
        for (let i = 0; i < m.ids.length; i++) streamed.push([m.ids[i]!, m.X[i]!, m.Y[i]!, m.dX[i]!, m.dY[i]!, m.aim[i]!]);
    const players = [...room.players.values()];
    states.set(tick, {
      snapshot,
      streamed: snapshot ? streamed.sort((a, b) => a[0] - b[0]) : (states.get(tick - 1)?.streamed ?? []),
      truth: players
        .filter((p) => p.combat.alive)
        .map((p) => [p.id, Math.round(p.state.x * REMOTE_POS_SCALE), Math.round(p.state.y * REMOTE_POS_SCALE), p.aim >> REMOTE_AIM_SHIFT] as [number, number, number, number])
        .sort((a, b) => a[0] - b[0]),
      standings: players
        .map((p) => [p.id, p.combat.score, p.combat.alive, p.combat.alive ? p.combat.health : 0] as [number, number, boolean, number])
        .sort((a, b) => a[0] - b[0]),
    });
  }
  for (const s of sessions) room.leave(s.slot!);
  return { output, states, tickRate, kills };
}
