import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 60_000,
    // Integration and browser tests assert rates and latencies against real servers,
    // bots and Chromium: on a 2-core machine they get the CPU to themselves, one file
    // at a time, rather than racing each other.
    fileParallelism: false,
    // Servers the tests start as processes (main.ts records by default) leave no replays/
    // behind; tests of recording pass their own temporary folder.
    env: { DUSTUP_NO_REPLAYS: '1' },
  },
});
