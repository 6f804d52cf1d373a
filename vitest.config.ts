import { defineConfig } from 'vitest/config';
import SlowestFirst from './test/support/sequencer.js';

export default defineConfig({
  test: {
    // Two workers on two cores: the integration files spend much of their time waiting (delivery backoff, process starts).
    maxWorkers: 2,
    // The slowest files start first (test/support/sequencer.ts).
    sequence: { sequencer: SlowestFirst },
    projects: [
      {
        test: {
          name: 'static',
          include: ['test/static/**/*.test.ts'],
        },
      },
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          testTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'int',
          // The adversarial suite (fuzzing, the authorization matrix, abuse regressions) runs against the same stack.
          include: ['test/int/**/*.test.ts', 'test/adversarial/**/*.test.ts'],
          globalSetup: ['test/int/global-setup.ts'],
          setupFiles: ['test/int/env.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
