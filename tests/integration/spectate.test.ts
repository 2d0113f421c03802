/**
 * Live spectating against the real server: Watch gets a Welcome as nobody, then the
 * whole room a configured delay late, starting from a keyframe; a spectator takes no
 * seat, has its own limit, and cannot change the match (an Input or a Chat closes it
 * with 4015, and the player it tried to move does not move).
 */
import { describe, expect, it } from 'vitest';
import { Button, ClientKind, CloseCode, PROTOCOL_VERSION, ServerKind, encodeClientMessage } from '../../protocol/index.ts';
import { TestClient, perTestServer, waitFor } from './harness.ts';

const fx = perTestServer();

function watch(c: TestClient, room: string, version = PROTOCOL_VERSION): void {
  c.sendRaw(encodeClientMessage({ kind: ClientKind.Watch, version, room }));
}

async function rooms(port: number): Promise<{ code: string; players: number }[]> {
  const r = await fetch(`http://127.0.0.1:${port}/api/rooms`);
  return ((await r.json()) as { rooms: { code: string; players: number }[] }).rooms;
}

describe('spectating', () => {
  it('a spectator sees the whole room late, from a keyframe, and takes no seat', async () => {
    const server = await fx.start({ mapId: 'duel', spectatorDelayMs: 300, maxPlayers: 1 });
    const player = fx.client();
    const w = await player.join('solo');
    const spectator = fx.client();
    await spectator.open();
    const watchedAt = Date.now();
    watch(spectator, w.roomCode);
    const welcome = await waitFor(() => spectator.welcome(), 'the spectator welcome');
    expect(welcome.playerId).toBe(0);
    expect(welcome.roomCode).toBe(w.roomCode);
    // First the keyframe: Roster, MatchState, a full snapshot of the whole map.
    const first = await waitFor(() => spectator.snapshots()[0], 'the first snapshot', 5000);
    expect(Date.now() - watchedAt).toBeGreaterThanOrEqual(250);
    expect(first.baseTick).toBe(-1);
    expect(first.view).toMatchObject({ cx0: 0, cy0: 0 });
    const kinds = spectator.messages.map((m) => m.kind);
    expect(kinds.indexOf(ServerKind.Roster)).toBeLessThan(kinds.indexOf(ServerKind.Snapshot));
    const roster = spectator.messages.find((m) => m.kind === ServerKind.Roster);
    expect(roster && roster.kind === ServerKind.Roster && roster.players.map((p) => p.name)).toEqual(['solo']);
    await waitFor(() => spectator.lastResolved()?.entities.some((e) => e.id === w.playerId), 'the player in the spectator view');
    // Late: the spectator's newest snapshot is behind the player's by about the delay.
    await waitFor(() => spectator.snapshots().length > 20, 'a stream');
    const lag = player.lastSnapshot()!.serverTime - spectator.lastSnapshot()!.serverTime;
    expect(lag).toBeGreaterThanOrEqual(200);
    // No seat: the room of one is still one player, and still full.
    expect((await rooms(server.port)).find((r) => r.code === w.roomCode)?.players).toBe(1);
    expect(server.game.playerCount).toBe(1);
    // A Pong runs as late as the stream.
    spectator.send({ kind: ClientKind.Ping, clientTime: 1 });
    player.send({ kind: ClientKind.Ping, clientTime: 2 });
    const pongOf = (c: TestClient, t: number) => waitFor(() => c.messages.find((m) => m.kind === ServerKind.Pong && m.clientTime === t), 'pong');
    const [sp, pp] = await Promise.all([pongOf(spectator, 1), pongOf(player, 2)]);
    expect(pp.kind === ServerKind.Pong && sp.kind === ServerKind.Pong && pp.serverTime - sp.serverTime).toBeGreaterThanOrEqual(250);
    // The match ends: the spectator is told.
    player.close();
    expect(await spectator.closed()).toEqual({ code: CloseCode.Normal, reason: 'the match ended' });
  });

  it('a spectator cannot change the match: an Input or a Chat closes it with 4015 and moves nobody', async () => {
    await fx.start({ mapId: 'duel', spectatorDelayMs: 0 });
    const player = fx.client();
    const w = await player.join('solo');
    const spectator = fx.client();
    await spectator.open();
    watch(spectator, w.roomCode);
    await waitFor(() => spectator.snapshots().length > 0, 'the stream');
    const before = player.lastSnapshot()!.self;
    spectator.send({ kind: ClientKind.Input, seq: 1, buttons: Button.Right, aim: 0 });
    expect(await spectator.closed()).toEqual({ code: CloseCode.SpectatorInput, reason: 'spectators cannot play: inputs are refused' });
    const n = player.snapshots().length;
    await waitFor(() => player.snapshots().length > n + 10, 'more snapshots');
    expect(player.lastSnapshot()!.self).toMatchObject({ x: before.x, y: before.y });
    const chatty = fx.client();
    await chatty.open();
    watch(chatty, w.roomCode);
    await waitFor(() => chatty.welcome(), 'welcome');
    chatty.send({ kind: ClientKind.Chat, text: 'hi' });
    expect((await chatty.closed()).code).toBe(CloseCode.SpectatorInput);
    expect(player.messages.some((m) => m.kind === ServerKind.Events && m.events.some((e) => e.type === 7))).toBe(false);
  });

  it('refuses what cannot be watched: private rooms, unknown codes, a full spectator limit, another version, a second Watch', async () => {
    await fx.start({ mapId: 'duel', maxSpectators: 1, spectatorDelayMs: 0 });
    const host = fx.client();
    const hidden = await host.join('host', 'new');
    const open = fx.client();
    const pub = await open.join('pub');
    const tries: [string, number, number][] = [
      [hidden.roomCode, PROTOCOL_VERSION, CloseCode.RoomNotFound],
      ['ZZZZZ', PROTOCOL_VERSION, CloseCode.RoomNotFound],
      [pub.roomCode, PROTOCOL_VERSION - 1, CloseCode.VersionMismatch],
    ];
    for (const [room, version, code] of tries) {
      const c = fx.client();
      await c.open();
      watch(c, room, version);
      expect((await c.closed()).code, room).toBe(code);
    }
    const first = fx.client();
    await first.open();
    watch(first, pub.roomCode);
    await waitFor(() => first.welcome(), 'first spectator');
    const second = fx.client();
    await second.open();
    watch(second, pub.roomCode);
    expect((await second.closed()).code).toBe(CloseCode.RoomFull);
    watch(first, pub.roomCode);
    expect((await first.closed()).code).toBe(CloseCode.UnexpectedMessage);
    // Its seat in the spectator limit is free again.
    const third = fx.client();
    await third.open();
    watch(third, pub.roomCode);
    await waitFor(() => third.welcome(), 'a spectator again');
  });

  it("a private room is watched with its code only once its creator allows it, and only the creator can", async () => {
    await fx.start({ mapId: 'duel', spectatorDelayMs: 0 });
    const host = fx.client();
    const room = (await host.join('host', 'new')).roomCode;
    const guest = fx.client();
    await guest.join('guest', room);
    const tryWatch = async (): Promise<TestClient> => {
      const c = fx.client();
      await c.open();
      watch(c, room);
      return c;
    };
    expect((await (await tryWatch()).closed()).code).toBe(CloseCode.RoomNotFound);
    // Not the creator: refused, and the room stays closed to spectators.
    guest.send({ kind: ClientKind.AllowWatching, allow: 1 });
    expect((await guest.closed()).code).toBe(CloseCode.UnexpectedMessage);
    expect((await (await tryWatch()).closed()).code).toBe(CloseCode.RoomNotFound);
    host.send({ kind: ClientKind.AllowWatching, allow: 1 });
    let spectator: TestClient | null = null;
    const deadline = Date.now() + 3000;
    while (!spectator && Date.now() < deadline) {
      const c = await tryWatch();
      await waitFor(() => c.welcome() || c.closeCode !== null, 'an answer');
      if (c.welcome()) spectator = c;
    }
    expect(spectator, 'a spectator of the private room').not.toBeNull();
    await waitFor(() => spectator!.snapshots().length > 0, 'its stream');
    expect(spectator!.welcome()!.privateRoom).toBe(true);
    // Closed again: new spectators are refused, the one watching stays.
    host.send({ kind: ClientKind.AllowWatching, allow: 0 });
    let refused = false;
    const until = Date.now() + 3000;
    while (!refused && Date.now() < until) {
      const c = await tryWatch();
      await waitFor(() => c.welcome() || c.closeCode !== null, 'an answer');
      refused = c.closeCode === CloseCode.RoomNotFound;
    }
    expect(refused).toBe(true);
    expect(spectator!.closeCode).toBeNull();
  });
});
