import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { getConfig, resetConfig } from '../../../shared/platform/config.js';

/** Every variable the config reads: cleared before each test, so the runner's own environment cannot leak in. */
const VARS = [
  'AWS_REGION',
  'AWS_DEFAULT_REGION',
  'TABLE_NAME',
  'OFFERS_QUEUE_URL',
  'DLQ_URL',
  'LOCAL_MODE',
  'DYNAMODB_ENDPOINT',
  'SQS_ENDPOINT',
  'DELIVERY_BACKOFF_BASE_S',
  'WEBHOOK_TIMEOUT_MS',
];

let saved: Record<string, string | undefined>;

beforeEach(() => {
  saved = Object.fromEntries(VARS.map((v) => [v, process.env[v]]));
  for (const v of VARS) delete process.env[v];
  process.env.TABLE_NAME = 'geo-offers-test';
  resetConfig();
});

afterEach(() => {
  for (const v of VARS) {
    if (saved[v] === undefined) delete process.env[v];
    else process.env[v] = saved[v];
  }
  resetConfig();
});

describe('configuration', () => {
  it('reads the table name and falls back to the documented defaults', () => {
    const c = getConfig();
    expect(c.tableName).toBe('geo-offers-test');
    expect(c.region).toBe('us-east-1');
    expect(c.localMode).toBe(false);
    expect(c.dynamoEndpoint).toBeUndefined();
    expect(c.sqsEndpoint).toBeUndefined();
    expect(c.deliveryBackoffBaseS).toBe(10);
    expect(c.webhookTimeoutMs).toBe(5000);
  });

  it('fails at first use when the table name is missing or empty', () => {
    delete process.env.TABLE_NAME;
    expect(() => getConfig()).toThrow('Missing required environment variable TABLE_NAME');
    process.env.TABLE_NAME = '';
    expect(() => getConfig()).toThrow('Missing required environment variable TABLE_NAME');
  });

  it('does not remember a failed read: once the variable is set, the next read succeeds', () => {
    delete process.env.TABLE_NAME;
    expect(() => getConfig()).toThrow(/TABLE_NAME/);
    process.env.TABLE_NAME = 'later';
    expect(getConfig().tableName).toBe('later');
  });

  it('requires the queue URLs only where they are read', () => {
    const c = getConfig();
    expect(() => c.offersQueueUrl).toThrow('Missing required environment variable OFFERS_QUEUE_URL');
    expect(() => c.dlqUrl).toThrow('Missing required environment variable DLQ_URL');
    process.env.OFFERS_QUEUE_URL = 'http://localhost:4566/000000000000/offers';
    process.env.DLQ_URL = 'http://localhost:4566/000000000000/offers-dlq';
    expect(c.offersQueueUrl).toBe('http://localhost:4566/000000000000/offers');
    expect(c.dlqUrl).toBe('http://localhost:4566/000000000000/offers-dlq');
  });

  it('takes the region from AWS_REGION, then AWS_DEFAULT_REGION', () => {
    process.env.AWS_DEFAULT_REGION = 'eu-west-1';
    expect(getConfig().region).toBe('eu-west-1');
    resetConfig();
    process.env.AWS_REGION = 'eu-central-1';
    expect(getConfig().region).toBe('eu-central-1');
  });

  it('turns local mode on only for LOCAL_MODE=1', () => {
    for (const [value, on] of [
      ['1', true],
      ['true', false],
      ['0', false],
      ['', false],
    ] as const) {
      process.env.LOCAL_MODE = value;
      resetConfig();
      expect(getConfig().localMode, `LOCAL_MODE=${value}`).toBe(on);
    }
  });

  it('reads the endpoints, an empty one meaning the default', () => {
    process.env.DYNAMODB_ENDPOINT = 'http://127.0.0.1:8000';
    process.env.SQS_ENDPOINT = '';
    const c = getConfig();
    expect(c.dynamoEndpoint).toBe('http://127.0.0.1:8000');
    expect(c.sqsEndpoint).toBeUndefined();
  });

  it('reads the numeric settings as numbers, an empty one meaning the default', () => {
    process.env.DELIVERY_BACKOFF_BASE_S = '2.5';
    process.env.WEBHOOK_TIMEOUT_MS = '0';
    expect(getConfig()).toMatchObject({ deliveryBackoffBaseS: 2.5, webhookTimeoutMs: 0 });
    resetConfig();
    process.env.DELIVERY_BACKOFF_BASE_S = '';
    process.env.WEBHOOK_TIMEOUT_MS = '1e3';
    expect(getConfig()).toMatchObject({ deliveryBackoffBaseS: 10, webhookTimeoutMs: 1000 });
  });

  it('refuses a numeric setting that is negative, not a number or infinite', () => {
    for (const value of ['-1', 'abc', '5s', 'Infinity', 'NaN']) {
      process.env.WEBHOOK_TIMEOUT_MS = value;
      resetConfig();
      expect(() => getConfig(), `WEBHOOK_TIMEOUT_MS=${value}`).toThrow(
        'Environment variable WEBHOOK_TIMEOUT_MS must be a non-negative number',
      );
    }
    delete process.env.WEBHOOK_TIMEOUT_MS;
    process.env.DELIVERY_BACKOFF_BASE_S = '-0.5';
    resetConfig();
    expect(() => getConfig()).toThrow('Environment variable DELIVERY_BACKOFF_BASE_S must be a non-negative number');
  });

  it('is read once: later changes to the environment are ignored until it is reset', () => {
    const first = getConfig();
    process.env.TABLE_NAME = 'changed';
    process.env.WEBHOOK_TIMEOUT_MS = '99';
    // (Identity compared directly: the matchers would read the queue URL getters, which throw here.)
    expect(getConfig() === first).toBe(true);
    expect(getConfig().tableName).toBe('geo-offers-test');
    expect(getConfig().webhookTimeoutMs).toBe(5000);
    resetConfig();
    const second = getConfig();
    expect(second === first).toBe(false);
    expect(second.tableName).toBe('changed');
    expect(second.webhookTimeoutMs).toBe(99);
  });
});
