/**
 * Replays over HTTP against the real server: a match two real clients play is listed by
 * GET /api/replays once it ends and served whole by GET /replays/ID, readable by the
 * reader; nothing but a replay in the folder is ever served, whatever the path says.
 */
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ClientKind } from '../../protocol/index.ts';
import { IndexKind, readReplay } from '../../protocol/replay/index.ts';
import type { ReplaySummary } from '../../game-server/replay/replay-store.ts';
import { perTestServer, waitFor } from './harness.ts';

const fx = perTestServer();
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const tempDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'dustup-replays-'));
  dirs.push(d);
  return d;
};

/** A raw GET: the path goes out exactly as written (fetch would normalize "..").*/
function get(port: number, path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function listing(port: number): Promise<{ enabled: boolean; replays: ReplaySummary[] }> {
  const r = await get(port, '/api/replays');
  expect(r.status).toBe(200);
  return JSON.parse(r.body.toString('utf8')) as { enabled: boolean; replays: ReplaySummary[] };
}

/** Two players meet, chat and leave: one finished replay in `dir`. */
async function playShortMatch(dir: string): Promise<{ port: number; replay: ReplaySummary }> {
  const server = await fx.start({ replayDir: dir, mapId: 'duel' });
  const a = fx.client();
  const b = fx.client();
  await a.join('alice');
  await b.join('bob');
  await waitFor(() => a.snapshots().length > 10 && b.snapshots().length > 10, 'snapshots');
  a.send({ kind: ClientKind.Chat, text: 'gg' });
  await waitFor(() => b.messages.some((m) => m.kind === 16 && m.events.some((e) => e.type === 7)), 'the chat line');
  a.close();
  b.close();
  let found: ReplaySummary | null = null;
  const deadline = Date.now() + 5000;
  while (!found && Date.now() < deadline) {
    const l = await listing(server.port);
    found = l.replays.find((r) => r.finished) ?? null;
    if (!found) await new Promise((r) => setTimeout(r, 20));
  }
  if (!found) throw new Error('the replay was never listed as finished');
  return { port: server.port, replay: found };
}

describe('GET /api/replays and /replays/ID', () => {
  it('lists a finished match with its room, map, start, length, players and size, and serves it whole', async () => {
    const dir = tempDir();
    const { port, replay } = await playShortMatch(dir);
    expect(replay).toMatchObject({ map: 'duel', players: 2, live: false, finished: true });
    expect(replay.room).toMatch(/^[A-Z0-9]{4,8}$/);
    expect(Date.parse(replay.start)).toBeGreaterThan(Date.now() - 60_000);
    expect(replay.lengthMs).toBeGreaterThan(0);
    const onDisk = readFileSync(join(dir, `${replay.id}.dustup`));
    expect(replay.size).toBe(onDisk.length);

    const r = await get(port, `/replays/${replay.id}`);
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('application/octet-stream');
    expect(Number(r.headers['content-length'])).toBe(onDisk.length);
    expect(r.headers['cache-control']).toContain('immutable');
    expect(r.body.equals(onDisk)).toBe(true);
    const read = readReplay(new Uint8Array(r.body));
    expect(read.truncated).toBe(false);
    expect(read.footer?.players.map((p) => p.name).sort()).toEqual(['alice', 'bob']);
    expect(read.index.some((e) => e.kind === IndexKind.Chat)).toBe(true);
    // The footer's index (which a finished file is read with) is what the frames say.
    const footerBytes = r.body.readUInt32BE(r.body.length - 8);
    const derived = readReplay(new Uint8Array(r.body.subarray(0, r.body.length - 8 - footerBytes)));
    expect(derived.footer).toBeNull();
    expect(derived.index.length).toBeGreaterThan(2);
    expect(read.index).toEqual(derived.index);
    expect([...read.names]).toEqual([...derived.names]);

    const again = await get(port, `/replays/${replay.id}`, { 'if-none-match': String(r.headers.etag) });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
  });

  it('serves nothing outside the folder: traversal, bad ids, links and unknown ids are 400 or 404', async () => {
    const dir = tempDir();
    const { port, replay } = await playShortMatch(dir);
    // A link inside the folder, named like a replay, pointing at a file outside it.
    const outside = join(tempDir(), 'secret.txt');
    writeFileSync(outside, 'secret');
    symlinkSync(outside, join(dir, '20200101-000000-LINK-1.dustup'));
    for (const path of [
      '/replays/../package.json',
      '/replays/..%2F..%2Fpackage.json',
      '/replays/%2e%2e%2fpackage.json',
      `/replays/${replay.id}.dustup`,
      `/replays/${replay.id}%00`,
      `/replays/${replay.id.toLowerCase()}`,
      '/replays/20200101-000000-LINK-1',
      '/replays/20200101-000000-NONE-1',
      '/replays/',
      '/replays/' + 'A'.repeat(500),
    ]) {
      const r = await get(port, path);
      expect([400, 404], path).toContain(r.status);
      expect(r.body.toString()).not.toContain('secret');
      expect(r.body.toString()).not.toContain('"name"');
    }
    expect((await listing(port)).replays.map((r) => r.id)).toEqual([replay.id]);
  });

  it('leaves corrupt and wrong-version files out of the listing, and lists a cut-short one as unfinished', async () => {
    const dir = tempDir();
    const { port, replay } = await playShortMatch(dir);
    const good = readFileSync(join(dir, `${replay.id}.dustup`));
    const wrongVersion = Buffer.from(good);
    wrongVersion.writeUInt16BE(99, 10);
    writeFileSync(join(dir, '20200101-000000-VERS-1.dustup'), wrongVersion);
    const corrupt = Buffer.from(good);
    corrupt[40] = corrupt[40]! ^ 0xff;
    writeFileSync(join(dir, '20200101-000000-CRPT-1.dustup'), corrupt);
    // A crash: the file stops part-way through a record, no footer.
    writeFileSync(join(dir, '20200101-000000-CRSH-1.dustup'), good.subarray(0, good.length - 40));
    const ids = (await listing(port)).replays.map((r) => [r.id, r.finished]);
    expect(ids).toContainEqual([replay.id, true]);
    expect(ids).toContainEqual(['20200101-000000-CRSH-1', false]);
    expect(ids.map((x) => x[0])).not.toContain('20200101-000000-VERS-1');
    expect(ids.map((x) => x[0])).not.toContain('20200101-000000-CRPT-1');
    // Served as they are: the viewer's reader is what refuses them, with its reason.
    expect((await get(port, '/replays/20200101-000000-VERS-1')).status).toBe(200);
  });

  it('records nothing with replays off', async () => {
    const server = await fx.start({ replayDir: null });
    const a = fx.client();
    await a.join('solo');
    expect(await listing(server.port)).toEqual({ enabled: false, replays: [] });
    expect((await get(server.port, '/replays/20200101-000000-ABCD-1')).status).toBe(404);
    expect(server.game.replays).toBeNull();
  });
});
