import { afterEach, describe, expect, it } from 'vitest';
import {
  configuredDeadlineMs,
  DEADLINE_MARGIN_MS,
  DeadlineExceeded,
  IDEMPOTENCY_LEASE_S,
  msLeftFor,
  outsideRequest,
  REQUEST_DEADLINE_MS,
  requestDeadlineMs,
  requestSignal,
  withDeadline,
  withRequestDeadline,
} from '../../../shared/platform/deadline.js';
import { withLogContext } from '../../../shared/platform/log.js';
import { captureOutput } from '../../support/output.js';

let output: ReturnType<typeof captureOutput> | undefined;
afterEach(() => output?.restore());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** How a promise settles, and when (ms after the call). */
async function settled<T>(start: number, p: Promise<T>) {
  try {
    return { value: await p, ms: Date.now() - start };
  } catch (error) {
    return { error, ms: Date.now() - start };
  }
}

describe('the deadline constants', () => {
  it('keep the deadline below the function timeout (10 s) and the lease 2 s past the deadline, in whole seconds', () => {
    expect(REQUEST_DEADLINE_MS).toBe(8_000);
    expect(REQUEST_DEADLINE_MS + DEADLINE_MARGIN_MS).toBeLessThanOrEqual(10_000);
    expect(IDEMPOTENCY_LEASE_S).toBe(10);
    expect(IDEMPOTENCY_LEASE_S * 1000 - REQUEST_DEADLINE_MS).toBeGreaterThanOrEqual(2_000);
  });
});

describe('configuredDeadlineMs', () => {
  it('is the constant unless the environment asks for a shorter one', () => {
    expect(configuredDeadlineMs(undefined)).toBe(REQUEST_DEADLINE_MS);
    expect(configuredDeadlineMs('')).toBe(REQUEST_DEADLINE_MS);
    expect(configuredDeadlineMs('250')).toBe(250);
    expect(configuredDeadlineMs(String(REQUEST_DEADLINE_MS))).toBe(REQUEST_DEADLINE_MS);
  });

  it('refuses a longer deadline (the lease is derived from the constant) and values that are no duration', () => {
    for (const raw of [String(REQUEST_DEADLINE_MS + 1), '0', '-5', '1.5', 'soon'])
      expect(() => configuredDeadlineMs(raw), raw).toThrow(/REQUEST_DEADLINE_MS must be an integer from 1 to 8000/);
  });
});

describe('requestDeadlineMs', () => {
  it('is the configured deadline without a Lambda context', () => {
    expect(requestDeadlineMs(8_000)).toBe(8_000);
    expect(requestDeadlineMs(8_000, Number.NaN)).toBe(8_000);
  });

  it("is the invocation's remaining time less the margin when that is shorter, never negative", () => {
    expect(requestDeadlineMs(8_000, 10_000)).toBe(8_000);
    expect(requestDeadlineMs(8_000, 8_500)).toBe(8_000);
    expect(requestDeadlineMs(8_000, 8_499)).toBe(7_999);
    expect(requestDeadlineMs(8_000, 3_000)).toBe(2_500);
    expect(requestDeadlineMs(8_000, 400)).toBe(0);
  });
});

describe('withDeadline', () => {
  it('passes on a result or an error that comes in time', async () => {
    await expect(withDeadline(200, 'r1', async () => 'ok')).resolves.toBe('ok');
    await expect(
      withDeadline(200, 'r1', async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
  });

  it('rejects with DeadlineExceeded at the deadline, aborting the signal the work sees', async () => {
    let seen: AbortSignal | undefined;
    let passed: AbortSignal | undefined;
    const start = Date.now();
    const r = await settled(
      start,
      withDeadline(120, 'r2', (signal) => {
        passed = signal;
        seen = requestSignal();
        return new Promise<never>(() => undefined);
      }),
    );
    expect(r.error).toBeInstanceOf(DeadlineExceeded);
    expect((r.error as DeadlineExceeded).deadlineMs).toBe(120);
    expect(r.ms).toBeGreaterThanOrEqual(115);
    expect(r.ms).toBeLessThan(600);
    expect(seen).toBe(passed);
    expect(passed?.aborted).toBe(true);
    expect(passed?.reason).toBe(r.error);
    expect(requestSignal()).toBeUndefined();
  });

  it('gives each request a signal of its own, also across awaits', async () => {
    const signals: (AbortSignal | undefined)[] = [];
    const work = async () => {
      await sleep(5);
      signals.push(requestSignal());
      return 1;
    };
    await Promise.all([withDeadline(500, 'a', work), withDeadline(500, 'b', work)]);
    expect(signals).toHaveLength(2);
    expect(signals[0]).toBeInstanceOf(AbortSignal);
    expect(signals[1]).toBeInstanceOf(AbortSignal);
    expect(signals[0]).not.toBe(signals[1]);
    expect(signals.every((s) => !s?.aborted)).toBe(true);
  });

  it('drops a late result and logs it at warn with the request id, answered or failed', async () => {
    output = captureOutput();
    const late = (ms: number, fail: boolean) =>
      withLogContext(undefined, { requestId: 'late-1' }, () =>
        withDeadline(50, 'late-1', async () => {
          await sleep(ms);
          if (fail) throw new TypeError('too late');
          return 'result';
        }),
      );
    await expect(late(150, false)).rejects.toBeInstanceOf(DeadlineExceeded);
    await expect(late(150, true)).rejects.toBeInstanceOf(DeadlineExceeded);
    await sleep(250);
    const dropped = output.lines().filter((l) => l.message === 'late result dropped');
    expect(dropped).toHaveLength(2);
    expect(dropped[0]).toMatchObject({ level: 'WARN', requestId: 'late-1', deadlineMs: 50, outcome: 'answered' });
    expect(dropped[0].afterMs).toBeGreaterThanOrEqual(145);
    expect(dropped[1]).toMatchObject({ level: 'WARN', requestId: 'late-1', outcome: 'failed', errorName: 'TypeError' });
    for (const line of dropped) expect(Object.values(line)).not.toContain('result');
  });

  it('logs nothing for work that answers in time', async () => {
    output = captureOutput();
    await withDeadline(100, 'quick', async () => 'ok');
    await sleep(150);
    expect(output.lines()).toEqual([]);
  });
});

describe('one deadline for every step of a request', () => {
  let saved: string | undefined;
  afterEach(() => {
    if (saved === undefined) delete process.env.REQUEST_DEADLINE_MS;
    else process.env.REQUEST_DEADLINE_MS = saved;
  });

  it('is fixed by the first step: later steps get what is left, and a new request starts afresh', async () => {
    saved = process.env.REQUEST_DEADLINE_MS;
    process.env.REQUEST_DEADLINE_MS = '300';
    const event = {};
    const context = { getRemainingTimeInMillis: () => 10_000 };
    expect(msLeftFor(event, context)).toBe(300);
    await sleep(60);
    expect(msLeftFor(event, context)).toBeLessThanOrEqual(245);
    expect(msLeftFor(event, context)).toBeGreaterThan(150);
    await withRequestDeadline(event, context, 'r', async () => 'done');
    expect(msLeftFor(event, context)).toBe(300);
    expect(msLeftFor({}, { getRemainingTimeInMillis: () => 600 })).toBe(100);
  });

  it('bounds two steps together by one deadline, not one each', async () => {
    saved = process.env.REQUEST_DEADLINE_MS;
    process.env.REQUEST_DEADLINE_MS = '200';
    const event = {};
    const start = Date.now();
    await withDeadline(msLeftFor(event), 'r', () => sleep(150));
    const r = await settled(
      start,
      withRequestDeadline(event, undefined, 'r', () => new Promise<never>(() => undefined)),
    );
    expect(r.error).toBeInstanceOf(DeadlineExceeded);
    expect(r.ms).toBeGreaterThanOrEqual(195);
    expect(r.ms).toBeLessThan(300);
  });

  it('leaves work run outside the request without its signal', async () => {
    const seen: (AbortSignal | undefined)[] = [];
    await withDeadline(100, 'r', async () => {
      seen.push(
        requestSignal(),
        outsideRequest(() => requestSignal()),
      );
    });
    expect(seen[0]).toBeInstanceOf(AbortSignal);
    expect(seen[1]).toBeUndefined();
  });
});
