import { vi } from 'vitest';

/**
 * Capture what the process writes to stdout and stderr (log lines, EMF
 * metrics) instead of printing it. `lines()` are the JSON lines, parsed.
 */
export function captureOutput() {
  let text = '';
  const write = (chunk: string | Uint8Array) => {
    text += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    return true;
  };
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(write as never);
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(write as never);
  return {
    text: () => text,
    lines: (): Record<string, any>[] =>
      text
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l)),
    restore() {
      out.mockRestore();
      err.mockRestore();
    },
  };
}
