/**
 * dustup-bots --seat through a two-node cluster on a real Redis: every bot asks node A
 * where to play and lands on whichever node hosts its room; rooms fill in turn on both
 * nodes, none over its capacity.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { BotsReport } from '../../../game-client/bots/report.ts';
import { clusterFixture } from './cluster-fixtures.ts';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const c = clusterFixture();

describe('bots through /api/seat', () => {
  it('40 bots asking node A fill rooms of 8 on both nodes, every bot connected, none over capacity', async () => {
    const a = await c.node({ nodeId: 'a', maxPlayers: 8 });
    const b = await c.node({ nodeId: 'b', maxPlayers: 8 });
    const dir = mkdtempSync(join(tmpdir(), 'dustup-seat-bots-'));
    const json = join(dir, 'report.json');
    let peak = { a: 0, b: 0, room: 0 };
    const watch = setInterval(() => {
      const rooms = [...a.game.directory.rooms.values(), ...b.game.directory.rooms.values()];
      peak = {
        a: Math.max(peak.a, a.game.playerCount),
        b: Math.max(peak.b, b.game.playerCount),
        room: Math.max(peak.room, ...rooms.map((r) => r.size)),
      };
    }, 20);
    const code = await new Promise<number>((resolve) => {
      const args = ['--import', 'tsx', join(root, 'game-client', 'bots', 'cli.ts'), '--url', `ws://127.0.0.1:${a.port}`, '--seat',
        '--bots', '40', '--ramp', '40/s', '--duration', '6', '--workers', '1', '--json', json];
      execFile(process.execPath, args, { cwd: root, timeout: 45_000 }, (err) => resolve(err ? Number(err.code ?? -1) : 0));
    });
    clearInterval(watch);
    const report = JSON.parse(readFileSync(json, 'utf8')) as BotsReport;
    rmSync(dir, { recursive: true, force: true });
    // Not the exit code: on a loaded machine the CLI may fail its snapshot-rate sanity
    // check, which says nothing about where the bots were seated.
    expect([0, 1], JSON.stringify(report.bots)).toContain(code);
    expect(report.bots.connected, JSON.stringify(report.bots)).toBe(40);
    expect(report.bots.failed).toBe(0);
    expect(report.rooms.count).toBe(5);
    expect(report.rooms.maxPlayers).toBeLessThanOrEqual(8);
    expect(peak.room).toBeLessThanOrEqual(8);
    // Both nodes hosted players: new rooms went to the node with more room to spare.
    expect(peak.a).toBeGreaterThan(0);
    expect(peak.b).toBeGreaterThan(0);
  }, 60_000);
});
