import type { Context } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { errorFields, log, withLogContext } from '../../../shared/platform/log.js';
import { captureOutput } from '../../support/output.js';

let output: ReturnType<typeof captureOutput> | undefined;
afterEach(() => {
  output?.restore();
  vi.unstubAllEnvs();
});

const context = (functionName: string, awsRequestId: string) =>
  ({
    functionName,
    awsRequestId,
    functionVersion: '$LATEST',
    memoryLimitInMB: '512',
    invokedFunctionArn: `arn:aws:lambda:local:0:function:${functionName}`,
  }) as Context;

const tick = () => new Promise((r) => setImmediate(r));

describe('log', () => {
  it('writes one JSON line with the level, the message, the service and the fields', () => {
    output = captureOutput();
    log('info', 'store created', { tenantId: 't_1', stores: 1 });
    expect(output.lines()).toEqual([
      expect.objectContaining({ level: 'INFO', message: 'store created', service: 'geo-offers', tenantId: 't_1', stores: 1 }),
    ]);
    expect(output.lines()[0].timestamp).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('leaves debug lines out unless LOG_LEVEL is debug', () => {
    output = captureOutput();
    log('debug', 'details');
    expect(output.text()).toBe('');
  });
});

describe('withLogContext', () => {
  it('gives every line of an invocation its keys and Lambda context, even when invocations interleave', async () => {
    output = captureOutput();
    const serve = (fn: string, requestId: string, tenantId: string) =>
      withLogContext(context(fn, `aws-${requestId}`), { requestId, tenantId }, async () => {
        log('info', 'start');
        await tick();
        log('warn', 'middle', { step: 2 });
        await tick();
        log('error', 'end');
      });
    await Promise.all([
      serve('ctx-offers', 'req-a', 't_a'),
      serve('ctx-keys', 'req-b', 't_b'),
      serve('ctx-offers', 'req-c', 't_c'),
    ]);
    const lines = output.lines();
    expect(lines).toHaveLength(9);
    for (const [requestId, tenantId, fn] of [
      ['req-a', 't_a', 'ctx-offers'],
      ['req-b', 't_b', 'ctx-keys'],
      ['req-c', 't_c', 'ctx-offers'],
    ]) {
      const own = lines.filter((l) => l.requestId === requestId);
      expect(own.map((l) => l.message)).toEqual(['start', 'middle', 'end']);
      for (const l of own) expect(l).toMatchObject({ tenantId, function_name: fn, function_request_id: `aws-${requestId}` });
    }
  });

  it('marks the first invocation of each function as its cold start, and no later one', async () => {
    output = captureOutput();
    for (const [fn, id] of [
      ['cold-a', '1'],
      ['cold-a', '2'],
      ['cold-b', '3'],
      ['cold-a', '4'],
    ])
      withLogContext(context(fn, id), { requestId: id }, () => log('info', 'served'));
    expect(output.lines().map((l) => [l.requestId, l.function_name, l.cold_start])).toEqual([
      ['1', 'cold-a', true],
      ['2', 'cold-a', false],
      ['3', 'cold-b', true],
      ['4', 'cold-a', false],
    ]);
  });

  it('keeps nothing once the invocation is over', async () => {
    output = captureOutput();
    await withLogContext(context('after-fn', 'x'), { requestId: 'req-x', tenantId: 't_x' }, async () => log('info', 'inside'));
    log('info', 'outside');
    const [inside, outside] = output.lines();
    expect(inside).toMatchObject({ requestId: 'req-x', function_name: 'after-fn' });
    expect(outside).not.toHaveProperty('requestId');
    expect(outside).not.toHaveProperty('tenantId');
    expect(outside).not.toHaveProperty('function_name');
  });

  it('returns what the invocation returns', async () => {
    expect(await withLogContext(undefined, {}, async () => 42)).toBe(42);
  });
});

describe('LOG_LEVEL', () => {
  async function freshLog(level: string) {
    vi.stubEnv('LOG_LEVEL', level);
    vi.resetModules();
    return (await import('../../../shared/platform/log.js')).log;
  }

  it('silent writes nothing at all', async () => {
    const quiet = await freshLog('silent');
    output = captureOutput();
    for (const level of ['debug', 'info', 'warn', 'error'] as const) quiet(level, 'nothing');
    expect(output.text()).toBe('');
  });

  it('debug writes debug lines, and warn leaves info out', async () => {
    const verbose = await freshLog('debug');
    output = captureOutput();
    verbose('debug', 'details');
    const warnOnly = await freshLog('WARN');
    warnOnly('info', 'left out');
    warnOnly('warn', 'kept');
    expect(output.lines().map((l) => [l.level, l.message])).toEqual([
      ['DEBUG', 'details'],
      ['WARN', 'kept'],
    ]);
  });
});

describe('errorFields', () => {
  it('keeps only the name and the first 300 characters of the message', () => {
    const err = Object.assign(new Error('x'.repeat(400)), { name: 'ValidationException', input: { key: 'secret' } });
    expect(errorFields(err)).toEqual({ errorName: 'ValidationException', errorMessage: 'x'.repeat(300) });
    expect(errorFields('text')).toEqual({ errorName: 'string' });
  });
});
