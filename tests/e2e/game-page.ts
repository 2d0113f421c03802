/**
 * End-to-end fixture: the client built by vite into a temporary directory (so a test
 * never touches the user's dist/), served by the real server on the small 'duel' map
 * (smaller than a screen, every spawn in sight of every other, so interest management
 * shows both players to each other), and a headless Chromium. Plus the page-state
 * helpers the tests poll through window.__dustup.
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { build } from 'vite';
import type { DustupServer } from '../../game-server/server.ts';
import type { DustupTestState } from '../../game-client/src/test-hook.ts';
import { startServer } from '../integration/harness.ts';
import { launchChromium } from './browser.ts';

const root = join(import.meta.dirname, '..', '..');
/** Screenshots saved by the end-to-end tests. */
export const artifacts = join(root, 'tests', 'artifacts');

export interface GameFixture {
  server: DustupServer;
  browser: Browser;
  /** http://127.0.0.1:PORT/ */
  base: string;
}

/** mapId: the server's map (default 'duel', everyone in sight; 'arena' is the 3,072 px default). */
export async function startGameFixture(mapId = 'duel'): Promise<GameFixture> {
  const outDir = mkdtempSync(join(tmpdir(), 'dustup-e2e-client-'));
  await build({
    configFile: join(root, 'game-client', 'vite.config.ts'),
    logLevel: 'error',
    build: { outDir, emptyOutDir: true },
  });
  const server = await startServer({ clientDir: outDir, assetsDir: join(root, 'assets'), mapId });
  const browser = await launchChromium();
  mkdirSync(artifacts, { recursive: true });
  return { server, browser, base: `http://127.0.0.1:${server.port}/` };
}

export async function stopGameFixture(f: GameFixture | undefined): Promise<void> {
  await f?.browser.close();
  await f?.server.close();
}

export const state = (page: Page): Promise<DustupTestState> => page.evaluate(() => window.__dustup!.state());

/** Poll the page's state until check passes; the error shows the last state seen. */
export async function waitForState(
  page: Page,
  what: string,
  check: (s: DustupTestState) => boolean,
  timeoutMs = 10_000,
): Promise<DustupTestState> {
  const deadline = Date.now() + timeoutMs;
  let last: DustupTestState | null = null;
  while (Date.now() < deadline) {
    last = await state(page);
    if (check(last)) return last;
    await page.waitForTimeout(50);
  }
  throw new Error(`timed out waiting for ${what}; last state: ${JSON.stringify(last)}`);
}
