import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';

export interface LocalStackInfo {
  apiUrl: string;
  dynamoEndpoint: string;
  sqsEndpoint: string;
  tableName: string;
  offersQueueUrl: string;
  dlqUrl: string;
  pid: number;
}

export interface RunningStack {
  info: LocalStackInfo;
  child: ChildProcess;
  output: () => string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

const root = path.resolve(import.meta.dirname, '../..');

/**
 * JVM options for the DynamoDB Local (Java) of the stacks the tests start,
 * chosen for the 2 cores a test run has. Only speed changes: the same server,
 * the same jar, the same requests.
 *  - `shortLived`: a stack a test starts and stops within seconds (restarts,
 *    shutdown, outages, README). The client compiler only (C1) and the serial
 *    collector: Java's start takes 3.4 s of CPU instead of 7.3 s (C2's
 *    compiler threads and G1's collector threads left out), and a stack is
 *    ready in 6.2 s instead of 7.7 s.
 *  - `wholeRun`: the run's one shared stack (global-setup.ts), up for the
 *    whole run under the heaviest load. C2 pays back its compile time there
 *    (measured on hot-path-rounds, offers and hot-path-consistency run
 *    together: 177 s with C2, 210 s with C1); the serial collector still
 *    leaves the second core to the tests.
 */
export const JVM_OPTIONS = {
  shortLived: '-XX:TieredStopAtLevel=1 -XX:+UseSerialGC',
  wholeRun: '-XX:+UseSerialGC',
} as const;

/**
 * The environment that gives a spawned Java the options of `kind`
 * (JAVA_TOOL_OPTIONS). Options the user set there are theirs: kept as they are.
 */
export function testJvmEnv(
  kind: keyof typeof JVM_OPTIONS = 'shortLived',
  base: NodeJS.ProcessEnv = process.env,
): { JAVA_TOOL_OPTIONS: string } {
  const own = base.JAVA_TOOL_OPTIONS?.trim();
  if (own && !(Object.values(JVM_OPTIONS) as string[]).includes(own)) return { JAVA_TOOL_OPTIONS: own };
  return { JAVA_TOOL_OPTIONS: JVM_OPTIONS[kind] };
}

/**
 * Start `infra/local/main.ts` exactly as `npm start` does, on a free port and the given data dir. Its DynamoDB Local
 * runs with the `shortLived` JVM options unless `env` sets JAVA_TOOL_OPTIONS.
 */
export async function startLocalStack(dataDir: string, env: Record<string, string> = {}): Promise<RunningStack> {
  // Endpoints set for in-process test code must not leak into the child: it starts its own unless told.
  const inherited = { ...process.env };
  for (const k of ['DYNAMODB_ENDPOINT', 'SQS_ENDPOINT', 'TABLE_NAME', 'OFFERS_QUEUE_URL', 'DLQ_URL', 'LOCAL_MODE'])
    delete inherited[k];
  const child = spawn(process.execPath, ['--import', 'tsx', 'infra/local/main.ts'], {
    cwd: root,
    env: {
      ...inherited,
      ...testJvmEnv('shortLived', inherited),
      EXIT_WITH_PARENT: '1',
      PORT: '0',
      DATA_DIR: dataDir,
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`local stack not ready in 90 s:\n${out}`)), 90_000);
    const check = () => {
      if (/ready on http:\/\/127\.0\.0\.1:\d+/.test(out)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`local stack exited with ${code}:\n${out}`));
    });
  });
  const info = JSON.parse(await readFile(path.join(dataDir, 'local-stack.json'), 'utf8')) as LocalStackInfo;
  return {
    info,
    child,
    output: () => out,
    stop: (signal = 'SIGTERM') =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve(child.exitCode);
        child.once('exit', (code) => resolve(code));
        child.kill(signal);
      }),
  };
}
