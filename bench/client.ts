/**
 * `npm run bench:client`: what the browser client costs against what the renderer needs.
 *
 * Builds the client, serves it with a real server (its own process, port 0, the dense
 * arena: 1152 x 640 px, all of it on one 1280 x 720 screen), fills the room with idle bots
 * (29 plus the page: 30 players on screen) and opens the game in headless Chromium with
 * software GL, the HUD and the F3 overlay open. In the same run, on the same machine, with
 * the same server and bots going, a bare Phaser 4 scene of the same size (920 rectangles)
 * is measured; the two pages alternate (rounds) so a load that comes and goes on a shared
 * machine falls on both. Each measurement counts requestAnimationFrame callbacks in the
 * page, one count per second over a fixed window after a warm-up; the figure is the median
 * of those counts. Also measured: the game alone on the big default arena (one player),
 * the case the issue was filed on. The game draws without multisampling (main.ts), so the
 * bare scene is also measured that way: the game against the same renderer settings.
 *
 * Options: --window S (seconds per measurement, default 10), --rounds N (default 2),
 * --warmup S (default 3), --profile FILE (also write a Chromium CPU profile of one game
 * window, .cpuprofile, for DevTools).
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { spawn, type ChildProcess } from 'node:child_process';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { build } from 'vite';
import { launchChromium } from '../tests/e2e/browser.ts';
import { root, startServerProcess } from './server-process.ts';

/** What the page's test hook (game-client/src/test-hook.ts) gives, as far as the bench reads it. */
interface DustupWindow {
  __dustup?: { state(): { connected: boolean; self: unknown; roomCode: string; others: unknown[] } };
}

const VIEW = { width: 1280, height: 720 };
const BOTS = 29;
const RECTANGLES = 920;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length === 0 ? NaN : s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** Counts animation frames per whole second from the moment it is installed. */
const FRAME_COUNTER = `(() => {
  const w = window;
  w.__benchFrames = [];
  let start = 0, count = 0;
  const tick = (t) => {
    if (start === 0) start = t;
    count++;
    if (t - start >= 1000) { w.__benchFrames.push(count * 1000 / (t - start)); start = t; count = 0; }
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
})()`;

/** Per-second frame counts over windowS after warmupS. */
async function countFrames(page: Page, warmupS: number, windowS: number): Promise<number[]> {
  await sleep(warmupS * 1000);
  await page.evaluate(FRAME_COUNTER);
  await page.waitForFunction((n) => ((globalThis as unknown as { __benchFrames: number[] }).__benchFrames?.length ?? 0) >= n, windowS, {
    timeout: (windowS + 30) * 1000,
    polling: 500,
  });
  return page.evaluate(() => (globalThis as unknown as { __benchFrames: number[] }).__benchFrames.slice());
}

/** The bare scene: Phaser 4 from node_modules, a canvas of the game's size, 920 rectangles. */
async function openBare(browser: Browser, msaa: boolean): Promise<Page> {
  const context = await browser.newContext({ viewport: VIEW });
  const page = await context.newPage();
  await page.setContent('<!doctype html><html><body style="margin:0;background:#15171c"><div id="game"></div></body></html>');
  await page.addScriptTag({ path: join(root, 'node_modules', 'phaser', 'dist', 'phaser.min.js') });
  // A string, not a function: tsx would wrap a class in helpers the page does not have.
  await page.evaluate(`(() => {
    const P = window.Phaser, n = ${RECTANGLES}, w = ${VIEW.width}, h = ${VIEW.height};
    class Bare extends P.Scene {
      create() {
        for (let i = 0; i < n; i++) this.add.rectangle((i * 97) % w, (i * 53) % h, 24, 24, 0x3366cc + (i % 200));
      }
    }
    new P.Game({
      type: P.AUTO, parent: 'game', backgroundColor: '#15171c',
      scale: { mode: P.Scale.NONE, width: w, height: h },
      render: { antialias: true, antialiasGL: ${msaa} }, audio: { noAudio: true }, scene: [Bare],
    });
  })()`);
  return page;
}

/** The game page joined to room (quick play when empty), HUD and F3 overlay open. */
async function openGame(browser: Browser, base: string, room: string): Promise<{ page: Page; room: string }> {
  const context = await browser.newContext({ viewport: VIEW });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(base + (room ? `?room=${room}` : ''));
  await page.getByTestId('name-input').fill('bench');
  await page.getByTestId('play-button').click();
  await page
    .waitForFunction(() => {
      const s = (globalThis as unknown as DustupWindow).__dustup?.state();
      return !!s && s.connected && s.self !== null;
    }, undefined, { timeout: 30_000 })
    .catch((e: Error) => {
      throw new Error(`the game page did not join: ${e.message}; page errors: ${errors.join(' | ')}`);
    });
  await page.keyboard.press('F3');
  const code = await page.evaluate(() => (globalThis as unknown as DustupWindow).__dustup!.state().roomCode);
  return { page, room: code };
}

async function othersOnScreen(page: Page): Promise<number> {
  return page.evaluate(() => (globalThis as unknown as DustupWindow).__dustup!.state().others.length);
}

interface Server {
  proc: ChildProcess;
  port: number;
}

async function startBots(port: number, room: string, durationS: number): Promise<ChildProcess> {
  const bots = spawn(
    process.execPath,
    [
      '--import', 'tsx', join(root, 'game-client', 'bots', 'cli.ts'),
      '--url', `ws://127.0.0.1:${port}`, '--bots', String(BOTS), '--ramp', '30/s', '--room', room,
      '--duration', String(durationS), '--behaviour', 'idle', '--workers', '1',
    ],
    { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  return bots;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { window: { type: 'string' }, rounds: { type: 'string' }, warmup: { type: 'string' }, profile: { type: 'string' } },
  });
  const windowS = Number(values.window ?? 10);
  const rounds = Number(values.rounds ?? 2);
  const warmupS = Number(values.warmup ?? 3);
  if (!(windowS >= 3 && windowS <= 120) || !(rounds >= 1 && rounds <= 10) || !(warmupS >= 0 && warmupS <= 60))
    throw new Error('--window 3..120, --rounds 1..10, --warmup 0..60');

  const outDir = mkdtempSync(join(tmpdir(), 'dustup-bench-client-'));
  console.log('building the client...');
  await build({ configFile: join(root, 'game-client', 'vite.config.ts'), logLevel: 'error', build: { outDir, emptyOutDir: true } });

  const load0 = loadavg()[0]!;
  const dense: Server = await startServerProcess(['--map', 'dense', '--max-players', '40', '--client-dir', outDir]);
  const arena: Server = await startServerProcess(['--map', 'arena', '--client-dir', outDir]);
  const browser = await launchChromium();
  let bots: ChildProcess | null = null;
  const game: number[] = [];
  const bare: number[] = [];
  const bareNoMsaa: number[] = [];
  const arenaSolo: number[] = [];
  const seen: number[] = [];
  try {
    const denseBase = `http://127.0.0.1:${dense.port}/`;
    // The first page opens the room the bots then join by code.
    const first = await openGame(browser, denseBase, '');
    const room = first.room;
    bots = await startBots(dense.port, room, (rounds * 4 + 2) * (windowS + warmupS + 15) + 60);
    const deadline = Date.now() + 30_000;
    while ((await othersOnScreen(first.page)) < BOTS && Date.now() < deadline) await sleep(250);
    await first.page.context().close();

    for (let r = 0; r < rounds; r++) {
      console.log(`round ${r + 1}/${rounds}: game (30 players)...`);
      const g = await openGame(browser, denseBase, room);
      if (r === 0 && values.profile) {
        const cdp = await g.page.context().newCDPSession(g.page);
        await sleep(warmupS * 1000);
        await cdp.send('Profiler.enable');
        await cdp.send('Profiler.start');
        await sleep(windowS * 1000);
        const { profile } = await cdp.send('Profiler.stop');
        writeFileSync(values.profile, JSON.stringify(profile));
        console.log(`  CPU profile written to ${values.profile}`);
      }
      game.push(...(await countFrames(g.page, warmupS, windowS)));
      seen.push(await othersOnScreen(g.page));
      await g.page.context().close();

      console.log(`round ${r + 1}/${rounds}: bare Phaser scene (${RECTANGLES} rectangles)...`);
      const b = await openBare(browser, true);
      bare.push(...(await countFrames(b, warmupS, windowS)));
      await b.context().close();

      console.log(`round ${r + 1}/${rounds}: bare Phaser scene, no multisampling (as the game draws)...`);
      const b2 = await openBare(browser, false);
      bareNoMsaa.push(...(await countFrames(b2, warmupS, windowS)));
      await b2.context().close();

      console.log(`round ${r + 1}/${rounds}: game alone on the default arena...`);
      const a = await openGame(browser, `http://127.0.0.1:${arena.port}/`, '');
      arenaSolo.push(...(await countFrames(a.page, warmupS, windowS)));
      await a.page.context().close();
    }
  } finally {
    bots?.kill('SIGTERM');
    await browser.close();
    dense.proc.kill('SIGTERM');
    arena.proc.kill('SIGTERM');
  }

  const result = {
    date: new Date().toISOString(),
    node: process.version,
    cpus: cpus().length,
    loadavg1mAtStart: load0,
    loadavg1mAtEnd: loadavg()[0]!,
    viewport: VIEW,
    windowS,
    warmupS,
    rounds,
    players: BOTS + 1,
    othersSeenByPage: seen,
    fps: {
      game30Median: median(game),
      bareMedian: median(bare),
      bareNoMsaaMedian: median(bareNoMsaa),
      arenaSoloMedian: median(arenaSolo),
      game30: game,
      bare,
      bareNoMsaa,
      arenaSolo,
    },
    ratio: {
      game30: median(game) / median(bare),
      arenaSolo: median(arenaSolo) / median(bare),
      game30VsNoMsaa: median(game) / median(bareNoMsaa),
    },
  };
  const f = (v: number): string => v.toFixed(1);
  console.log(
    `\nheadless Chromium, software GL, ${VIEW.width}x${VIEW.height}, median of per-second frame counts (${rounds} x ${windowS} s each):\n` +
      `  game, 30 players on screen (dense), HUD + F3: ${f(result.fps.game30Median)} fps\n` +
      `  game, 1 player on the default arena:         ${f(result.fps.arenaSoloMedian)} fps\n` +
      `  bare Phaser 4 scene, ${RECTANGLES} rectangles:         ${f(result.fps.bareMedian)} fps (Phaser's defaults)\n` +
      `  the same, no multisampling:                  ${f(result.fps.bareNoMsaaMedian)} fps\n` +
      `  ratio game/bare: ${result.ratio.game30.toFixed(2)} (30 players), ${result.ratio.arenaSolo.toFixed(2)} (arena, 1 player); ` +
      `30 players against the bare scene without multisampling: ${result.ratio.game30VsNoMsaa.toFixed(2)}\n` +
      `  others on the page's screen: ${seen.join(', ')}; load average ${load0.toFixed(2)} -> ${result.loadavg1mAtEnd.toFixed(2)} on ${result.cpus} CPUs`,
  );
  mkdirSync(join(root, 'bench', 'results'), { recursive: true });
  const file = join(root, 'bench', 'results', `client-${result.date.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify(result, null, 2));
  console.log(`written to ${file}`);
}

main().then(
  () => process.exit(0),
  (err: Error) => {
    console.error(`bench:client: ${err.stack ?? err.message}`);
    process.exit(1);
  },
);
