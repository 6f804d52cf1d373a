import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildOpenApi } from '../../shared/http/openapi.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const REDOCLY = path.join(ROOT, 'node_modules', '.bin', 'redocly');

export interface LintResult {
  errors: number;
  warnings: number;
  /** Redocly's report, for a failure message. */
  output: string;
}

/** Lint the document built from the route table with Redocly and the committed redocly.yaml. */
export async function lintOpenApi(format: 'json' | 'stylish' = 'json'): Promise<LintResult> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'openapi-lint-'));
  try {
    const file = path.join(dir, 'openapi.json');
    await writeFile(file, JSON.stringify(buildOpenApi(), null, 2));
    const args = ['lint', '--config', path.join(ROOT, 'redocly.yaml'), `--format=${format}`, file];
    const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
      execFile(
        REDOCLY,
        args,
        {
          cwd: ROOT,
          env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
          maxBuffer: 16 << 20,
        },
        (err, out, errOut) =>
          resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout: out, stderr: errOut }),
      ),
    );
    if (format === 'stylish') return { errors: code === 0 ? 0 : 1, warnings: 0, output: `${stdout}${stderr}` };
    const start = stdout.indexOf('{');
    if (start < 0) throw new Error(`redocly lint printed no report (exit ${code}): ${stderr}`);
    const report = JSON.parse(stdout.slice(start)) as { totals: { errors: number; warnings: number }; problems: unknown[] };
    return { errors: report.totals.errors, warnings: report.totals.warnings, output: JSON.stringify(report.problems, null, 2) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = await lintOpenApi('stylish');
  console.log(result.output);
  process.exitCode = result.errors ? 1 : 0;
}
