import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { StaticRoot } from '../../../game-server/static-files.ts';

function fixture(): string {
  const base = mkdtempSync(join(tmpdir(), 'dustup-static-'));
  mkdirSync(join(base, 'root', 'maps'), { recursive: true });
  writeFileSync(join(base, 'root', 'maps', 'a.json'), '{"ok":true}');
  writeFileSync(join(base, 'root', 'index.html'), '<!doctype html>');
  writeFileSync(join(base, 'secret.txt'), 'do not serve');
  return base;
}

describe('StaticRoot', () => {
  it('serves files with their content type and cache policy', () => {
    const root = new StaticRoot(join(fixture(), 'root'), (rel) => (rel === 'index.html' ? 'no-cache' : 'public'));
    const r = root.lookup('maps/a.json');
    expect(r.status).toBe(200);
    if (r.status !== 200) return;
    expect(r.file.contentType).toBe('application/json; charset=utf-8');
    expect(r.file.body.toString()).toBe('{"ok":true}');
    const html = root.lookup('index.html');
    expect(html.status === 200 && html.file.contentType).toBe('text/html; charset=utf-8');
    expect(html.status === 200 && html.file.cacheControl).toBe('no-cache');
  });

  it.each([
    '../secret.txt',
    'maps/../../secret.txt',
    '%2e%2e/secret.txt',
    '%2E%2E%2Fsecret.txt',
    '%252e%252e%252fsecret.txt',
    '..%5csecret.txt',
    'maps/%00a.json',
    '.hidden',
  ])('refuses the traversal attempt %s', (path) => {
    const root = new StaticRoot(join(fixture(), 'root'), () => 'public');
    const r = root.lookup(path);
    expect(r.status).not.toBe(200);
  });

  it('never lists a directory', () => {
    const root = new StaticRoot(join(fixture(), 'root'), () => 'public');
    expect(root.lookup('maps').status).toBe(404);
    expect(root.lookup('maps/').status).toBe(404);
  });
});
