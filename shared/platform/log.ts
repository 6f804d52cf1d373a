/**
 * Structured JSON logs. Callers pass only identifiers and counts: never key
 * values, secrets, request bodies or coordinates.
 */
type Level = 'debug' | 'info' | 'warn' | 'error';

const quiet = () => process.env.LOG_LEVEL === 'silent';

export function log(level: Level, msg: string, fields: Record<string, unknown> = {}): void {
  if (quiet() || (level === 'debug' && process.env.LOG_LEVEL !== 'debug')) return;
  const line = JSON.stringify({ level, msg, time: new Date().toISOString(), ...fields });
  if (level === 'error' || level === 'warn') process.stderr.write(line + '\n');
  else process.stdout.write(line + '\n');
}

/** Error name and message only: SDK errors can carry request parameters in other fields. */
export function errorFields(err: unknown): Record<string, unknown> {
  if (err instanceof Error) return { errorName: err.name, errorMessage: err.message.slice(0, 300) };
  return { errorName: typeof err };
}
