/**
 * End to end, replays: a short match in the browser (Alice on a page, a headless
 * player shooting her until she dies), then its replay opened from the menu's Replays
 * list in the real game scene; scrubbing to the kill marked on the bar shows the kill
 * in the kill feed, as it was. Screenshots go to tests/artifacts/.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Button, ClientKind, EventType, ServerKind, quantizeAngle } from '../../protocol/index.ts';
import type { ReplaySummary } from '../../game-server/replay/replay-store.ts';
import { TestClient, waitFor } from '../integration/harness.ts';
import { artifacts, startGameFixture, state, stopGameFixture, waitForState, type GameFixture } from './game-page.ts';

let fixture: GameFixture | undefined;
let browser: Browser;
let base: string;
const dir = mkdtempSync(join(tmpdir(), 'dustup-e2e-replays-'));

beforeAll(async () => {
  fixture = await startGameFixture({ replayDir: dir });
  ({ browser, base } = fixture);
}, 120_000);

afterAll(async () => {
  await stopGameFixture(fixture);
  rmSync(dir, { recursive: true, force: true });
});

describe('replays in the browser', () => {
  it('a match played, then watched: its replay opens from the menu, and scrubbing to the kill shows it in the kill feed', async () => {
    const errors: string[] = [];
    const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
    const page = await context.newPage();
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(base);
    await page.getByTestId('name-input').fill('Alice');
    await page.getByTestId('create-button').click();
    const alice = await waitForState(page, 'Alice in her room', (s) => s.connected && s.self !== null);

    // A headless player joins and shoots Alice until she dies.
    const bob = new TestClient(fixture!.server.port);
    await bob.join('Bob', alice.roomCode);
    await waitFor(() => bob.lastResolved()?.entities.some((e) => e.id === alice.playerId), 'Bob to see Alice', 5000);
    let seq = 0;
    const timer = setInterval(() => {
      const snap = bob.lastSnapshot();
      const seen = bob.lastResolved()?.entities.find((e) => e.id === alice.playerId);
      if (!snap || !seen) return;
      const aim = quantizeAngle(Math.atan2(seen.y - snap.self.y, seen.x - snap.self.x));
      bob.send({ kind: ClientKind.Input, seq: ++seq, buttons: Button.Fire, aim, viewTime: Math.round(snap.serverTime) });
    }, 1000 / 30);
    try {
      await waitFor(() => bob.messages.some((m) => m.kind === ServerKind.Events && m.events.some((e) => e.type === EventType.Kill)), 'the kill', 15_000);
    } finally {
      clearInterval(timer);
    }
    await waitForState(page, 'the kill on Alice\'s page', (s) => s.kills!.includes('Bob killed Alice'));
    // Alice comes back (3 s later) before the match ends, so the replay goes on past the kill.
    await waitForState(page, 'Alice to respawn', (s) => s.alive === true, 8000);
    // The match ends: both leave, the room closes, its replay is finished.
    bob.close();
    await page.goto(base);
    let replay: ReplaySummary | undefined;
    const deadline = Date.now() + 10_000;
    while (!replay && Date.now() < deadline) {
      const body = (await (await fetch(`${base}api/replays`)).json()) as { replays: ReplaySummary[] };
      replay = body.replays.find((r) => r.finished && r.room === alice.roomCode);
      if (!replay) await page.waitForTimeout(100);
    }
    expect(replay, 'the finished replay in /api/replays').toBeDefined();
    expect(replay!.kills).toBe(1);

    // The menu lists it; Watch opens it in the game scene, with its controls.
    await page.getByTestId(`replay-${replay!.id}`).click();
    await page.getByTestId('replay-bar').waitFor({ state: 'visible', timeout: 10_000 });
    const playing = await waitForState(page, 'the replay to show the players', (s) => s.connected && s.others.length === 2);
    expect(playing.self).toBeNull();
    expect(playing.roomCode).toBe(alice.roomCode);
    await page.screenshot({ path: join(artifacts, 'e2e-replay-start.png') });

    // The kill is marked on the scrub bar; clicking it jumps there and the kill feed shows it.
    const mark = page.getByTestId('replay-kill-0');
    expect(await mark.getAttribute('title')).toBe('Bob killed Alice');
    const killTick = Number(await mark.getAttribute('data-tick'));
    await mark.click();
    const after = await waitForState(page, 'the kill in the replay\'s kill feed', (s) => s.connected && s.kills!.includes('Bob killed Alice'));
    expect(after.kills).toContain('Bob killed Alice');
    const at = Number(await page.getByTestId('replay-scrub').inputValue());
    expect(at).toBeGreaterThanOrEqual(killTick);
    expect(at).toBeLessThan(killTick + 3 * 30);
    await expect.poll(async () => (await page.getByTestId('kill-feed').textContent()) ?? '').toContain('Bob');
    await page.screenshot({ path: join(artifacts, 'e2e-replay-kill.png') });

    // The shot inspector on the killing shot: paused there, its verdict in words.
    await page.getByTestId('replay-inspect').click();
    const verdict = page.getByTestId('shot-verdict');
    await verdict.waitFor({ state: 'visible', timeout: 10_000 });
    expect(await verdict.textContent()).toMatch(/^Bob fired at .*Verdict: hit Alice\./);
    expect(await page.getByTestId('replay-play').textContent()).toBe('Play');
    await page.screenshot({ path: join(artifacts, 'e2e-replay-shot-inspector.png') });
    await page.getByTestId('replay-play').click();
    await expect.poll(() => page.getByTestId('shot-inspector').isHidden()).toBe(true);

    // Pause holds the picture; 4x and a drag of the bar to the start work too.
    expect(await page.getByTestId('replay-play').textContent()).toBe('Pause');
    await page.getByTestId('replay-play').click();
    expect(await page.getByTestId('replay-play').textContent()).toBe('Play');
    const t0 = (await state(page)).others.map((o) => [o.x, o.y]);
    await page.waitForTimeout(300);
    expect((await state(page)).others.map((o) => [o.x, o.y])).toEqual(t0);
    await page.getByTestId('replay-speed').selectOption('4');
    await page.getByTestId('replay-scrub').fill(String(Number(await page.getByTestId('replay-scrub').getAttribute('min'))));
    await waitForState(page, 'back at the start, before the kill', (s) => s.connected && !s.kills!.includes('Bob killed Alice'));
    expect(await page.getByTestId('replay-speed').inputValue()).toBe('4');
    expect(errors).toEqual([]);
    await context.close();
  }, 120_000);

  it('a live public room watched from a second page: Watch in the menu, the player seen, no seat taken', async () => {
    const errors: string[] = [];
    const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
    const player = await context.newPage();
    player.on('pageerror', (e) => errors.push(e.message));
    await player.goto(base);
    await player.getByTestId('name-input').fill('Carol');
    await player.getByTestId('play-button').click();
    const carol = await waitForState(player, 'Carol in a public room', (s) => s.connected && s.self !== null);

    const viewer = await context.newPage();
    viewer.on('pageerror', (e) => errors.push(e.message));
    await viewer.goto(base);
    await viewer.getByTestId(`watch-${carol.roomCode}`).click();
    await viewer.getByTestId('spectator-bar').waitFor({ state: 'visible', timeout: 10_000 });
    const seen = await waitForState(viewer, 'Carol on the spectator page', (s) => s.connected && s.others.some((o) => o.id === carol.playerId), 15_000);
    expect(seen.self).toBeNull();
    expect(seen.roomCode).toBe(carol.roomCode);
    expect(seen.others.find((o) => o.id === carol.playerId)?.name).toBe('Carol');
    const rooms = (await (await fetch(`${base}api/rooms`)).json()) as { rooms: { code: string; players: number }[] };
    expect(rooms.rooms.find((r) => r.code === carol.roomCode)?.players).toBe(1);
    await viewer.screenshot({ path: join(artifacts, 'e2e-spectator.png') });
    expect(errors).toEqual([]);
    await context.close();
  }, 90_000);
});
