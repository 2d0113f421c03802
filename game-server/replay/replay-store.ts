/**
 * The replay folder: a recording for every room (one file per match, named by its ID),
 * the disk cap (over it, the oldest files go first, a live one included if nothing else
 * is left), the listing behind GET /api/replays, and the one way from an ID to a file.
 *
 * An ID is checked against REPLAY_ID before it is joined to the folder, and the file it
 * names must be a regular file directly inside the folder (not a link): nothing outside
 * the folder is ever read or served.
 */
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { lstat, open, readdir, readFile, stat, unlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { TRAILER_BYTES, readReplay, readSummaryParts, trailerFooterBytes, IndexKind, ReplayError } from '../../protocol/replay/index.ts';
import type { Logger } from '../logger.ts';
import type { Room } from '../room.ts';
import { ReplayFile } from './replay-file.ts';

/** yyyymmdd-hhmmss-ROOM-N: the start (UTC), the room code, a per-folder sequence number. */
export const REPLAY_ID = /^[0-9]{8}-[0-9]{6}-[A-Z0-9]{4,8}-[0-9]{1,9}$/;
export const REPLAY_EXTENSION = '.dustup';
/** Files up to this size are listed from a full read; larger ones from the footer alone. */
const FULL_READ_BYTES = 256 * 1024;
/** The first bytes read for a header (a header record is a few dozen bytes). */
const HEAD_BYTES = 4096;

export interface ReplaySummary {
  id: string;
  room: string;
  map: string;
  /** ISO 8601, UTC. */
  start: string;
  startedAtMs: number;
  /** Match length, ms of server time recorded. */
  lengthMs: number;
  /** Everyone who played. */
  players: number;
  kills: number;
  /** File size, bytes. */
  size: number;
  /** Still being recorded. */
  live: boolean;
  /** Has its footer (false: still live, or cut short by a crash). */
  finished: boolean;
}

export interface ReplayStoreOptions {
  dir: string;
  /** Disk cap, bytes (0: none). */
  maxBytes: number;
  tickRate: number;
  snapshotRate: number;
  log: Logger;
  /** Wall clock, ms since 1970 (file names, headers). */
  wallClock?: () => number;
  /** Recorder flush interval, loop ms (default 1000). */
  flushMs?: number;
}

export class ReplayStore {
  readonly dir: string;
  private readonly live = new Map<string, { file: ReplayFile; room: Room }>();
  private readonly summaries = new Map<string, { size: number; mtimeMs: number; summary: ReplaySummary | null }>();
  private seq = 0;
  /** Bytes in the folder as last counted, plus what was appended since. */
  private estimate = 0;
  private capping: Promise<void> | null = null;
  private capAgain = false;
  private readonly wall: () => number;

  constructor(private readonly opts: ReplayStoreOptions) {
    this.dir = resolve(opts.dir);
    this.wall = opts.wallClock ?? Date.now;
    // Once at start-up, before any room: the folder, its size and the next sequence number.
    mkdirSync(this.dir, { recursive: true });
    for (const name of readdirSync(this.dir)) {
      const id = idOf(name);
      if (!id) continue;
      this.seq = Math.max(this.seq, Number(id.slice(id.lastIndexOf('-') + 1)));
      this.estimate += statSync(join(this.dir, name)).size;
    }
  }

  /** A new file for a new room's recording; `ended` once the room's recording is over. */
  open(room: Room): { file: ReplayFile; startedAtMs: number; ended: () => void } {
    const startedAtMs = this.wall();
    const id = `${stamp(startedAtMs)}-${room.code}-${++this.seq}`;
    const file = new ReplayFile(id, join(this.dir, id + REPLAY_EXTENSION), startedAtMs, this.opts.log, (f, n) => this.grew(f, n), this.wall);
    this.live.set(id, { file, room });
    const done = (): void => {
      this.live.delete(id);
    };
    return { file, startedAtMs, ended: () => void (file.done ?? file.settled()).then(done, done) };
  }

  get flushMs(): number | undefined {
    return this.opts.flushMs;
  }

  /** The file an ID names, if it is one of this folder's replays; null otherwise. */
  async resolve(id: string): Promise<{ path: string; size: number; mtimeMs: number } | null> {
    if (!REPLAY_ID.test(id)) return null;
    const path = join(this.dir, id + REPLAY_EXTENSION);
    try {
      const st = await lstat(path);
      if (!st.isFile()) return null;
      return { path, size: st.size, mtimeMs: st.mtimeMs };
    } catch {
      return null;
    }
  }

  /** Every replay in the folder, newest first; unreadable files are left out (and logged once). */
  async list(): Promise<ReplaySummary[]> {
    const names = await readdir(this.dir);
    const out: ReplaySummary[] = [];
    for (const name of names) {
      const id = idOf(name);
      if (!id) continue;
      const s = await this.summaryOf(id);
      if (s) out.push(s);
    }
    return out.sort((a, b) => b.startedAtMs - a.startedAtMs || (a.id < b.id ? 1 : -1));
  }

  /** Waits for every recording's writes (their footers included) to land. */
  async close(): Promise<void> {
    await Promise.all([...this.live.values()].map(({ file }) => file.done ?? file.settled()));
    while (this.capping) await this.capping;
  }

  private async summaryOf(id: string): Promise<ReplaySummary | null> {
    const found = await this.resolve(id);
    if (!found) return null;
    const live = this.live.get(id);
    if (live && !live.file.finished) {
      const { file, room } = live;
      return {
        id,
        room: room.code,
        map: room.map.id,
        start: new Date(file.startedAtMs).toISOString(),
        startedAtMs: file.startedAtMs,
        lengthMs: Math.max(0, this.wall() - file.startedAtMs),
        players: room.size,
        kills: 0,
        size: found.size,
        live: true,
        finished: false,
      };
    }
    const cached = this.summaries.get(id);
    if (cached && cached.size === found.size && cached.mtimeMs === found.mtimeMs) return cached.summary;
    let summary: ReplaySummary | null = null;
    try {
      summary = await this.readSummary(id, found.path, found.size);
    } catch (err) {
      if (!(err instanceof ReplayError)) throw err;
      this.opts.log.warn({ replay: id, err: err.message }, 'replay left out of the listing: unreadable');
    }
    this.summaries.set(id, { size: found.size, mtimeMs: found.mtimeMs, summary });
    return summary;
  }

  private async readSummary(id: string, path: string, size: number): Promise<ReplaySummary> {
    const base = { id, size, live: false };
    if (size > FULL_READ_BYTES) {
      const fh = await open(path, 'r');
      try {
        const tail = new Uint8Array(TRAILER_BYTES);
        await fh.read(tail, 0, TRAILER_BYTES, size - TRAILER_BYTES);
        const footerBytes = trailerFooterBytes(tail);
        if (footerBytes > 0 && footerBytes + TRAILER_BYTES < size) {
          const head = new Uint8Array(Math.min(HEAD_BYTES, size));
          await fh.read(head, 0, head.length, 0);
          const rec = new Uint8Array(footerBytes);
          await fh.read(rec, 0, footerBytes, size - TRAILER_BYTES - footerBytes);
          const { header, footer } = readSummaryParts(head, rec);
          return {
            ...base,
            room: header.room,
            map: header.mapId,
            start: new Date(header.startedAtMs).toISOString(),
            startedAtMs: header.startedAtMs,
            lengthMs: Math.max(0, footer.endedAtMs - header.startedAtMs),
            players: footer.players.length,
            kills: footer.index.filter((e) => e.kind === IndexKind.Kill).length,
            finished: true,
          };
        }
      } finally {
        await fh.close();
      }
    }
    // Small, or cut short by a crash (no footer): read it whole, as a viewer would. The
    // size is what was read: a file being finished may have grown since it was looked up.
    const bytes = new Uint8Array(await readFile(path));
    const r = readReplay(bytes);
    return {
      ...base,
      size: bytes.length,
      room: r.header.room,
      map: r.header.mapId,
      start: new Date(r.header.startedAtMs).toISOString(),
      startedAtMs: r.header.startedAtMs,
      lengthMs: r.lastTime - r.firstTime,
      players: r.names.size,
      kills: r.index.filter((e) => e.kind === IndexKind.Kill).length,
      finished: r.footer !== null,
    };
  }

  private grew(_file: ReplayFile, bytes: number): void {
    this.estimate += bytes;
    if (this.opts.maxBytes > 0 && this.estimate > this.opts.maxBytes) this.enforceCap();
  }

  /** One pass at a time; a request during a pass runs another pass after it. */
  private enforceCap(): void {
    if (this.capping) {
      this.capAgain = true;
      return;
    }
    this.capping = this.capPass()
      .catch((err: unknown) => this.opts.log.error({ err }, 'keeping the replay disk cap failed'))
      .finally(() => {
        this.capping = null;
        if (this.capAgain) {
          this.capAgain = false;
          if (this.estimate > this.opts.maxBytes) this.enforceCap();
        }
      });
  }

  /** Count the folder; delete oldest first until it is under the cap. */
  private async capPass(): Promise<void> {
    const files: { id: string; path: string; size: number }[] = [];
    let total = 0;
    for (const name of await readdir(this.dir)) {
      const id = idOf(name);
      if (!id) continue;
      const path = join(this.dir, name);
      const st = await stat(path).catch(() => null);
      if (!st) continue;
      // A live file's bytes still queued count as well: they will land.
      const size = Math.max(st.size, this.live.get(id)?.file.bytes ?? 0);
      files.push({ id, path, size });
      total += size;
    }
    // Live files not yet created on disk.
    for (const [id, { file }] of this.live) if (!files.some((f) => f.id === id)) total += file.bytes;
    files.sort((a, b) => (a.id.slice(0, 15) === b.id.slice(0, 15) ? seqOf(a.id) - seqOf(b.id) : a.id < b.id ? -1 : 1));
    for (const f of files) {
      if (total <= this.opts.maxBytes) break;
      const live = this.live.get(f.id);
      if (live) {
        this.live.delete(f.id);
        await live.file.drop();
      } else await unlink(f.path).catch(() => {});
      total -= f.size;
      this.summaries.delete(f.id);
      this.opts.log.info({ replay: f.id, bytes: f.size, live: live !== undefined }, 'replay deleted: over the disk cap');
    }
    this.estimate = total;
  }
}

function idOf(name: string): string | null {
  if (!name.endsWith(REPLAY_EXTENSION)) return null;
  const id = name.slice(0, -REPLAY_EXTENSION.length);
  return REPLAY_ID.test(id) ? id : null;
}

const seqOf = (id: string): number => Number(id.slice(id.lastIndexOf('-') + 1));

function stamp(ms: number): string {
  const d = new Date(ms);
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}-${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}`;
}
