import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 60_000,
    // Timing assertions (snapshot rates) want the CPU to themselves more than speed.
    maxWorkers: 2,
  },
});
