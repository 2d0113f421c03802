import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The game server serves the built client, /assets and /ws on one port. In dev, vite
// serves the client and forwards the rest to a server started separately.
const server = `http://127.0.0.1:${process.env.DUSTUP_SERVER_PORT ?? 8080}`;

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  // Assets come from the server (/assets is the repo's assets/ dir), never copied in.
  publicDir: false,
  build: {
    outDir: fileURLToPath(new URL('./dist', import.meta.url)),
    emptyOutDir: true,
    // Not "assets": the server maps /assets/ to the repo's assets/ directory.
    assetsDir: 'static',
    target: 'es2022',
    // Phaser alone is over a megabyte; the warning would fire on every build.
    chunkSizeWarningLimit: 2500,
  },
  server: {
    proxy: {
      '/ws': { target: server, ws: true },
      '/assets': { target: server },
      // /api/seat: the client asks where to play before it opens the socket (issue 11).
      '/api': { target: server },
    },
  },
});
