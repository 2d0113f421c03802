// `npm start`: build the client if it is missing or older than its sources, then run
// the server (TypeScript via tsx, in this process). Arguments pass through to the server.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'dist') continue;
    const p = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

const args = process.argv.slice(2);
const wantsHelp = args.includes('--help') || args.includes('-h');
const builtIndex = join(root, 'game-client', 'dist', 'index.html');
const sourcesChanged =
  !existsSync(builtIndex) ||
  Math.max(newestMtime(join(root, 'game-client')), newestMtime(join(root, 'protocol'))) > statSync(builtIndex).mtimeMs;

if (!wantsHelp && sourcesChanged && !args.includes('--client-dir')) {
  console.log('Building the game client (vite)...');
  const { build } = await import('vite');
  await build({ configFile: join(root, 'game-client', 'vite.config.ts'), logLevel: 'warn' });
  console.log('Client built.');
}

const { register } = await import('tsx/esm/api');
register();
await import(pathToFileURL(join(root, 'game-server', 'main.ts')).href);
