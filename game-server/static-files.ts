/**
 * Static files for the game page and its assets. Paths are decoded once, normalized, and
 * must stay inside their root: "..", encoded or not, backslashes and NUL bytes are
 * refused. Directories are never listed.
 */
import { readFileSync, statSync } from 'node:fs';
import { extname, join, resolve, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.jpg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.wav': 'audio/wav',
  '.mp3': 'audio/mpeg',
  '.ogg': 'audio/ogg',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

export interface StaticFile {
  body: Buffer;
  contentType: string;
  cacheControl: string;
}

export type StaticResult = { status: 200; file: StaticFile } | { status: 400 | 404; message: string };

export class StaticRoot {
  private readonly root: string;
  private readonly cache = new Map<string, StaticFile>();

  /** immutable: files whose names carry a content hash may be cached for a year. */
  constructor(
    dir: string,
    private readonly cachePolicy: (relPath: string) => string,
  ) {
    this.root = resolve(dir);
  }

  /** relUrlPath: the URL path below this root's mount point, still percent-encoded. */
  lookup(relUrlPath: string): StaticResult {
    let decoded: string;
    try {
      decoded = decodeURIComponent(relUrlPath);
    } catch {
      return { status: 400, message: 'bad path encoding' };
    }
    // A "%" left after one decoding is a double-encoded path: nothing legitimate needs it.
    if (decoded.includes('\0') || decoded.includes('\\') || decoded.includes('%'))
      return { status: 400, message: 'bad path' };
    const parts = decoded.split('/').filter((p) => p !== '' && p !== '.');
    if (parts.some((p) => p === '..' || p.startsWith('.'))) return { status: 404, message: 'not found' };
    const rel = parts.join('/');
    const cached = this.cache.get(rel);
    if (cached) return { status: 200, file: cached };
    const full = join(this.root, ...parts);
    if (full !== this.root && !full.startsWith(this.root + sep)) return { status: 404, message: 'not found' };
    try {
      if (!statSync(full).isFile()) return { status: 404, message: 'not found' };
      const file: StaticFile = {
        body: readFileSync(full),
        contentType: TYPES[extname(full).toLowerCase()] ?? 'application/octet-stream',
        cacheControl: this.cachePolicy(rel),
      };
      this.cache.set(rel, file);
      return { status: 200, file };
    } catch {
      return { status: 404, message: 'not found' };
    }
  }
}
