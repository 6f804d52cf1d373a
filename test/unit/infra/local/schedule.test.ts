import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  RETENTION_SWEEP_FIRST_RUN_MS,
  RETENTION_SWEEP_INTERVAL_MS,
  scheduledEvent,
  startSchedule,
  sweepIntervalFrom,
} from '../../../../infra/local/schedule.js';

describe('the local retention sweep interval', () => {
  it('is an hour unless RETENTION_SWEEP_INTERVAL_MS says otherwise, the first run a minute after start', () => {
    expect(RETENTION_SWEEP_INTERVAL_MS).toBe(3_600_000);
    expect(RETENTION_SWEEP_FIRST_RUN_MS).toBe(60_000);
    expect(sweepIntervalFrom(undefined)).toBe(3_600_000);
    expect(sweepIntervalFrom('')).toBe(3_600_000);
    expect(sweepIntervalFrom('5000')).toBe(5000);
  });

  it('is off for 0', () => {
    expect(sweepIntervalFrom('0')).toBeUndefined();
  });

  it.each(['-1', '1.5', 'hourly', '1e400'])('refuses %s, failing the start', (raw) => {
    expect(() => sweepIntervalFrom(raw)).toThrow(/RETENTION_SWEEP_INTERVAL_MS must be a whole number/);
  });
});

describe('the scheduled event', () => {
  it('has the shape EventBridge gives a scheduled target', () => {
    const event = scheduledEvent('retention-sweep', new Date('2027-03-01T03:17:00.123Z'));
    expect(event).toEqual({
      version: '0',
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: '000000000000',
      time: '2027-03-01T03:17:00Z',
      region: 'us-east-1',
      resources: ['arn:aws:events:us-east-1:000000000000:rule/retention-sweep'],
      detail: {},
    });
  });
});

describe('a local schedule', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs first after a minute, then every interval', async () => {
    const run = vi.fn(async () => undefined);
    const schedule = startSchedule({ name: 'sweep', intervalMs: 3_600_000, run });
    await vi.advanceTimersByTimeAsync(59_999);
    expect(run).toHaveBeenCalledTimes(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(run).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(3_600_000);
    expect(run).toHaveBeenCalledTimes(2);
    await schedule.stop();
  });

  it('runs first after the interval when it is shorter than a minute', async () => {
    const run = vi.fn(async () => undefined);
    const schedule = startSchedule({ name: 'sweep', intervalMs: 1000, run });
    await vi.advanceTimersByTimeAsync(3000);
    expect(run).toHaveBeenCalledTimes(3);
    await schedule.stop();
  });

  it('never overlaps runs: the next one waits an interval after the last ends', async () => {
    let release: () => void = () => undefined;
    const run = vi.fn(() => new Promise<void>((r) => (release = r)));
    const schedule = startSchedule({ name: 'sweep', intervalMs: 1000, firstRunMs: 1000, run });
    await vi.advanceTimersByTimeAsync(5000);
    expect(run).toHaveBeenCalledTimes(1);
    release();
    await vi.advanceTimersByTimeAsync(999);
    expect(run).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(run).toHaveBeenCalledTimes(2);
    release();
    await schedule.stop();
  });

  it('reports a failed run in one line and keeps going', async () => {
    const lines: string[] = [];
    const run = vi.fn(async () => {
      throw new Error('table unreachable\n  at somewhere');
    });
    const schedule = startSchedule({ name: 'retention sweep', intervalMs: 1000, run, onError: (l) => lines.push(l) });
    await vi.advanceTimersByTimeAsync(2000);
    expect(run).toHaveBeenCalledTimes(2);
    expect(lines).toEqual([
      'retention sweep failed: table unreachable at somewhere',
      'retention sweep failed: table unreachable at somewhere',
    ]);
    await schedule.stop();
  });

  it('keeps going when the report itself throws', async () => {
    const run = vi.fn(async () => Promise.reject(new Error('down')));
    const schedule = startSchedule({
      name: 'sweep',
      intervalMs: 1000,
      run,
      onError: () => {
        throw new Error('stderr closed');
      },
    });
    await vi.advanceTimersByTimeAsync(3000);
    expect(run).toHaveBeenCalledTimes(3);
    await schedule.stop();
  });

  it('runs no more once stopped, and stop waits for a run in progress', async () => {
    let release: () => void = () => undefined;
    let finished = false;
    const run = vi.fn(
      () =>
        new Promise<void>((r) => {
          release = () => {
            finished = true;
            r();
          };
        }),
    );
    const schedule = startSchedule({ name: 'sweep', intervalMs: 1000, run });
    await vi.advanceTimersByTimeAsync(1000);
    expect(run).toHaveBeenCalledTimes(1);
    let stopped = false;
    const stopping = schedule.stop().then(() => (stopped = true));
    await vi.advanceTimersByTimeAsync(0);
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect(finished).toBe(true);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(run).toHaveBeenCalledTimes(1);
  });

  it('keeps no process alive: its timer is unref’d', async () => {
    vi.useRealTimers();
    const spy = vi.spyOn(globalThis, 'setTimeout');
    const schedule = startSchedule({ name: 'sweep', intervalMs: 3_600_000, run: async () => undefined });
    const timer = spy.mock.results.at(-1)?.value as NodeJS.Timeout;
    expect(timer.hasRef()).toBe(false);
    spy.mockRestore();
    await schedule.stop();
  });
});
