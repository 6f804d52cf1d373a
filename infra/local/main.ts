/**
 * `npm start`: the API on this machine, on its embedded AWS stack.
 *
 *   PORT               HTTP port on 127.0.0.1 (default 3000; 0 = any free port)
 *   DATA_DIR           where DynamoDB Local keeps its data (default .data/)
 *   DYNAMODB_ENDPOINT  use this DynamoDB-compatible server instead of starting one
 *   SQS_ENDPOINT       use this SQS-compatible server instead of starting one
 *   RETENTION_SWEEP_INTERVAL_MS  how often the retention sweep runs (default hourly, the first run about a
 *                      minute after start; 0 = never). AWS runs it daily.
 *
 * SIGINT (Ctrl-C), SIGTERM and SIGHUP stop everything it started, DynamoDB
 * Local's Java process included, within STOP_DEADLINE_MS.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { scheduledEvent, startSchedule, sweepIntervalFrom } from './schedule.js';
import { functionEnvironment, startBackends, readOperatorKeyFile, writeOperatorKeyFile } from './stack.js';

const port = Number(process.env.PORT ?? 3000);
const dataDir = path.resolve(process.env.DATA_DIR ?? '.data');
const tableName = process.env.TABLE_NAME ?? 'geo-offers';

/** Stopping takes at most this long; past it the Java child is killed and the process exits anyway. */
const STOP_DEADLINE_MS = 4000;

/** What has started so far, stopped in reverse order. */
const cleanups: { name: string; run: () => Promise<void> }[] = [];
let stopping = false;

async function stop(reason: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  process.stdout.write(`stopping (${reason})\n`);
  // An in-flight delivery to a slow webhook must not hold the shutdown: past the
  // deadline, exit; the 'exit' hook of the stack SIGKILLs DynamoDB Local.
  setTimeout(() => {
    process.stderr.write(`stop took over ${STOP_DEADLINE_MS} ms; exiting anyway\n`);
    process.exit(1);
  }, STOP_DEADLINE_MS).unref();
  for (const c of cleanups.splice(0).reverse()) {
    await c.run().catch((err) => process.stderr.write(`stopping ${c.name} failed: ${(err as Error).message}\n`));
  }
  process.exit(0);
}

/** The parent of `pid`, read once: /proc on Linux, `ps` elsewhere. */
function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) || undefined;
  } catch {
    try {
      return Number(execFileSync('ps', ['-o', 'ppid=', '-p', String(pid)], { encoding: 'utf8' }).trim()) || undefined;
    } catch {
      return undefined;
    }
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Processes whose exit means nobody is left to stop us. `npm start` runs
 * `exec tsx infra/local/main.ts`, tsx runs this file in a child node and
 * relays SIGINT/SIGTERM to it, and npm forwards them to tsx: without `exec`
 * npm would forward them to a `sh -c` that dies of SIGTERM, or waits on
 * SIGINT, without passing them on. Under an npm script we also watch our
 * parent's parent (npm, or such a shell), so that a killed npm (SIGKILL)
 * does not leave the stack running. Test runs (EXIT_WITH_PARENT=1) watch the
 * process that spawned them.
 */
function launchers(): number[] {
  const watched: number[] = [];
  if (process.env.EXIT_WITH_PARENT === '1') watched.push(process.ppid);
  if (process.env.npm_lifecycle_event) {
    const launcher = parentOf(process.ppid);
    if (launcher) watched.push(launcher);
  }
  return watched.filter((pid) => pid > 1);
}

function watchLaunchers() {
  const watched = launchers();
  if (!watched.length) return;
  const parent = process.ppid;
  setInterval(() => {
    const gone = process.ppid !== parent || watched.some((pid) => !isAlive(pid));
    if (gone) void stop('launcher exited');
  }, 250).unref();
}

async function main() {
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void stop(signal));
  watchLaunchers();
  const sweepIntervalMs = sweepIntervalFrom(process.env.RETENTION_SWEEP_INTERVAL_MS);

  await mkdir(dataDir, { recursive: true });
  const backends = await startBackends({ dataDir, tableName });
  cleanups.push({ name: 'DynamoDB Local and SQS', run: () => backends.stop() });
  if (stopping) return; // a signal came while the backends started: stop() takes it from here

  // The handlers read their configuration from the environment, as on AWS.
  Object.assign(process.env, functionEnvironment(backends, dataDir));

  const { loadFunctions } = await import('./functions.js');
  const { createGateway, lambdaContext } = await import('./gateway.js');
  const { startPoller } = await import('./poller.js');
  const { startStreamPoller } = await import('./streams.js');
  const { ensureOperatorKey } = await import('./operator.js');
  const { getSqs } = await import('../../shared/platform/clients.js');
  const { RETENTION_SWEEP_TIMEOUT_SECONDS } = await import('../aws/functions.js');

  const operator = await ensureOperatorKey(await readOperatorKeyFile(dataDir));
  if (operator.created) {
    const file = await writeOperatorKeyFile(dataDir, operator.key);
    process.stdout.write(`operator key: ${operator.key}\n(saved to ${file}, mode 0600)\n`);
  }

  const fns = await loadFunctions();
  if (stopping) return;
  const server = createGateway({ handlers: fns.http });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const poller = startPoller(getSqs(), backends.offersQueueUrl, backends.offersQueueArn, fns.deliver);
  cleanups.push({ name: 'delivery poller', run: () => poller.stop() });
  const outbox = startStreamPoller({ endpoint: backends.dynamoEndpoint, streamArn: backends.streamArn, handler: fns.stream });
  cleanups.push({ name: 'stream poller', run: () => outbox.stop() });
  // The stand-in for the daily EventBridge schedule of `retention`: a failed run is one line on stderr, never a crash.
  if (sweepIntervalMs !== undefined) {
    const sweep = startSchedule({
      name: 'retention sweep',
      intervalMs: sweepIntervalMs,
      run: () =>
        fns.retention(
          scheduledEvent('retention-sweep'),
          lambdaContext('retention', `schedule-${Date.now()}`, RETENTION_SWEEP_TIMEOUT_SECONDS * 1000),
        ),
    });
    cleanups.push({ name: 'retention sweep', run: () => sweep.stop() });
  }
  cleanups.push({
    name: 'HTTP server',
    run: async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  });
  if (stopping) return;
  const actualPort = (server.address() as AddressInfo).port;

  await writeFile(
    path.join(dataDir, 'local-stack.json'),
    JSON.stringify(
      {
        apiUrl: `http://127.0.0.1:${actualPort}`,
        dynamoEndpoint: backends.dynamoEndpoint,
        sqsEndpoint: backends.sqsEndpoint,
        tableName: backends.tableName,
        offersQueueUrl: backends.offersQueueUrl,
        dlqUrl: backends.dlqUrl,
        pid: process.pid,
      },
      null,
      2,
    ),
  );
  process.stdout.write(`ready on http://127.0.0.1:${actualPort}\n`);
}

main().catch(async (err) => {
  process.stderr.write(`local stack failed to start: ${(err as Error).message}\n`);
  for (const c of cleanups.splice(0).reverse()) await c.run().catch(() => undefined);
  process.exit(1);
});
