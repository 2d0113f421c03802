/**
 * End to end, the game itself: two Chromium pages, one creates a private room and the
 * other joins it by code; one shoots the other with the mouse until it dies; both pages
 * show the kill in the kill feed and the leaderboard; chat typed on one page appears on
 * the other, as text. Screenshots go to tests/artifacts/.
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

async function newPage(errors: string[]): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  const page = await context.newPage();
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(base);
  return page;
}

describe('a private room for two, in the browser', () => {
  it('joined by code: one shoots the other dead, both see it in the kill feed and leaderboard, chat goes across', async () => {
    const errors: string[] = [];
    const alice = await newPage(errors);
    await alice.getByTestId('name-input').fill('Alice');
    await alice.getByTestId('create-button').click();
    const sa = await waitForState(alice, 'Alice in her new room', (s) => s.connected && s.self !== null);
    expect(sa.roomCode).toMatch(/^[A-Z2-9]{4,8}$/);
    // A private room is not in the public list.
    const listed = (await (await fetch(`${base}api/rooms`)).json()) as { rooms: { code: string }[] };
    expect(listed.rooms.map((r) => r.code)).not.toContain(sa.roomCode);

    const bob = await newPage(errors);
    await bob.getByTestId('name-input').fill('Bob');
    await bob.screenshot({ path: join(artifacts, 'e2e-menu.png') });
    await bob.getByTestId('room-input').fill(sa.roomCode.toLowerCase());
    await expect.poll(() => bob.getByTestId('play-button').textContent()).toBe(`Join room ${sa.roomCode}`);
    await bob.getByTestId('play-button').click();
    const sb = await waitForState(bob, 'Bob to join', (s) => s.connected && s.self !== null);
    expect(sb.roomCode).toBe(sa.roomCode);
    await waitForState(alice, 'Alice to see Bob', (s) => s.others.some((o) => o.id === sb.playerId));
    await waitForState(alice, "Bob's join in Alice's feed", (s) => s.chat!.includes('Bob joined'));

    // Alice aims at Bob with the mouse and holds the button until he dies (spawn
    // protection first, then four hits).
    await alice.bringToFront();
    let down = false;
    let firingShot = false;
    const firingSince = Date.now();
    const deadline = Date.now() + 20_000;
    let killed: DustupTestState | null = null;
    while (Date.now() < deadline) {
      const s = await state(alice);
      if (s.kills!.includes('Alice killed Bob')) {
        killed = s;
        break;
      }
      const target = s.others.find((o) => o.id === sb.playerId);
      if (target?.screenX !== undefined && target.screenY !== undefined) {
        await alice.mouse.move(target.screenX, target.screenY);
        if (!down) {
          await alice.mouse.down();
          down = true;
        }
      }
      // One picture mid-fight (past Bob's spawn protection): beams, hit markers, health bar.
      if (!firingShot && Date.now() - firingSince > 2700) {
        firingShot = true;
        await alice.screenshot({ path: join(artifacts, 'e2e-combat-firing.png') });
      }
      await alice.waitForTimeout(60);
    }
    if (down) await alice.mouse.up();
    expect(killed, `no kill; page errors: ${errors.join(' | ')}`).not.toBeNull();
    expect(killed!.score).toBe(1);

    // Bob's page: he is dead, with the killer's name and a countdown, and the kill feed says so.
    const bobDead = await waitForState(bob, 'Bob to know he died', (s) => s.alive === false && s.kills!.includes('Alice killed Bob'));
    expect(bobDead.health).toBe(0);
    await expect.poll(() => bob.getByTestId('respawn-killer').textContent()).toBe('Killed by Alice');
    for (const page of [alice, bob]) {
      const feed = (await page.getByTestId('kill-feed').textContent()) ?? '';
      expect(feed).toContain('Alice');
      expect(feed).toContain('Bob');
      const board = await page.getByTestId('leaderboard').locator('li:not(.lb-head)').allTextContents();
      expect(board[0]).toMatch(/^1\.Alice1$/);
      expect(board.some((row) => /Bob0$/.test(row))).toBe(true);
    }
    await alice.screenshot({ path: join(artifacts, 'e2e-combat-alice.png') });
    await bob.screenshot({ path: join(artifacts, 'e2e-combat-bob-dead.png') });

    // Bob respawns and chats; Alice reads it, as text (no markup is made of it).
    await waitForState(bob, 'Bob to respawn', (s) => s.alive === true, 8000);
    await bob.bringToFront();
    await bob.keyboard.press('Enter');
    await bob.getByTestId('chat-input').fill('gg <b>Alice</b> & co');
    await bob.keyboard.press('Enter');
    await waitForState(alice, 'the chat line on Alice\'s page', (s) => s.chat!.includes('Bob: gg <b>Alice</b> & co'));
    const chatFeed = alice.getByTestId('chat-feed');
    await expect.poll(() => chatFeed.textContent()).toContain('Bob: gg <b>Alice</b> & co');
    expect(await chatFeed.locator('b').count()).toBe(0);
    await alice.screenshot({ path: join(artifacts, 'e2e-combat-chat.png') });
    expect(errors).toEqual([]);
  }, 90_000);

  it('a phone-sized page shows touch controls and the HUD fits', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true, deviceScaleFactor: 3 });
    const page = await context.newPage();
    await page.goto(base);
    await page.getByTestId('name-input').fill('Phone');
    await page.getByTestId('play-button').tap();
    await waitForState(page, 'the phone to join', (s) => s.connected && s.self !== null);
    await expect.poll(() => page.getByTestId('touch-controls').isVisible()).toBe(true);
    const box = await page.getByTestId('leaderboard').boundingBox();
    expect(box!.x + box!.width).toBeLessThanOrEqual(390);
    await page.screenshot({ path: join(artifacts, 'e2e-phone.png') });
    await context.close();
  }, 60_000);
});
