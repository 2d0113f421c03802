/**
 * The replay folder behind a real Game (memory transport, hand-driven ticks): one file
 * per room's life, finished with its footer when the room empties, and a disk cap that
 * holds by deleting the oldest files first.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readReplay } from '../../../protocol/replay/index.ts';
import { memoryGame } from '../server/memory-game.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const tempDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'dustup-store-'));
  dirs.push(d);
  return d;
};

describe('the replay store', () => {
  it('writes one file per room, finished with its footer when the room empties', async () => {
    const dir = tempDir();
    const g = memoryGame({ replayDir: dir });
    const a = g.connect();
    a.hello('ann');
    const b = g.connect();
    b.hello('ben');
    g.tick(200);
    a.conn.close(1000, 'bye');
    b.conn.close(1000, 'bye');
    g.tick(2);
    await g.game.replays!.close();
    const files = readdirSync(dir);
    expect(files).toHaveLength(1);
    const r = readReplay(new Uint8Array(readFileSync(join(dir, files[0]!))));
    expect(r.truncated).toBe(false);
    expect(r.footer!.players.map((p) => p.name)).toEqual(['ann', 'ben']);
    expect(r.lastTick - r.firstTick).toBeGreaterThan(190);
    const [listed] = await g.game.replays!.list();
    expect(listed).toMatchObject({ players: 2, finished: true, live: false, size: statSync(join(dir, files[0]!)).size });
  });

  it('keeps the folder under its disk cap, deleting the oldest first', async () => {
    const dir = tempDir();
    const cap = 12_000;
    const g = memoryGame({ replayDir: dir, replayMaxBytes: cap });
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) {
      const c = g.connect();
      c.hello(`p${i}`);
      g.tick(90);
      c.conn.close(1000, 'bye');
      g.tick(1);
      await g.game.replays!.close();
      ids.push(...readdirSync(dir).filter((f) => !ids.includes(f)));
    }
    await g.game.replays!.close();
    const left = readdirSync(dir);
    const total = left.reduce((n, f) => n + statSync(join(dir, f)).size, 0);
    expect(total).toBeLessThanOrEqual(cap);
    expect(left.length).toBeGreaterThan(0);
    expect(left.length).toBeLessThan(12);
    // What is left is the newest files, in order.
    expect(left.sort()).toEqual(ids.slice(ids.length - left.length).sort());
  });
});
