/**
 * End to end: a page whose every frame takes 110 ms (a busy loop wrapped around each
 * requestAnimationFrame callback, installed before the game boots, so message handlers
 * run bunched after each frame as on a software-rendered browser at 9 frames/s). On
 * loopback the others must be drawn well under half a second late (411-690 ms before),
 * and the view must stay inside the server's rewind limit.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_REWIND_MS } from '../../protocol/index.ts';
import { startGameFixture, state, stopGameFixture, waitForState, type GameFixture } from './game-page.ts';

let fixture: GameFixture | undefined;
let browser: Browser;
let base: string;

beforeAll(async () => {
  fixture = await startGameFixture();
  ({ browser, base } = fixture);
}, 120_000);

afterAll(() => stopGameFixture(fixture));

const FRAME_MS = 110;

async function openStalledGame(name: string, query = ''): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 800, height: 600 } });
  const page = await context.newPage();
  await page.addInitScript((frameMs: number) => {
    const raf = window.requestAnimationFrame.bind(window);
    window.requestAnimationFrame = (cb) =>
      raf((t) => {
        // The frame's own work first (update, then drawing), then the slow part of drawing,
        // which is where a software-rendered page spends its time.
        cb(t);
        const end = performance.now() + frameMs;
        while (performance.now() < end);
      });
  }, FRAME_MS);
  await page.goto(base + query);
  await page.getByTestId('name-input').fill(name);
  await page.getByTestId('play-button').click();
  await waitForState(page, `${name} to join`, (s) => s.connected && s.self !== null, 30_000);
  return page;
}

describe('a page at 9 frames/s on loopback', () => {
  it('draws the others well under half a second late (was 411-690 ms), its view inside the rewind limit', async () => {
    const page = await openStalledGame('Slow');
    const { roomCode } = await state(page);
    // Someone to draw, from a page that keeps up.
    const other = await (await browser.newContext()).newPage();
    await other.goto(`${base}?room=${roomCode}`);
    await other.getByTestId('name-input').fill('Quick');
    await other.getByTestId('play-button').click();
    await waitForState(page, 'the slow page to see the other', (s) => s.others.length > 0, 30_000);
    // Let the 2 s measurement window fill, then sample the figures for a few seconds.
    const t0 = Date.now();
    await waitForState(page, 'two seconds of play', () => Date.now() - t0 > 3000, 10_000);
    const samples: NonNullable<Awaited<ReturnType<typeof state>>['net']>[] = [];
    while (samples.length < 20) {
      const s = await state(page);
      if (s.net) samples.push(s.net);
      await page.waitForTimeout(150);
    }
    // The frame rate as the overlay shows it (a smoothed figure): its median, since one
    // sample can still be catching up from the faster frames before the stall began.
    const fpsSorted = samples.map((s) => s.fps).sort((a, b) => a - b);
    const fps = fpsSorted[Math.floor(fpsSorted.length / 2)]!;
    const rtts = samples.map((s) => s.rtt).filter(Number.isFinite);
    const delays = samples.map((s) => s.interpolationDelay).filter(Number.isFinite);
    const targets = samples.map((s) => s.interpolationTarget).filter(Number.isFinite);
    const ages = samples.map((s) => s.viewAge).filter(Number.isFinite);
    console.log(
      `stalled page: fps median ${fps.toFixed(1)} (${fpsSorted.map((f) => f.toFixed(1)).join(' ')}), RTT ${Math.min(...rtts).toFixed(0)}..${Math.max(...rtts).toFixed(0)} ms, interp delay ${Math.min(...delays).toFixed(0)}..${Math.max(...delays).toFixed(0)} ms, target <= ${Math.max(...targets).toFixed(0)} ms, view age <= ${Math.max(...ages).toFixed(0)} ms`,
    );
    // The stall took hold: 110 ms frames cap the page near 9 frames/s, and Phaser's
    // smoothed figure runs a little above that (8-13 measured here; unstalled: 30-60).
    expect(fps).toBeLessThan(15);
    expect(delays.length).toBeGreaterThan(10);
    // Not half a second late (the figure at 7-9 frames/s was 345-472 ms; the
    // same page here, with no stall allowance and no ceiling, measured 411-690 ms). Its
    // clean-link value is 67 ms, but Chromium may run the next frames before the messages
    // that came during the last one (pongs here take 2-5 frames to be handled), and data
    // the page truly gets that late needs that much delay to be drawn between two
    // snapshots; the ceiling below bounds it whatever the page does.
    expect(Math.max(...targets)).toBeLessThan(450);
    expect(samples.every((s) => s.rewindLimit === MAX_REWIND_MS)).toBe(true);
    // Inside the limit, less the margin the client keeps for the server's input buffer.
    expect(Math.max(...ages)).toBeLessThanOrEqual(MAX_REWIND_MS - 100 + 1);
    expect(samples.every((s) => s.viewLimit !== 'beyond')).toBe(true);
  }, 90_000);
});
