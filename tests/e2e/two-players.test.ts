/**
 * End to end: the built client, served by the real server, in a real Chromium. Two
 * pages (separate browser contexts, so both are foreground windows) join one room by
 * code; keyboard input moves one player and both pages see the move.
 */
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DustupTestState } from '../../game-client/src/test-hook.ts';
import { artifacts, startGameFixture, state, stopGameFixture, waitForState, type GameFixture } from './game-page.ts';

let fixture: GameFixture | undefined;
let browser: Browser;
let base: string;

beforeAll(async () => {
  fixture = await startGameFixture();
  ({ browser, base } = fixture);
}, 120_000);

afterAll(() => stopGameFixture(fixture));

async function openGame(name: string, query = ''): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(base + query);
  await page.getByTestId('name-input').fill(name);
  await page.getByTestId('play-button').click();
  try {
    await waitForState(page, `${name} to join`, (s) => s.connected && s.self !== null);
  } catch (e) {
    throw new Error(`${(e as Error).message}; page errors: ${errors.join(' | ')}`);
  }
  return page;
}

describe('two browser pages in one room', () => {
  it('both show both players, keyboard moves the local player, and the other page sees it', async () => {
    const a = await openGame('Alice');
    const { roomCode, playerId: aliceId } = await state(a);
    expect(roomCode).toMatch(/^[A-Z0-9]{4,8}$/);
    expect(await a.getByTestId('room-code').textContent()).toBe(roomCode);

    const b = await openGame('Bob', `?room=${roomCode}`);
    const sb = await state(b);
    expect(sb.roomCode).toBe(roomCode);

    // Each page shows both players: itself and the other, by name.
    await waitForState(a, 'Alice to see Bob', (s) => s.others.some((o) => o.name === 'Bob'));
    const bSeesAlice = await waitForState(b, 'Bob to see Alice', (s) => s.others.some((o) => o.id === aliceId));
    expect(bSeesAlice.others.find((o) => o.id === aliceId)!.name).toBe('Alice');

    // Hold a direction on Alice's page until she has moved 40 px; try another
    // direction if a wall is in the way of the first.
    await a.bringToFront();
    const start = (await state(a)).self!;
    let moved: DustupTestState | null = null;
    for (const key of ['ArrowRight', 'ArrowLeft', 'ArrowDown', 'ArrowUp']) {
      await a.keyboard.down(key);
      try {
        moved = await waitForState(a, `Alice to move with ${key}`, (s) => Math.hypot(s.self!.x - start.x, s.self!.y - start.y) > 40, 3000);
      } catch {
        moved = null;
      }
      await a.keyboard.up(key);
      if (moved) break;
    }
    expect(moved, 'no arrow key moved the local player 40 px').not.toBeNull();
    // After the key is released friction stops her: wait until two reads agree.
    let prev = moved!.self!;
    const aliceNow = (
      await waitForState(a, 'Alice to come to rest', (s) => {
        const still = Math.hypot(s.self!.x - prev.x, s.self!.y - prev.y) < 0.01;
        prev = s.self!;
        return still;
      })
    ).self!;

    // Bob's page sees Alice arrive near where her own page shows her (interpolation
    // lags a little; she has stopped, so it converges).
    const seen = await waitForState(b, 'Bob to see Alice move', (s) => {
      const o = s.others.find((x) => x.id === aliceId);
      return !!o && Math.hypot(o.x - start.x, o.y - start.y) > 40;
    });
    const alice = seen.others.find((x) => x.id === aliceId)!;
    expect(Math.hypot(alice.x - start.x, alice.y - start.y)).toBeGreaterThan(40);
    await waitForState(b, 'Bob to see Alice where she is', (s) => {
      const o = s.others.find((x) => x.id === aliceId);
      return !!o && Math.hypot(o.x - aliceNow.x, o.y - aliceNow.y) < 2;
    });

    await a.screenshot({ path: join(artifacts, 'e2e-alice.png') });
    await b.screenshot({ path: join(artifacts, 'e2e-bob.png') });
  }, 90_000);
});
