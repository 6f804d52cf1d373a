import { randomUUID } from 'node:crypto';
import type { ScheduledEvent } from 'aws-lambda';

/**
 * The local stand-in for the EventBridge schedule of the retention sweep. AWS runs it daily
 * (infra/aws/stack.ts); `npm start` runs it every hour, the first time about a minute after start, so a
 * shortened retention shows its effect within the hour.
 */
export const RETENTION_SWEEP_INTERVAL_MS = 60 * 60_000;
export const RETENTION_SWEEP_FIRST_RUN_MS = 60_000;

/**
 * RETENTION_SWEEP_INTERVAL_MS as the environment gives it: unset or empty → the hourly default, `0` → off
 * (undefined); anything but a whole number of milliseconds fails the start.
 */
export function sweepIntervalFrom(raw: string | undefined): number | undefined {
  if (raw === undefined || raw.trim() === '') return RETENTION_SWEEP_INTERVAL_MS;
  const ms = Number(raw);
  if (!Number.isSafeInteger(ms) || ms < 0) {
    throw new Error(`RETENTION_SWEEP_INTERVAL_MS must be a whole number of milliseconds (0 = off), not '${raw}'`);
  }
  return ms === 0 ? undefined : ms;
}

/** The event EventBridge hands a scheduled target (the sweep ignores it; the shape is the real one). */
export function scheduledEvent(ruleName: string, now = new Date()): ScheduledEvent {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: '000000000000',
    time: now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region: 'us-east-1',
    resources: [`arn:aws:events:us-east-1:000000000000:rule/${ruleName}`],
    detail: {},
  };
}

export interface ScheduleOptions {
  /** Named in the failure line. */
  name: string;
  intervalMs: number;
  /** Delay of the first run (at most `intervalMs`). @default RETENTION_SWEEP_FIRST_RUN_MS */
  firstRunMs?: number;
  run: () => Promise<unknown>;
  /** Where a failed run is reported. @default one line on stderr */
  onError?: (line: string) => void;
}

/**
 * Runs `run` after `firstRunMs`, then `intervalMs` after each run ends (runs never overlap). A run that
 * throws is reported in one line and the schedule goes on; the timers are unref'd, so they keep no process
 * alive. `stop()` cancels the next run and waits for one in progress.
 */
export function startSchedule(opts: ScheduleOptions): { stop(): Promise<void> } {
  const onError = opts.onError ?? ((line: string) => process.stderr.write(`${line}\n`));
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<void> | undefined;

  const arm = (ms: number) => {
    if (stopped) return;
    timer = setTimeout(() => {
      current = tick().finally(() => {
        current = undefined;
      });
    }, ms);
    timer.unref();
  };
  const tick = async () => {
    try {
      await opts.run();
    } catch (err) {
      const message = (err instanceof Error ? err.message : String(err)).replace(/\s+/g, ' ').trim();
      try {
        onError(`${opts.name} failed: ${message}`);
      } catch {
        // Reporting must not stop the schedule either.
      }
    }
    arm(opts.intervalMs);
  };

  arm(Math.min(opts.firstRunMs ?? RETENTION_SWEEP_FIRST_RUN_MS, opts.intervalMs));
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await current;
    },
  };
}
