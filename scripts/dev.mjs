// `npm run dev`: the game server on DUSTUP_SERVER_PORT (default 8080) plus the vite dev
// server with hot reload, which proxies /ws and /assets to it. Ctrl-C stops both.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const port = process.env.DUSTUP_SERVER_PORT ?? '8080';

const server = spawn(
  process.execPath,
  ['--import', 'tsx', join(root, 'game-server', 'main.ts'), '--port', port, '--host', '127.0.0.1', ...process.argv.slice(2)],
  { cwd: root, stdio: 'inherit' },
);

const { createServer } = await import('vite');
const vite = await createServer({ configFile: join(root, 'game-client', 'vite.config.ts') });
await vite.listen();
console.log('\nDustup dev: open the vite URL below (hot reload); the game server runs on port', port);
vite.printUrls();

let stopping = false;
const stop = async (code) => {
  if (stopping) return;
  stopping = true;
  server.kill('SIGTERM');
  await vite.close();
  process.exit(code);
};
server.on('exit', (code) => {
  if (!stopping) {
    console.error(`game server exited (${code}); stopping the dev server`);
    void stop(code ?? 1);
  }
});
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));
