/**
 * Small rooms (issue 13): everyone's position and health every RADAR_EVERY_MS in a
 * MatchState, so the minimap and the off-screen markers can show players that interest
 * management does not send; a bigger room does not pay for it.
 */
import { describe, expect, it } from 'vitest';
import { Limits, ServerKind, decodeServerMessage, type MatchStateMsg } from '../../../protocol/index.ts';
import { MemoryTransport } from '../../../game-server/net/memory-transport.ts';
import { Session } from '../../../game-server/net/session.ts';
import { interestView } from '../../../game-server/net/view-policy.ts';
import { Room, type Player } from '../../../game-server/room.ts';
import { seededRandom } from '../../../protocol/random.ts';
import { loadMap } from './memory-game.ts';

function setup(players: number) {
  const room = new Room('RADR', true, loadMap('arena'), {
    tickRate: 30,
    snapshotRate: 30,
    capacity: 32,
    sendSoftLimitBytes: 1 << 20,
    slowConsumerTimeoutMs: 5000,
    view: interestView,
    random: seededRandom(2),
  });
  const links = Array.from({ length: players }, (_, i) => {
    const t = new MemoryTransport();
    const s = new Session<Player>(i + 1, 'test', t, 0, 1000);
    s.slot = room.join(i + 1, `p${i + 1}`, s);
    return { t, p: s.slot };
  });
  let tick = 0;
  const until = (ms: number): void => {
    while ((tick * 1000) / 30 < ms) room.tick({ tick, time: (tick++ * 1000) / 30, lateness: 0 });
  };
  const states = (i: number): MatchStateMsg[] =>
    links[i]!.t.frames.map((f) => decodeServerMessage(f)).filter((m): m is MatchStateMsg => m.kind === ServerKind.MatchState);
  return { room, links, until, states };
}

describe('the radar of a small room', () => {
  it(`a room of at most ${Limits.RADAR_MAX_PLAYERS}: everyone's position and health every ${Limits.RADAR_EVERY_MS} ms`, () => {
    const g = setup(2);
    g.links[1]!.p.combat.health = 50;
    g.until(2100);
    const radar = g.states(0).filter((m) => m.positions);
    // The first goes out a period after the room's first tick, then one a period.
    expect(radar.length).toBeGreaterThanOrEqual(3);
    expect(radar.length).toBeLessThanOrEqual(4);
    const last = radar.at(-1)!;
    expect(last.players.map((p) => p.id)).toEqual([1, 2]);
    expect(last.players[1]!.health).toBe(50);
    const [a, b] = g.links.map((l) => l.p.state);
    expect(last.positions).toEqual([Math.round(a!.x), Math.round(a!.y), Math.round(b!.x), Math.round(b!.y)]);
    // Far apart on the 3,072 px arena or not, the other is there.
    expect(g.states(1).at(-1)!.positions).toEqual(last.positions);
  });

  it(`a room of more than ${Limits.RADAR_MAX_PLAYERS}: MatchState only on joining, as before`, () => {
    const g = setup(Limits.RADAR_MAX_PLAYERS + 1);
    g.until(2100);
    expect(g.states(0).filter((m) => m.positions)).toEqual([]);
  });
});
