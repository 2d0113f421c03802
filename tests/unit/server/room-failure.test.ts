/**
 * A room whose tick throws fails alone: its players are closed with 1011, its kept
 * players' tokens stop working, it leaves the directory, the failure is logged with its
 * stack and counted; every other room keeps ticking and its players stay.
 */
import { describe, expect, it } from 'vitest';
import { CREATE_PRIVATE_ROOM, CloseCode, ServerKind } from '../../../protocol/index.ts';
import { ROOM_FAILED_REASON } from '../../../game-server/game.ts';
import { createLogger } from '../../../game-server/logger.ts';
import type { Room } from '../../../game-server/room.ts';
import type { SnapshotBuilder } from '../../../game-server/net/snapshot-builder.ts';
import { memoryGame } from './memory-game.ts';

const breakers: [string, (room: Room) => void][] = [
  [
    'the arena',
    (room) => {
      room.arena.endTick = () => {
        throw new Error('arena bug');
      };
    },
  ],
  [
    'applying inputs',
    (room) => {
      for (const p of room.players.values())
        p.inputs.take = () => {
          throw new RangeError('sim bug');
        };
    },
  ],
  [
    'snapshot building',
    (room) => {
      (room as unknown as { snapshots: SnapshotBuilder }).snapshots.capture = () => {
        throw new Error('snapshot bug');
      };
    },
  ],
];

function setup() {
  const lines: string[] = [];
  const g = memoryGame({ logger: createLogger({ pretty: false, write: (l) => void lines.push(l) }) });
  // Room A: one connected player and one dropped (kept for a resume).
  const a1 = g.connect();
  a1.hello('a1', CREATE_PRIVATE_ROOM);
  const codeA = a1.welcome().roomCode;
  const a2 = g.connect();
  a2.hello('a2', codeA);
  // Room B: two players who must not notice anything.
  const b1 = g.connect();
  b1.hello('b1');
  const b2 = g.connect();
  b2.hello('b2', b1.welcome().roomCode);
  g.tick(3);
  a2.conn.drop();
  expect(g.game.keptPlayers).toBe(1);
  const roomA = g.game.directory.rooms.get(codeA)!;
  return { g, lines, a1, a2, b1, b2, codeA, roomA };
}

describe('a room whose tick throws', () => {
  for (const [where, breakRoom] of breakers) {
    it(`(${where}) is closed with 1011 and removed; the other room keeps ticking, its players stay`, () => {
      const { g, lines, a1, a2, b1, b2, codeA, roomA } = setup();
      const codeB = b1.welcome().roomCode;
      const snaps = (c: typeof b1): number => c.of(ServerKind.Snapshot).length;
      const before = [snaps(b1), snaps(b2)];
      breakRoom(roomA);
      g.tick();
      expect(a1.closed).toEqual({ code: 1011, reason: ROOM_FAILED_REASON });
      expect(g.game.directory.rooms.has(codeA)).toBe(false);
      expect(g.game.roomFailures).toBe(1);
      // The kept player went with its room: its token is refused.
      expect(g.game.keptPlayers).toBe(0);
      const back = g.connect();
      back.hello('a2', '', a2.welcome().resumeToken);
      expect(back.closed?.code).toBe(CloseCode.ResumeRefused);
      // Room B ticked in that same tick (after A failed) and in every one since.
      expect([snaps(b1), snaps(b2)]).toEqual([before[0]! + 1, before[1]! + 1]);
      g.tick(5);
      expect([snaps(b1), snaps(b2)]).toEqual([before[0]! + 6, before[1]! + 6]);
      expect(b1.closed).toBeNull();
      expect(b2.closed).toBeNull();
      expect(g.game.directory.rooms.get(codeB)!.size).toBe(2);
      expect(g.game.playerCount).toBe(2);
      // B's players heard nothing about A's.
      expect(b1.of(ServerKind.PlayerLeft)).toEqual([]);
      // Logged once, as an error with the stack and the room.
      const failures = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((r) => r.level === 50);
      expect(failures).toHaveLength(1);
      expect(failures[0]).toMatchObject({ room: codeA });
      expect(String((failures[0]!.err as { stack: string }).stack)).toMatch(/bug\n\s+at /);
      // A new room can open in its place, and newcomers play there.
      const c = g.connect();
      c.hello('c', CREATE_PRIVATE_ROOM);
      g.tick();
      expect(c.of(ServerKind.Snapshot)).toHaveLength(1);
    });
  }

  it('is counted in /metrics as dustup_room_failures_total', async () => {
    const { g, roomA } = setup();
    const text0 = (await g.game.metrics.scrape()).text;
    expect(text0).toMatch(/^dustup_room_failures_total 0$/m);
    breakers[0]![1](roomA);
    g.tick();
    const text = (await g.game.metrics.scrape()).text;
    expect(text).toMatch(/^dustup_room_failures_total 1$/m);
    expect(text).toMatch(/^dustup_disconnects_total\{code="1011",name="InternalError"\} 1$/m);
    expect(text).toMatch(/^dustup_rooms 1$/m);
  });

  it('a room that keeps throwing fails once: it is not ticked again', () => {
    const { g, roomA } = setup();
    let calls = 0;
    roomA.tick = () => {
      calls++;
      throw new Error('always');
    };
    g.tick(5);
    expect(calls).toBe(1);
    expect(g.game.roomFailures).toBe(1);
  });
});
