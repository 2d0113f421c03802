/**
 * The replay driver feeds a real GameClient as a server would: the client joins (as
 * nobody), sees every recorded player where the replay has them, its match (scores,
 * deaths) and kill events as they were, and a paused driver stops the world while a
 * faster one moves it faster.
 */
import { describe, expect, it } from 'vitest';
import { EventType, REMOTE_POS_SCALE } from '../../../protocol/index.ts';
import { IndexKind, ReplayCursor, readReplay } from '../../../protocol/replay/index.ts';
import { GameClient } from '../../../game-client/src/net/client.ts';
import { ReplayDriver } from '../../../game-client/src/replay/replay-driver.ts';
import { ReplayWorld } from '../../../game-client/src/replay/replay-world.ts';
import { loadMap } from '../server/memory-game.ts';
import { playRecordedMatch } from './recorded-match.ts';

const match = playRecordedMatch({ ticks: 30 * 30, players: 4, seed: 21 });
const replay = readReplay(match.output.bytes());
const map = loadMap('duel');

async function watch(startTick: number): Promise<{ driver: ReplayDriver; client: GameClient; kills: number[] }> {
  const driver = new ReplayDriver(replay, startTick);
  const client = new GameClient({ url: 'replay:', name: 'viewer', WebSocket: driver.WebSocket, now: driver.now, map });
  const kills: number[] = [];
  client.onEvent((e, tick) => {
    if (e.type === EventType.Kill) kills.push(tick);
  });
  await client.connect();
  driver.pump(0);
  client.update();
  return { driver, client, kills };
}

const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

describe('the replay driver', () => {
  it('feeds a real client the recorded room from the tick asked for, with the kill feed of the seconds before', async () => {
    const firstKill = replay.index.find((e) => e.kind === IndexKind.Kill)!;
    const start = firstKill.tick + 30;
    const { driver, client, kills } = await watch(start);
    expect(client.playerId).toBe(0);
    // Nobody's own: every recorded player is a remote one.
    expect(client.remotePlayers().some((p) => p.id === 0)).toBe(false);
    expect(driver.tick).toBe(start);
    expect(kills).toContain(firstKill.tick);
    const world = new ReplayWorld();
    new ReplayCursor(replay, world).seek(start);
    expect(client.match.scoreOf(firstKill.b)).toBe(world.room.match.scoreOf(firstKill.b));
    expect(client.roster().map((p) => p.id).sort()).toEqual(world.standings().map((s) => s[0]));
    // A second of playback: the client draws everyone near where the replay has them.
    for (let t = 0; t <= 1000; t += 16) {
      driver.pump(t);
      client.update();
      await settle();
    }
    expect(driver.tick).toBeGreaterThan(start + 25);
    const at = new ReplayWorld();
    new ReplayCursor(replay, at).seek(driver.tick - 6);
    const drawn = new Map(client.remotePlayers().map((p) => [p.id, p]));
    expect(drawn.size).toBe(at.players().length);
    for (const [id, X, Y] of at.players()) {
      const p = drawn.get(id)!;
      // Drawn ~100 ms (the interpolation delay) behind the newest snapshot: within a few px of the record.
      expect(Math.hypot(p.x - X / REMOTE_POS_SCALE, p.y - Y / REMOTE_POS_SCALE)).toBeLessThan(40);
    }
    client.close();
  });

  it('stops when paused and runs four times as far at 4x', async () => {
    const { driver, client } = await watch(replay.firstTick + 60);
    driver.playing = false;
    const before = driver.serverTime;
    for (let t = 0; t <= 496; t += 16) driver.pump(t);
    expect(driver.serverTime).toBe(before);
    driver.playing = true;
    driver.speed = 4;
    for (let t = 500; t <= 1000; t += 10) driver.pump(t);
    expect(driver.serverTime - before).toBeCloseTo((1000 - 496) * 4, 6);
    driver.speed = 100;
    expect(driver.speed).toBe(4);
    driver.speed = 0.01;
    expect(driver.speed).toBe(0.25);
    client.close();
  });
});
