import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startLocalStack, testJvmEnv, type LocalStackInfo } from '../support/local-stack.js';

declare module 'vitest' {
  export interface ProvidedContext {
    stack: LocalStackInfo;
    dataDir: string;
  }
}

/** One local stack for the whole integration run: free ports, a temp data dir. */
export default async function setup(project: TestProject) {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'geo-offers-test-'));
  // Configuration cache off: tests change a campaign, store or partner and expect the next request to see it.
  // The staleness test turns it on for its own stack.
  // Up for the whole run: its Java keeps the optimising compiler (test/support/local-stack.ts).
  const stack = await startLocalStack(dataDir, {
    DYNAMODB_IN_MEMORY: '1',
    CONFIG_CACHE_TTL_S: '0',
    // No hourly retention sweep of the shared table: the sweep's own tests run it, on a table of their own.
    RETENTION_SWEEP_INTERVAL_MS: '0',
    ...testJvmEnv('wholeRun'),
  });
  project.provide('stack', stack.info);
  project.provide('dataDir', dataDir);
  return async () => {
    await stack.stop();
    await rm(dataDir, { recursive: true, force: true });
  };
}
