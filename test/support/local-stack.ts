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

/** Start `infra/local/main.ts` exactly as `npm start` does, on a free port and the given data dir. */
export async function startLocalStack(dataDir: string, env: Record<string, string> = {}): Promise<RunningStack> {
  // Endpoints set for in-process test code must not leak into the child: it starts its own unless told.
  const inherited = { ...process.env };
  for (const k of ['DYNAMODB_ENDPOINT', 'SQS_ENDPOINT', 'TABLE_NAME', 'OFFERS_QUEUE_URL', 'DLQ_URL', 'LOCAL_MODE'])
    delete inherited[k];
  const child = spawn(process.execPath, ['--import', 'tsx', 'infra/local/main.ts'], {
    cwd: root,
    env: {
      ...inherited,
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
