import { describe, expect, it } from 'vitest';
import {
  Button,
  CREATE_PRIVATE_ROOM,
  ClientKind,
  EventType,
  MAX_HEALTH,
  ServerKind,
  blasterCooldownTicks,
  decodeClientMessage,
  encodeServerMessage,
  quantizeAngle,
  quantizePos,
  type InputMsg,
  type ServerMessage,
} from '../../../protocol/index.ts';
import { GameClient, type LocalShot } from '../../../game-client/src/net/client.ts';
import { MatchView } from '../../../game-client/src/net/match.ts';
import { FakeClock, FakeSocket, loadArena } from './helpers.ts';

const map = loadArena();

describe('MatchView', () => {
  it('keeps scores, health, deaths and pickups from MatchState and events; ranks the leaderboard', () => {
    const m = new MatchView(() => 1);
    m.reset({ kind: ServerKind.MatchState, players: [{ id: 1, score: 2, health: 100 }, { id: 2, score: 5, health: 0 }, { id: 3, score: 2, health: 60 }], pickupsTaken: [4] });
    expect(m.isAlive(2)).toBe(false);
    expect(m.healthOf(3)).toBe(60);
    expect(m.leaderboard().map((s) => s.id)).toEqual([2, 1, 3]);
    expect(m.rankOf(1)).toBe(2);
    m.apply({ type: EventType.Hit, victim: 1, attacker: 3, damage: 25, health: 75 });
    expect(m.selfHealth).toBe(75);
    m.apply({ type: EventType.Kill, victim: 1, killer: 3, killerScore: 6 });
    expect(m.selfAlive).toBe(false);
    expect(m.selfHealth).toBe(0);
    expect(m.leaderboard(1)).toEqual([{ id: 3, score: 6 }]);
    m.apply({ type: EventType.Respawn, player: 1, x: 1, y: 2, health: MAX_HEALTH, protectMs: 2000 });
    expect(m.selfAlive).toBe(true);
    expect(m.selfHealth).toBe(MAX_HEALTH);
    m.apply({ type: EventType.PickupReady, pickup: 4 });
    m.apply({ type: EventType.Pickup, player: 3, pickup: 1, health: 100 });
    expect([...m.pickupsTaken]).toEqual([1]);
    m.joined(9);
    expect(m.scoreOf(9)).toBe(0);
    m.left(3);
    expect(m.leaderboard().map((s) => s.id)).toEqual([2, 1, 9]);
  });
});

/** A GameClient on a fake socket that the test answers by hand. */
async function connected(room?: string) {
  FakeSocket.instances = [];
  const clock = new FakeClock(1000);
  const client = new GameClient({ url: 'ws://x/ws', name: 'me', room, WebSocket: FakeSocket, now: clock.now, map });
  const connecting = client.connect();
  const sock = FakeSocket.instances[0]!;
  sock.open();
  const deliver = (m: ServerMessage): void => sock.deliver(encodeServerMessage(m));
  const spawn = map.spawns[0]!;
  deliver({ kind: ServerKind.Welcome, playerId: 1, tickRate: 30, snapshotRate: 30, serverTick: 100, serverTime: 5000, mapId: 'arena', roomCode: 'ABCDE' });
  await connecting;
  deliver({ kind: ServerKind.Roster, players: [{ id: 1, name: 'me' }, { id: 2, name: 'you' }] });
  deliver({ kind: ServerKind.MatchState, players: [{ id: 1, score: 0, health: 100 }, { id: 2, score: 3, health: 100 }], pickupsTaken: [] });
  deliver({
    kind: ServerKind.Snapshot,
    tick: 100,
    serverTime: 5000,
    ackSeq: 0,
    baseTick: -1,
    self: { x: quantizePos(spawn.x), y: quantizePos(spawn.y), vx: 0, vy: 0 },
    view: { cx0: 0, cy0: 0, cx1: 5, cy1: 5, cols: 6 },
    blocks: [],
  });
  const sent = (): ClientMessage[] => sock.sent.map((b) => decodeClientMessage(b));
  const inputs = (): InputMsg[] => sent().filter((m): m is InputMsg => m.kind === ClientKind.Input);
  return { clock, client, sock, deliver, sent, inputs };
}
type ClientMessage = ReturnType<typeof decodeClientMessage>;

describe('GameClient combat', () => {
  it('asks for a private room with "new", and comes back to its code after that', async () => {
    const env = await connected(CREATE_PRIVATE_ROOM);
    expect(env.sent()[0]).toMatchObject({ kind: ClientKind.Hello, room: CREATE_PRIVATE_ROOM });
    expect(env.client.roomCode).toBe('ABCDE');
  });

  it('Fire inputs carry the view time; the own shot is shown at once, once per cooldown', async () => {
    const env = await connected();
    const shots: LocalShot[] = [];
    env.client.onLocalShot((s) => shots.push({ ...s }));
    env.client.setAim(0);
    env.client.setButtons(Button.Fire | Button.Right);
    for (let i = 0; i < 40; i++) {
      env.clock.t += 1000 / 30;
      env.client.update();
    }
    const fired = env.inputs().filter((m) => m.buttons & Button.Fire);
    expect(fired.length).toBeGreaterThan(30);
    for (const m of fired) expect(Number.isInteger(m.viewTime)).toBe(true);
    const cd = blasterCooldownTicks(30);
    expect(shots.length).toBe(Math.ceil(fired.length / cd));
    expect(shots[0]!.aim).toBe(quantizeAngle(0));
    expect(shots[0]!.x1).toBeGreaterThan(shots[0]!.x0);
    // Without Fire, no viewTime element.
    env.client.setButtons(Button.Left);
    env.clock.t += 1000 / 30;
    env.client.update();
    const last = env.inputs().at(-1)!;
    // ...and the tick of the latest snapshot received (protocol 6's received-tick feedback).
    expect(last).toEqual({ kind: ClientKind.Input, seq: env.inputs().length, buttons: Button.Left, aim: 0, ackTick: last.ackTick });
    expect('viewTime' in last).toBe(false);
    expect(Number.isInteger(last.ackTick)).toBe(true);
  });

  it('passes events on in order with the match updated; while dead it sends no buttons; chat is cleaned', async () => {
    const env = await connected();
    const seen: number[] = [];
    env.client.onEvent((e) => seen.push(e.type));
    env.deliver({
      kind: ServerKind.Events,
      tick: 101,
      events: [
        { type: EventType.Hit, victim: 1, attacker: 2, damage: 25, health: 0 },
        { type: EventType.Kill, victim: 1, killer: 2, killerScore: 4 },
      ],
    });
    expect(seen).toEqual([EventType.Hit, EventType.Kill]);
    expect(env.client.match.selfAlive).toBe(false);
    expect(env.client.match.scoreOf(2)).toBe(4);
    env.client.setButtons(Button.Up | Button.Fire);
    for (let i = 0; i < 5; i++) {
      env.clock.t += 1000 / 30;
      env.client.update();
    }
    expect(env.inputs().every((m) => m.buttons === 0)).toBe(true);
    env.deliver({ kind: ServerKind.Events, tick: 190, events: [{ type: EventType.Respawn, player: 1, x: 100, y: 100, health: 100, protectMs: 2000 }] });
    env.clock.t += 1000 / 30;
    env.client.update();
    expect(env.inputs().at(-1)!.buttons).toBe(Button.Up | Button.Fire);

    expect(env.client.sendChat('  hi\u0000 there ')).toBe(true);
    expect(env.client.sendChat('\u200b')).toBe(false);
    expect(env.sent().filter((m) => m.kind === ClientKind.Chat)).toEqual([{ kind: ClientKind.Chat, text: 'hi there' }]);
  });
});
