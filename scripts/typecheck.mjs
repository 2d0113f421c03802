#!/usr/bin/env node
/**
 * `npm run typecheck`: every part of the tree against its own tsconfig, so each part is
 * held to the runtime it runs on (protocol/ sees neither DOM nor Node, the client's
 * net/ no Node, the server no DOM). The list is the map in tsconfig.json's comment.
 * Runs as many compilers at once as there are cores; prints each part's errors together
 * and fails if any part fails.
 */
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const PROJECTS = [
  'protocol/tsconfig.json',
  'game-client/src/net/tsconfig.json',
  'game-client/src/tsconfig.json',
  'tsconfig.json',
  'bench/tsconfig.json',
  'tests/tsconfig.json',
];
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');

function check(project) {
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(process.execPath, [tsc, '--noEmit', '--pretty', 'false', '-p', project], { cwd: root });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('close', (code) => resolve({ project, ok: code === 0, out, seconds: (performance.now() - started) / 1000 }));
  });
}

const queue = [...PROJECTS];
const results = [];
const workers = Array.from({ length: Math.min(queue.length, availableParallelism()) }, async () => {
  for (let p = queue.shift(); p !== undefined; p = queue.shift()) {
    const r = await check(p);
    results.push(r);
    console.log(`${r.ok ? 'ok  ' : 'FAIL'} ${r.project} (${r.seconds.toFixed(1)} s)`);
    if (r.out.trim()) console.log(r.out.trimEnd());
  }
});
await Promise.all(workers);
process.exitCode = results.every((r) => r.ok) ? 0 : 1;
