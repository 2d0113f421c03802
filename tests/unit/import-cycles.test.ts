/**
 * No import cycles anywhere in the tree, type-only imports included: a cycle is two
 * files that cannot be understood (or split, or reused) one without the other.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const ROOTS = ['protocol', 'game-server', 'game-client', 'bench', 'tests', 'scripts'];
const SKIP = new Set(['node_modules', 'dist']);

function sources(dir: string, out: string[] = []): string[] {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    if (SKIP.has(name) || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) sources(p, out);
    else if (/\.(ts|mts)$/.test(name) && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** Relative imports (static, dynamic, `import type`, re-exports) in a file's text, as paths. */
function importsOf(file: string, text = readFileSync(file, 'utf8')): string[] {
  const info = ts.preProcessFile(text, true, true);
  const out: string[] = [];
  for (const { fileName } of info.importedFiles) {
    if (!fileName.startsWith('.')) continue;
    const p = resolve(dirname(file), fileName);
    for (const candidate of [p, `${p}.ts`, join(p, 'index.ts')]) {
      if (existsSync(candidate) && statSync(candidate).isFile()) {
        out.push(candidate);
        break;
      }
    }
  }
  return out;
}

function findCycles(graph: ReadonlyMap<string, string[]>): string[][] {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  const visit = (f: string): void => {
    state.set(f, 'open');
    stack.push(f);
    for (const g of graph.get(f) ?? []) {
      if (!graph.has(g)) continue;
      const s = state.get(g);
      if (s === 'open') cycles.push([...stack.slice(stack.indexOf(g)), g].map((p) => relative(root, p)));
      else if (s === undefined) visit(g);
    }
    stack.pop();
    state.set(f, 'done');
  };
  for (const f of graph.keys()) if (!state.has(f)) visit(f);
  return cycles;
}

describe('imports', () => {
  it('form no cycle anywhere in the tree', () => {
    const files = ROOTS.flatMap((r) => sources(join(root, r)));
    expect(files.length).toBeGreaterThan(50);
    const graph = new Map(files.map((f) => [f, importsOf(f)]));
    expect(findCycles(graph).map((c) => c.join(' -> '))).toEqual([]);
  });

  it('the check sees a cycle made by a type-only import, and nothing where there is none', () => {
    // The shape of the room <-> session circle this tree used to have.
    const dir = join(root, 'game-server');
    const room = join(dir, 'room.ts');
    const session = join(dir, 'net/session.ts');
    const channel = join(dir, 'net/client-channel.ts');
    const text = new Map([
      [room, "import type { Session } from './net/session.ts';\nimport { ClientChannel } from './net/client-channel.ts';"],
      [session, "import type { Player } from '../room.ts';"],
      [channel, "export { Limits } from '../../protocol/index.ts';"],
    ]);
    const graph = new Map([...text].map(([f, t]) => [f, importsOf(f, t)]));
    expect(findCycles(graph)).toEqual([['game-server/room.ts', 'game-server/net/session.ts', 'game-server/room.ts']]);
    text.set(session, "import type { ClientLink } from './client-channel.ts';");
    const fixed = new Map([...text].map(([f, t]) => [f, importsOf(f, t)]));
    expect(findCycles(fixed)).toEqual([]);
  });
});
