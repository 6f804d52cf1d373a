import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, it } from 'vitest';
import { freePort } from '../../infra/local/stack.js';
import { liveProcesses, startNpm } from '../support/npm-start.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function refused(url: string): Promise<boolean> {
  try {
    await fetch(url, { signal: AbortSignal.timeout(2000) });
    return false;
  } catch (err) {
    return (err as { cause?: { code?: string } }).cause?.code === 'ECONNREFUSED';
  }
}

/** Polls until `check` holds or `deadline` (ms since the epoch) passes. */
async function until(deadline: number, check: () => boolean): Promise<void> {
  while (!check() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
}

// The three stacks run side by side (own ports and data dirs): the signals are what is tested, not the start.
describe.concurrent('stopping npm start', () => {
  // SIGKILL cannot be caught: the stack notices that npm is gone and stops itself.
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGKILL'] as const) {
    it(`stops the gateway, the SQS server and DynamoDB Local within 5 s of a ${signal} sent to the npm process alone`, async ({
      expect,
      onTestFinished,
    }) => {
      const dataDir = await mkdtemp(path.join(os.tmpdir(), 'geo-offers-stop-'));
      dirs.push(dataDir);
      const npm = await startNpm({ port: await freePort(), dataDir });
      onTestFinished(() => npm.killGroup());
      const stack = JSON.parse(await readFile(path.join(dataDir, 'local-stack.json'), 'utf8')) as {
        sqsEndpoint: string;
        dynamoEndpoint: string;
      };
      expect((await fetch(`${npm.apiUrl}/health`)).status).toBe(200);
      const started = liveProcesses({ pgid: npm.pid });
      expect(
        started.some((p) => p.args.includes('java') && p.args.includes(dataDir)),
        JSON.stringify(started),
      ).toBe(true);
      expect(started.some((p) => p.args.includes('infra/local/main.ts'))).toBe(true);

      const sent = Date.now();
      process.kill(npm.pid, signal);
      const deadline = sent + 5000;
      const ended = await Promise.race([npm.exited, new Promise<undefined>((r) => setTimeout(() => r(undefined), 5000))]);
      expect(ended, 'npm exited').toBeDefined();
      if (signal !== 'SIGKILL') expect(ended).toEqual({ code: 0, signal: null });
      const remaining = () => [...liveProcesses({ pgid: npm.pid }), ...liveProcesses({ text: dataDir })];
      await until(deadline, () => remaining().length === 0);
      expect(remaining()).toEqual([]);
      expect(Date.now() - sent).toBeLessThan(5000);
      for (const url of [`${npm.apiUrl}/health`, stack.sqsEndpoint, stack.dynamoEndpoint])
        expect({ url, refused: await refused(url) }).toEqual({ url, refused: true });
    }, 150_000);
  }
});
