import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../infra/local/stack.js';
import { AUDIENCE_EXAMPLES } from '../support/audience-examples.js';
import { startNpm, type NpmStart } from '../support/npm-start.js';

/**
 * README.md, tried as a new user would: its ```bash blocks, taken from the
 * file itself, run in order in ONE bash session (variables carry over from
 * block to block) against a fresh `npm start` with its own PORT and
 * DATA_DIR. Each is checked by the `<!-- expect ... -->` comment that follows
 * it: one JavaScript condition per line over `http` (the statuses of the
 * block's curl calls, space separated), `json` (the JSON documents it
 * printed, in order), `out` (what it printed), `all` (what the session
 * printed so far) and `vars` (the session's variables). ```sh blocks
 * (installing, `npm start` itself, deploying) are not run.
 */

const root = path.resolve(import.meta.dirname, '../..');
const readme = readFileSync(path.join(root, 'README.md'), 'utf8');

interface Block {
  /** The bold lead-in or heading the block sits under, to name its test. */
  title: string;
  lang: string;
  code: string;
  /** The conditions of its `<!-- expect -->` comment, if any. */
  expect?: string[];
  line: number;
}

function readmeBlocks(text: string): Block[] {
  const lines = text.split('\n');
  const blocks: Block[] = [];
  let title = '';
  for (let i = 0; i < lines.length; i++) {
    // A block is named by the paragraph or heading before it: its bold lead-in, or its first sentence.
    const heading = /^#{1,6}\s+(.*)$/.exec(lines[i]);
    if (heading) title = heading[1];
    else if (/^[A-Za-z*`]/.test(lines[i]) && !lines[i].startsWith('```') && !lines[i - 1]?.trim()) {
      const lead = /^\*\*(.+?)\*\*/.exec(lines[i]);
      title = (lead ? lead[1] : /^[^.:]*/.exec(lines[i])![0]).replace(/[.:]$/, '');
    }
    const fence = /^```(\w*)\s*$/.exec(lines[i]);
    if (!fence) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i]); i++) body.push(lines[i]);
    const block: Block = { title, lang: fence[1], code: `${body.join('\n')}\n`, line: start + 1 };
    let j = i + 1;
    while (j < lines.length && lines[j].trim() === '') j++;
    if (/^<!--\s*expect\b/.test(lines[j] ?? '')) {
      const conditions: string[] = [];
      for (j++; j < lines.length && !/^-->/.test(lines[j].trim()); j++) if (lines[j].trim()) conditions.push(lines[j].trim());
      block.expect = conditions;
      i = j;
    }
    blocks.push(block);
  }
  return blocks;
}

const blocks = readmeBlocks(readme);
const runnable = blocks.filter((b) => b.lang === 'bash');
/** Every upper-case shell variable a runnable block assigns, plus what the session starts with. */
const varNames = [
  ...new Set([
    'PORT',
    'DATA_DIR',
    'HOOK_PORT',
    ...runnable.flatMap((b) => [...b.code.matchAll(/(?:^|[\s;(])([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1])),
  ]),
];

interface Answer {
  http: string;
  json: unknown[];
  out: string;
  vars: Record<string, string>;
}

/** One bash session for every block: stdout and stderr in one stream, curl's statuses marked on stderr. */
class BashSession {
  private child: ChildProcess;
  private text = '';
  private n = 0;
  constructor(
    private dir: string,
    env: Record<string, string>,
  ) {
    this.child = spawn('bash', ['--noprofile', '--norc'], { cwd: root, env, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout!.on('data', (d: Buffer) => (this.text += d.toString()));
    this.child.stderr!.on('data', (d: Buffer) => (this.text += d.toString()));
    this.child.stdin!.write(`exec 2>&1\ncurl() { command curl -w '%{stderr}@@http %{http_code}@@\\n' "$@"; }\n`);
  }

  /** Everything printed so far, without the session's own markers. */
  all(): string {
    return this.text.replace(/@@http \d{3}@@\n/g, '').replace(/^@@(done|var) .*\n/gm, '');
  }

  async run(code: string, timeoutMs: number): Promise<Answer> {
    const n = ++this.n;
    const file = path.join(this.dir, `block-${n}.sh`);
    await writeFile(file, code);
    const from = this.text.length;
    const done = `@@done ${n}@@`;
    // The block reads /dev/null, not the session's command stream.
    const dump = varNames.map((v) => `printf '@@var %s=%s\\n' ${v} "$${v}"`).join('; ');
    this.child.stdin!.write(`source ${JSON.stringify(file)} < /dev/null\necho; ${dump}; echo '${done}'\n`);
    const deadline = Date.now() + timeoutMs;
    while (!this.text.includes(done, from)) {
      if (this.child.exitCode !== null)
        throw new Error(`the bash session exited (${this.child.exitCode}):\n${this.text.slice(from)}`);
      if (Date.now() > deadline) throw new Error(`no answer in ${timeoutMs} ms:\n${this.text.slice(from)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const raw = this.text.slice(from, this.text.indexOf(done, from));
    const vars: Record<string, string> = {};
    for (const m of raw.matchAll(/^@@var ([A-Z0-9_]+)=(.*)$/gm)) vars[m[1]] = m[2];
    const http = [...raw.matchAll(/@@http (\d{3})@@/g)].map((m) => m[1]).join(' ');
    const out = raw
      .replace(/^@@var .*\n/gm, '')
      .replace(/@@http \d{3}@@\n/g, '\n')
      .trim();
    const json: unknown[] = [];
    for (const line of out.split('\n').map((l) => l.trim())) {
      if (!/^[{[]/.test(line)) continue;
      try {
        json.push(JSON.parse(line));
      } catch {
        /* not a JSON document */
      }
    }
    return { http, json, out, vars };
  }

  stop() {
    try {
      process.kill(-this.child.pid!, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
}

function failedConditions(conditions: string[], scope: Answer & { all: string }): string[] {
  return conditions.flatMap((c) => {
    try {
      const ok = new Function('http', 'json', 'out', 'all', 'vars', `return (${c});`)(
        scope.http,
        scope.json,
        scope.out,
        scope.all,
        scope.vars,
      );
      return ok === true ? [] : [`${c}  →  ${JSON.stringify(ok)}`];
    } catch (err) {
      return [`${c}  →  threw ${(err as Error).message}`];
    }
  });
}

describe('README.md', () => {
  it('has a checked answer after every runnable example, and no check without one', () => {
    expect(runnable.length).toBeGreaterThanOrEqual(10);
    expect(runnable.filter((b) => !b.expect?.length).map((b) => `line ${b.line}: ${b.title}`)).toEqual([]);
    expect(blocks.filter((b) => b.lang !== 'bash' && b.expect).map((b) => `line ${b.line}: ${b.title}`)).toEqual([]);
    // A check no block claimed (e.g. a typo in the fence) would silently never run.
    const claimed = blocks.filter((b) => b.expect).length;
    expect(readme.match(/^<!--\s*expect\b/gm)?.length).toBe(claimed);
    // Shell examples are bash or sh fences, never a language the test would not see.
    expect(blocks.filter((b) => /^(shell|console|zsh)$/.test(b.lang)).map((b) => b.line)).toEqual([]);
  });

  it('needs nothing but bash, curl and node in its examples (no jq)', () => {
    expect(runnable.filter((b) => /\bjq\b/.test(b.code)).map((b) => `line ${b.line}`)).toEqual([]);
  });

  it('shows the nine audience kinds exactly as the shared, end-to-end tested examples', () => {
    const section = readme.slice(readme.indexOf('## The nine audience kinds'));
    const rows = [...section.matchAll(/^\| ([^|`]+?) *\| `(\{.*?\})`/gm)].map((m) => ({
      kind: m[1],
      audience: JSON.parse(m[2]),
    }));
    expect(rows.map((r) => r.kind)).toEqual([
      'location',
      'relationship',
      'job title',
      'industry',
      'company size',
      'customer needs',
      'brand loyalty',
      'win-back of lapsed customers',
      'price sensitivity',
    ]);
    expect(rows.map((r) => r.audience)).toEqual(AUDIENCE_EXAMPLES.map((e) => e.audience));
    expect(rows.map((r, i) => r.kind.startsWith(AUDIENCE_EXAMPLES[i].kind))).toEqual(rows.map(() => true));
  });

  it('lists exactly the npm scripts of package.json in its Commands table', () => {
    const scripts = Object.keys(
      JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).scripts as Record<string, string>,
    );
    const section = readme.slice(readme.indexOf('## Commands'), readme.indexOf('\n## ', readme.indexOf('## Commands') + 1));
    const listed = [...section.matchAll(/^\| `npm (?:run )?([\w:-]+)/gm)].map((m) => m[1]);
    expect([...listed].sort()).toEqual([...scripts].sort());
  });
});

describe('README.md examples, pasted in order into one bash session against a fresh npm start', () => {
  let dir: string;
  let npm: NpmStart | undefined;
  let bash: BashSession;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'geo-offers-readme-'));
    const dataDir = path.join(dir, 'data');
    const port = await freePort();
    npm = await startNpm({ port, dataDir });
    // What a user's shell has: their PATH and HOME, and the PORT/DATA_DIR they gave npm start.
    bash = new BashSession(dir, {
      PATH: `${path.dirname(process.execPath)}:${process.env.PATH ?? '/usr/bin:/bin'}`,
      HOME: process.env.HOME ?? dir,
      LANG: 'C.UTF-8',
      PORT: String(port),
      DATA_DIR: dataDir,
      HOOK_PORT: String(await freePort()),
    });
  }, 150_000);

  afterAll(async () => {
    bash?.stop();
    if (npm) {
      process.kill(npm.pid, 'SIGTERM');
      await Promise.race([npm.exited, new Promise((r) => setTimeout(r, 10_000))]);
      npm.killGroup();
    }
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  for (const [i, block] of runnable.entries()) {
    it(`answers as the README says: ${i + 1}. ${block.title} (line ${block.line})`, async () => {
      const answer = await bash.run(block.code, 50_000);
      const failed = failedConditions(block.expect ?? [], { ...answer, all: bash.all() });
      expect(failed, `README.md line ${block.line} printed:\n${answer.out}\nHTTP: ${answer.http}`).toEqual([]);
    });
  }
});
