import { describe, expect, it } from 'vitest';
import { EventType, ServerKind } from '../../../protocol/index.ts';
import { RoomState } from '../../../game-client/src/net/room-state.ts';

describe('RoomState', () => {
  it('keeps the roster whole from Roster and by joins and leaves; the match is current when roster listeners run', () => {
    const room = new RoomState(() => 1);
    const seen: { ids: number[]; scored: boolean }[] = [];
    room.roster.changed.add((players) => seen.push({ ids: players.map((p) => p.id), scored: room.match.playerCount === players.length }));
    room.apply({ kind: ServerKind.MatchState, players: [{ id: 1, score: 0, health: 100 }, { id: 2, score: 3, health: 100 }], pickupsTaken: [] });
    expect(room.apply({ kind: ServerKind.Roster, players: [{ id: 1, name: 'me' }, { id: 2, name: 'you' }] })).toBe(true);
    room.apply({ kind: ServerKind.PlayerJoined, id: 5, name: 'new' });
    room.apply({ kind: ServerKind.PlayerLeft, id: 2 });
    expect(seen).toEqual([
      { ids: [1, 2], scored: true },
      { ids: [1, 2, 5], scored: true },
      { ids: [1, 5], scored: true },
    ]);
    expect(room.roster.get(5)).toBe('new');
    expect(room.roster.get(2)).toBeUndefined();
    expect(room.apply({ kind: ServerKind.Pong, clientTime: 0, serverTime: 0 })).toBe(false);
  });

  it('passes events on in order, each after the match took it in', () => {
    const room = new RoomState(() => 1);
    const log: [number, number, number][] = [];
    room.events.add((e, tick) => log.push([e.type, tick, room.match.healthOf(1)]));
    room.apply({
      kind: ServerKind.Events,
      tick: 40,
      events: [
        { type: EventType.Hit, victim: 1, attacker: 2, damage: 25, health: 75 },
        { type: EventType.Kill, victim: 1, killer: 2, killerScore: 1 },
      ],
    });
    expect(log).toEqual([
      [EventType.Hit, 40, 75],
      [EventType.Kill, 40, 0],
    ]);
  });
});
