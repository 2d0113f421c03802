/**
 * What hits on screen hits: a real client session (prediction, interpolation, clock
 * sync, its rewind ceiling) plays against the real game over an in-memory link that
 * delays each direction by a network profile, in order as TCP does. The shooter fires
 * only when its own interpolated view says the beam hits a moving target; every such
 * shot must be a Hit on the server. And a shot from a view older than the limit is
 * refused and counted.
 */
import { describe, expect, it } from 'vitest';
import {
  Button,
  ClientKind,
  EventType,
  MAX_REWIND_MS,
  ServerKind,
  decodeServerMessage,
  encodeClientMessage,
  quantizeAngle,
  type ServerMessage,
  type WelcomeMsg,
} from '../../../protocol/index.ts';
import type { LocalShot } from '../../../game-client/src/net/client-types.ts';
import { ClockSync } from '../../../game-client/src/net/clock-sync.ts';
import { Controls } from '../../../game-client/src/net/controls.ts';
import { Listeners } from '../../../game-client/src/net/listeners.ts';
import { NetSession } from '../../../game-client/src/net/net-session.ts';
import { seededRandom } from '../../../protocol/random.ts';
import { loadMap, memoryGame, type MemoryClient } from './memory-game.ts';

interface Profile {
  name: string;
  /** One-way delay, ms, and up to this much more (uniform), each direction. */
  latency: number;
  jitter: number;
}

/** The bench's profiles (issue 10). */
const PROFILES: Profile[] = [
  { name: 'LAN', latency: 0, jitter: 0 },
  { name: 'good', latency: 25, jitter: 5 },
  { name: 'typical', latency: 60, jitter: 15 },
  { name: 'bad', latency: 120, jitter: 40 },
];

const map = loadMap('duel');
const FRAME_MS = 1000 / 60;

/** A one-way pipe that holds each message latency + random * jitter ms, never reordering. */
class DelayLine<T> {
  private readonly queue: { at: number; item: T }[] = [];
  private last = 0;
  constructor(
    private readonly p: Profile,
    private readonly random: () => number,
  ) {}
  put(now: number, item: T): void {
    this.last = Math.max(this.last, now + this.p.latency + this.random() * this.p.jitter);
    this.queue.push({ at: this.last, item });
  }
  /** Hands out what is due by `now`, each with its delivery time. */
  take(now: number, out: (item: T, at: number) => void): void {
    while (this.queue.length > 0 && this.queue[0]!.at <= now) {
      const { at, item } = this.queue.shift()!;
      out(item, at);
    }
  }
}

function play(profile: Profile, wantedHits: number) {
  const mg = memoryGame({ tickRate: 30, snapshotRate: 30 }, 'duel');
  const random = seededRandom(42);
  const up = new DelayLine<Uint8Array>(profile, random);
  const down = new DelayLine<ServerMessage>(profile, random);

  const shooterConn = mg.connect('shooter');
  shooterConn.hello('Shooter');
  mg.tick();
  const target: MemoryClient = mg.connect('target');
  target.hello('Target');
  mg.tick();
  const targetId = target.welcome().playerId;

  const controls = new Controls();
  const localShots = new Listeners<[Readonly<LocalShot>]>();
  const predicted: { hitId: number; viewAge: number }[] = [];
  let session: NetSession | null = null;
  let now = 2 * (1000 / 30);
  localShots.add((shot) => predicted.push({ hitId: shot.hitId, viewAge: session!.viewAge(now) }));
  const host = {
    send: (m: Parameters<NetSession['host']['send']>[0]) => (up.put(now, encodeClientMessage(m)), true),
    outOfSync: (reason: string) => {
      throw new Error(reason);
    },
    localShots,
  };
  const clock = new ClockSync();
  /** The server's verdict on each of the shooter's shots, in order: hit or not. */
  const verdicts: boolean[] = [];
  let myId = -1;
  let readFrames = 0;
  let targetSeq = 0;
  let nextFrame = now;
  let fireCooldownUntil = 0;
  let fireNext = false;
  // The target's spawn protection (2 s) must be over before any shot can count.
  const firstShotAt = now + 2500;

  const deliver = (msg: ServerMessage, at: number): void => {
    if (msg.kind === ServerKind.Welcome) {
      myId = msg.playerId;
      clock.hint(msg.serverTime, at);
      session = new NetSession(msg as WelcomeMsg, map, clock, host, controls, at);
      return;
    }
    if (msg.kind === ServerKind.Events) {
      for (const e of msg.events) {
        if (e.type === EventType.Shot && e.shooter === myId) verdicts.push(false);
        if (e.type === EventType.Hit && e.attacker === myId) verdicts[verdicts.length - 1] = true;
      }
    }
    session?.receive(msg, at);
  };

  const tickMs = 1000 / 30;
  while (predicted.filter((s) => s.hitId === targetId).length < wantedHits && now < 30_000) {
    now += 1;
    mg.advance(1);
    // The target strafes up and down at full speed, so a shot judged at the wrong time misses.
    if (mg.tickCount * tickMs <= now) {
      const dir = Math.floor(now / 450) % 2 === 0 ? Button.Up : Button.Down;
      target.send({ kind: ClientKind.Input, seq: ++targetSeq, buttons: dir, aim: 0 });
      mg.tick();
    }
    const frames = shooterConn.conn.transport.frames;
    for (; readFrames < frames.length; readFrames++) down.put(now, decodeServerMessage(frames[readFrames]!));
    down.take(now, deliver);
    up.take(now, (bytes) => shooterConn.conn.send(bytes));
    if (!session || now < nextFrame) continue;
    nextFrame += FRAME_MS;
    const s: NetSession = session;
    // Aim at the target where this screen draws it; fire when the beam would hit it there.
    const me = s.reconciler.state;
    const drawn = s.interpolator.sample().find((e) => e.id === targetId);
    let buttons = 0;
    if (me && drawn && now >= firstShotAt && now >= fireCooldownUntil) {
      controls.setAim(Math.atan2(drawn.y - me.y, drawn.x - me.x));
      // One Fire input, then a pause longer than the cooldown: each Fire is exactly one shot on both sides.
      if (fireNext) {
        buttons = Button.Fire;
        fireNext = false;
        fireCooldownUntil = now + 500;
      } else fireNext = true;
    }
    s.update(now, buttons);
  }
  // Let the last verdicts come back.
  const end = now + 2000;
  while (now < end) {
    now += 1;
    mg.advance(1);
    if (mg.tickCount * tickMs <= now) mg.tick();
    const frames = shooterConn.conn.transport.frames;
    for (; readFrames < frames.length; readFrames++) down.put(now, decodeServerMessage(frames[readFrames]!));
    down.take(now, deliver);
    up.take(now, (bytes) => shooterConn.conn.send(bytes));
  }
  return { mg, predicted, verdicts, targetId, session: session as NetSession | null };
}

describe('rewind consistency: a shot that hits on the shooter\'s screen hits on the server', () => {
  for (const profile of PROFILES) {
    it(`${profile.name} (${profile.latency} ms + ${profile.jitter} ms jitter one way): every shot the view says hits is a Hit`, () => {
      const { mg, predicted, verdicts, targetId, session } = play(profile, 3);
      expect(session?.rewindLimitMs).toBe(MAX_REWIND_MS);
      const shots = predicted.length;
      expect(verdicts).toHaveLength(shots);
      const viewHits = predicted.flatMap((p, i) => (p.hitId === targetId ? [i] : []));
      expect(viewHits.length).toBe(3);
      for (const i of viewHits) expect(verdicts[i], `shot ${i} at view age ${predicted[i]!.viewAge.toFixed(0)} ms`).toBe(true);
      // The client kept its view inside the limit, so nothing was refused.
      expect(mg.game.roomTotals.shotsBeyondRewind).toBe(0);
      for (const i of viewHits) expect(predicted[i]!.viewAge).toBeLessThan(MAX_REWIND_MS);
      // The bad profile really needs more than the old 250 ms of rewind.
      if (profile.name === 'bad') expect(Math.min(...viewHits.map((i) => predicted[i]!.viewAge))).toBeGreaterThan(250);
    });
  }
});

describe('a shot beyond the rewind limit', () => {
  it('is refused (hits no one, though the target stood in the line of fire all along) and counted in /metrics', async () => {
    const mg = memoryGame({ tickRate: 30, snapshotRate: 30 }, 'duel');
    const shooter = mg.connect('a');
    shooter.hello('A');
    mg.tick();
    const target = mg.connect('b');
    target.hello('B');
    mg.tick();
    const room = [...mg.game.directory.rooms.values()][0]!;
    const a = room.players.get(shooter.welcome().playerId)!;
    const b = room.players.get(target.welcome().playerId)!;
    expect(shooter.welcome().maxRewindMs).toBe(MAX_REWIND_MS);
    // Both stand still, in the open, 200 px apart, protection long over.
    a.state = { x: 200, y: 200, vx: 0, vy: 0 };
    b.state = { x: 400, y: 200, vx: 0, vy: 0 };
    mg.tick(90);
    const aim = quantizeAngle(0);
    const nowMs = mg.tickCount * (1000 / 30);
    let seq = 0;
    // Inputs keep coming, one a tick, as from a real client (the input buffer waits for them).
    const idle = (n: number): void => {
      for (let i = 0; i < n; i++) {
        shooter.send({ kind: ClientKind.Input, seq: ++seq, buttons: 0, aim });
        mg.tick();
      }
    };
    shooter.send({ kind: ClientKind.Input, seq: ++seq, buttons: Button.Fire, aim, viewTime: Math.floor(nowMs - MAX_REWIND_MS - 50) });
    idle(3);
    const hits = () => shooter.of(ServerKind.Events).flatMap((m) => m.events).filter((e) => e.type === EventType.Hit);
    const shots = () => shooter.of(ServerKind.Events).flatMap((m) => m.events).filter((e) => e.type === EventType.Shot);
    expect(shots()).toHaveLength(1);
    expect(hits()).toEqual([]);
    expect(mg.game.roomTotals.shotsBeyondRewind).toBe(1);
    expect(a.combat.shotsBeyondRewind).toBe(1);
    expect(await mg.game.metrics.registry.metrics()).toMatch(/^dustup_shots_beyond_rewind_total 1$/m);
    // The same shot from a view inside the limit hits.
    idle(15);
    const later = mg.tickCount * (1000 / 30);
    shooter.send({ kind: ClientKind.Input, seq: ++seq, buttons: Button.Fire, aim, viewTime: Math.floor(later - MAX_REWIND_MS + 250) });
    idle(3);
    expect(hits()).toHaveLength(1);
    expect(mg.game.roomTotals.shotsBeyondRewind).toBe(1);
  });
});
