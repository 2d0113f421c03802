/**
 * The one-process directory's seats: tickets count as taken seats until used or expired,
 * expire on the directory's clock, and a room made for a seat nobody took goes again.
 */
import { describe, expect, it } from 'vitest';
import { CloseCode, CREATE_PRIVATE_ROOM, ProtocolError } from '../../../protocol/index.ts';
import { seededRandom } from '../../../protocol/random.ts';
import { MemoryRoomDirectory } from '../../../game-server/directory/memory-directory.ts';
import { viewPolicyFor } from '../../../game-server/net/view-policy.ts';
import { newRoomTotals } from '../../../game-server/room.ts';
import { loadMap } from './memory-game.ts';

function directory(capacity = 2) {
  const clock = { t: 1000 };
  const d = new MemoryRoomDirectory(loadMap('arena'), {
    tickRate: 30,
    snapshotRate: 30,
    capacity,
    sendSoftLimitBytes: 64 * 1024,
    slowConsumerTimeoutMs: 5000,
    view: viewPolicyFor('delta'),
    maxRooms: 10,
    random: seededRandom(1),
    totals: newRoomTotals(),
    ticketTtlMs: 1000,
    now: () => clock.t,
    nodeId: 'solo',
    publicUrl: null,
  });
  return { d, clock };
}

const code = async (p: Promise<unknown>): Promise<number> =>
  p.then(
    () => 0,
    (e: unknown) => (e instanceof ProtocolError ? e.code : -1),
  );

describe('MemoryRoomDirectory seats', () => {
  it('pending tickets fill a room; a used ticket is spent; an expired one is refused and frees its seat', async () => {
    const { d, clock } = directory(2);
    const g1 = await d.seat({ room: '', localUrl: 'ws://here/ws' });
    expect(g1).toMatchObject({ url: 'ws://here/ws', node: 'solo', expiresInMs: 1000 });
    const g2 = await d.seat({ room: g1.room, localUrl: 'ws://here/ws' });
    expect(await code(d.seat({ room: g1.room, localUrl: '' }))).toBe(CloseCode.RoomFull);
    // Quick play does not pick the room its promises filled.
    const g3 = await d.seat({ room: '', localUrl: '' });
    expect(g3.room).not.toBe(g1.room);
    expect(await d.redeem(g1.ticket, g1.room)).toBe(d.rooms.get(g1.room));
    expect(await code(d.redeem(g1.ticket, g1.room))).toBe(CloseCode.SeatTicketRefused);
    clock.t += 1001;
    expect(await code(d.redeem(g2.ticket, g2.room))).toBe(CloseCode.SeatTicketRefused);
    d.sweep(clock.t);
    // Nobody joined either room (redeeming is not joining: the lobby seats the player):
    // both went with their last ticket.
    expect(d.rooms.size).toBe(0);
  });

  it('a ticket is for its room only; a create retried with its request id is the same seat', async () => {
    const { d } = directory();
    const a = await d.seat({ room: CREATE_PRIVATE_ROOM, requestId: 'abcdefgh', localUrl: '' });
    expect(await d.seat({ room: CREATE_PRIVATE_ROOM, requestId: 'abcdefgh', localUrl: '' })).toEqual(a);
    expect(d.rooms.size).toBe(1);
    const other = await d.seat({ room: CREATE_PRIVATE_ROOM, localUrl: '' });
    expect(await code(d.redeem(a.ticket, other.room))).toBe(CloseCode.SeatTicketRefused);
  });
});
