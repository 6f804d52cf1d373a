import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { testJvmEnv } from './local-stack.js';

const root = path.resolve(import.meta.dirname, '../..');

export interface NpmStart {
  child: ChildProcess;
  /** The npm process, also the id of the process group everything it starts runs in. */
  pid: number;
  apiUrl: string;
  output: () => string;
  /** Resolves with how npm ended, once it has. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILL whatever is left of the process group (cleanup after a failed test). */
  killGroup(): void;
}

/**
 * `npm start` as a user or a process supervisor runs it: the npm process
 * itself, in its own process group, with PORT and DATA_DIR set. Resolves
 * once it logged its ready line.
 */
export async function startNpm(opts: { port: number; dataDir: string; env?: Record<string, string> }): Promise<NpmStart> {
  // Endpoints set for in-process test code must not leak into the child: it starts its own stack.
  const inherited = { ...process.env };
  for (const k of [
    'DYNAMODB_ENDPOINT',
    'SQS_ENDPOINT',
    'TABLE_NAME',
    'OFFERS_QUEUE_URL',
    'DLQ_URL',
    'LOCAL_MODE',
    'EXIT_WITH_PARENT',
  ])
    delete inherited[k];
  const child = spawn('npm', ['start'], {
    cwd: root,
    // DynamoDB Local's JVM gets the short-lived stacks' options (local-stack.ts): faster to start, the same server.
    env: { ...inherited, ...testJvmEnv('shortLived', inherited), PORT: String(opts.port), DATA_DIR: opts.dataDir, ...opts.env },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const pid = child.pid!;
  const killGroup = () => {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      /* nothing left */
    }
  };
  const apiUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      killGroup();
      reject(new Error(`npm start not ready in 90 s:\n${out}`));
    }, 90_000);
    const check = () => {
      const m = /ready on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout!.on('data', check);
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`npm start exited (${code ?? signal}) before it was ready:\n${out}`));
    });
  });
  return { child, pid, apiUrl, output: () => out, exited, killGroup };
}

export interface Proc {
  pid: number;
  pgid: number;
  args: string;
}

/** Live processes (zombies left out) of a process group, or whose command line contains `text`. */
export function liveProcesses(match: { pgid?: number; text?: string }): Proc[] {
  const out = execFileSync('ps', ['-ww', '-eo', 'pid=,pgid=,stat=,args='], { encoding: 'utf8' });
  return out
    .split('\n')
    .map((l) => /^\s*(\d+)\s+(\d+)\s+(\S+)\s+(.*)$/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null && !m[3].startsWith('Z') && !m[4].startsWith('ps -ww'))
    .map((m) => ({ pid: Number(m[1]), pgid: Number(m[2]), args: m[4] }))
    .filter(
      (p) => (match.pgid !== undefined && p.pgid === match.pgid) || (match.text !== undefined && p.args.includes(match.text)),
    );
}
