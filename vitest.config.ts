import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Each test file gets its own process: the embedded host installs the Functions worker's core module,
    // which @azure/functions caches once per process.
    pool: 'forks',
    // Vitest's default is one fork fewer than the cores: one on a 2-core machine. Most of a test's time here is
    // waiting (HTTP, timers, retry back-off), so two forks run the suite in about half the time there.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: process.env.CI ? ['default', 'json'] : ['default'],
    outputFile: { json: 'test-results/vitest.json' },
  },
});
