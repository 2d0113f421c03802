/**
 * Combat, chat and rooms against the real server with real sockets: the duel map keeps
 * every spawn point in range and in sight of every other, so two players can fight
 * wherever they spawn.
 */
import { describe, expect, it } from 'vitest';
import {
  Button,
  CREATE_PRIVATE_ROOM,
  ClientKind,
  CloseCode,
  EventType,
  MAX_HEALTH,
  POS_SCALE,
  PROTOCOL_VERSION,
  ServerKind,
  blasterCooldownTicks,
  quantizeAngle,
  type EventsMsg,
  type GameEvent,
  type MatchStateMsg,
} from '../../protocol/index.ts';
import type { DustupServer } from '../../game-server/server.ts';
import { TestClient, perTestServer, waitFor } from './harness.ts';

const fx = perTestServer();
let server: DustupServer | null = null;
const timers: ReturnType<typeof setInterval>[] = [];
const client = (): TestClient => fx.client();
fx.onCleanup(() => {
  for (const t of timers.splice(0)) clearInterval(t);
});

/** Every event a client received, with the tick of its Events message, in order. */
function eventsOf(c: TestClient): { tick: number; e: GameEvent }[] {
  return c.messages
    .filter((m): m is EventsMsg => m.kind === ServerKind.Events)
    .flatMap((m) => m.events.map((e) => ({ tick: m.tick, e })));
}
const ofType = <T extends GameEvent['type']>(c: TestClient, type: T): Extract<GameEvent, { type: T }>[] =>
  eventsOf(c)
    .map((x) => x.e)
    .filter((e): e is Extract<GameEvent, { type: T }> => e.type === type);

/**
 * Keep `shooter` firing at `target` every tick, aiming from its own exact position at
 * where its snapshots show the target, with the latest snapshot time as its view.
 */
function fireAt(shooter: TestClient, targetId: number, perTick = 1): void {
  let seq = 0;
  const tickMs = 1000 / 30;
  timers.push(
    setInterval(() => {
      const snap = shooter.lastSnapshot();
      const seen = shooter.lastResolved()?.entities.find((e) => e.id === targetId);
      if (!snap || !seen) return;
      const aim = quantizeAngle(Math.atan2(seen.y - snap.self.y, seen.x - snap.self.x));
      for (let i = 0; i < perTick; i++)
        shooter.send({ kind: ClientKind.Input, seq: ++seq, buttons: Button.Fire, aim, viewTime: Math.round(snap.serverTime) });
    }, tickMs),
  );
}

describe('combat', () => {
  it('one player shoots another until it dies: both hear of the kill, the score changes, the victim respawns', async () => {
    server = await fx.start({ mapId: 'duel' });
    const a = client();
    const b = client();
    const wa = await a.join('shooter');
    const wb = await b.join('target', wa.roomCode);
    const initial = await waitFor(() => b.messages.find((m): m is MatchStateMsg => m.kind === ServerKind.MatchState), 'match state');
    expect(initial.players).toContainEqual({ id: wa.playerId, score: 0, health: MAX_HEALTH });
    await waitFor(() => a.lastResolved()?.entities.some((e) => e.id === wb.playerId), 'the shooter to see the target');
    fireAt(a, wb.playerId);

    // Spawn protection (2 s) first, then four hits of 25.
    const kill = await waitFor(() => ofType(b, EventType.Kill)[0], 'the kill, on the victim', 10_000);
    expect(kill).toEqual({ type: EventType.Kill, victim: wb.playerId, killer: wa.playerId, killerScore: 1 });
    await waitFor(() => ofType(a, EventType.Kill)[0], 'the kill, on the killer');
    // The victim heard every hit, in order, with its health after each.
    expect(ofType(b, EventType.Hit).map((h) => [h.victim, h.attacker, h.health])).toEqual([
      [wb.playerId, wa.playerId, 75],
      [wb.playerId, wa.playerId, 50],
      [wb.playerId, wa.playerId, 25],
      [wb.playerId, wa.playerId, 0],
    ]);
    // The kill comes after the last hit, in the same or a later Events message.
    const order = eventsOf(b).map((x) => x.e.type).filter((t) => t === EventType.Hit || t === EventType.Kill);
    expect(order.at(-1)).toBe(EventType.Kill);

    // Dead: gone from the shooter's snapshots.
    await waitFor(() => !a.lastResolved()?.entities.some((e) => e.id === wb.playerId), 'the victim to vanish');
    const respawn = await waitFor(() => ofType(b, EventType.Respawn)[0], 'the respawn', 6000);
    expect(respawn).toMatchObject({ player: wb.playerId, health: MAX_HEALTH });
    await waitFor(() => ofType(a, EventType.Respawn)[0], 'the shooter to hear of the respawn');
    // And back in the shooter's view, at the respawn point.
    const back = await waitFor(() => a.lastResolved()?.entities.find((e) => e.id === wb.playerId), 'the victim to reappear');
    expect(Math.abs(back.x / POS_SCALE - respawn.x)).toBeLessThanOrEqual(1);
    expect(Math.abs(back.y / POS_SCALE - respawn.y)).toBeLessThanOrEqual(1);
    // Its own snapshots put it there too.
    await waitFor(() => {
      const s = b.lastSnapshot()?.self;
      return s && s.x === respawn.x * POS_SCALE && s.y === respawn.y * POS_SCALE;
    }, "the victim's own snapshot at the respawn point");
    // A newcomer learns the score from the match state.
    const c = client();
    await c.join('late', wa.roomCode);
    const state = await waitFor(() => c.messages.find((m): m is MatchStateMsg => m.kind === ServerKind.MatchState), "newcomer's match state");
    expect(state.players).toContainEqual({ id: wa.playerId, score: 1, health: MAX_HEALTH });
  }, 20_000);

  it('a client that fires faster than the cooldown gets no extra shots', async () => {
    server = await fx.start({ mapId: 'duel' });
    const a = client();
    const b = client();
    const wa = await a.join('spammer');
    const wb = await b.join('target', wa.roomCode);
    await waitFor(() => a.lastResolved()?.entities.some((e) => e.id === wb.playerId), 'the shooter to see the target');
    // Two inputs with Fire every tick: twice the input rate, within the rate limits.
    fireAt(a, wb.playerId, 2);
    await waitFor(() => (a.lastSnapshot()?.ackSeq ?? 0) >= 70, '70 firing inputs applied', 5000);
    for (const t of timers.splice(0)) clearInterval(t);
    const shots = eventsOf(a).filter((x) => x.e.type === EventType.Shot && x.e.shooter === wa.playerId);
    const cooldown = blasterCooldownTicks(30);
    expect(shots.length).toBeGreaterThan(2);
    for (let i = 1; i < shots.length; i++) expect(shots[i]!.tick - shots[i - 1]!.tick).toBeGreaterThanOrEqual(cooldown);
    // Far fewer shots than firing inputs: one per cooldown of server ticks, no more.
    const span = shots.at(-1)!.tick - shots[0]!.tick;
    expect(shots.length).toBeLessThanOrEqual(Math.floor(span / cooldown) + 1);
    expect(shots.length).toBeLessThan(70 / cooldown + 2);
  }, 15_000);
});

describe('chat', () => {
  it('a line reaches everyone in the room cleaned, as text; too many too fast are dropped and the sender told', async () => {
    server = await fx.start();
    const a = client();
    const b = client();
    const wa = await a.join('talker');
    await b.join('listener', wa.roomCode);
    a.send({ kind: ClientKind.Chat, text: '  hello\u0000 <b>all</b>\u202e  ' });
    const line = await waitFor(() => ofType(b, EventType.Chat)[0], 'the chat line');
    expect(line).toEqual({ type: EventType.Chat, player: wa.playerId, text: 'hello <b>all</b>' });
    await waitFor(() => ofType(a, EventType.Chat)[0], 'the sender to see its own line');
    // A burst of 8 right after: the bucket (2/s, burst 4) had 3 left.
    for (let i = 0; i < 8; i++) a.send({ kind: ClientKind.Chat, text: `spam ${i}` });
    await waitFor(() => ofType(a, EventType.Notice).length > 0, 'a notice to the sender');
    await waitFor(() => ofType(b, EventType.Chat).length >= 4, 'the lines that fit the rate');
    expect(ofType(b, EventType.Chat).length).toBeLessThan(1 + 8);
    expect(ofType(b, EventType.Notice)).toEqual([]);
    // Dropped, not disconnected.
    expect(a.closeCode).toBeNull();
    // Nothing visible: nothing sent.
    a.send({ kind: ClientKind.Chat, text: '\u200b \t' });
    a.send({ kind: ClientKind.Ping, clientTime: 1 });
    await waitFor(() => a.messages.some((m) => m.kind === ServerKind.Pong), 'pong');
  });

  it('chat before hello is refused with UnexpectedMessage', async () => {
    server = await fx.start();
    const a = client();
    await a.open();
    a.send({ kind: ClientKind.Chat, text: 'hi' });
    expect((await a.closed()).code).toBe(CloseCode.UnexpectedMessage);
  });
});

describe('rooms', () => {
  it('"new" creates a private room: not listed, not chosen by quick play, joined by its code', async () => {
    server = await fx.start();
    const a = client();
    await a.open();
    a.send({ kind: ClientKind.Hello, version: PROTOCOL_VERSION, name: 'host', room: CREATE_PRIVATE_ROOM });
    const wa = await waitFor(() => a.welcome(), 'welcome');
    const listed = (await (await fetch(`http://127.0.0.1:${server.port}/api/rooms`)).json()) as { rooms: { code: string }[] };
    expect(listed.rooms.map((r) => r.code)).not.toContain(wa.roomCode);
    const q = client();
    const wq = await q.join('quick');
    expect(wq.roomCode).not.toBe(wa.roomCode);
    const f = client();
    expect((await f.join('friend', wa.roomCode)).roomCode).toBe(wa.roomCode);
  });

  it('a full room refuses the next player with RoomFull', async () => {
    server = await fx.start({ maxPlayers: 2 });
    const a = client();
    const wa = await a.join('one');
    await client().join('two', wa.roomCode);
    const c = client();
    await c.open();
    c.send({ kind: ClientKind.Hello, version: PROTOCOL_VERSION, name: 'three', room: wa.roomCode });
    const { code, reason } = await c.closed();
    expect(code).toBe(CloseCode.RoomFull);
    expect(reason).toContain('full');
  });
});
