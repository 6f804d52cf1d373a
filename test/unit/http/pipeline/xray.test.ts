import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

// Tracing is decided when the Powertools Tracer is made (from the environment), so each test
// loads a fresh copy of the seam and of this module under the environment it describes.
const saved = { ...process.env };
beforeEach(() => {
  vi.resetModules();
});
afterEach(() => {
  process.env = { ...saved };
});

async function load() {
  const xray = await import('../../../../shared/http/pipeline/xray.js');
  const seam = await import('../../../../shared/platform/tracer.js');
  return { ...xray, tracer: seam.tracer };
}

const client = () => new DynamoDBClient({ region: 'eu-west-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
const middlewareNames = (c: DynamoDBClient) => c.middlewareStack.identify().join(' ');

describe('the X-Ray SDK module', () => {
  it('leaves clients and handlers untraced outside Lambda, as in local mode and in tests', async () => {
    delete process.env.AWS_EXECUTION_ENV;
    const { tracer, xrayTracer } = await load();
    expect(xrayTracer.isTracingEnabled()).toBe(false);
    expect(tracer.isTracingEnabled()).toBe(false);
    const c = client();
    expect(tracer.captureAWSv3Client(c)).toBe(c);
    expect(middlewareNames(c)).not.toMatch(/XRay/i);
  });

  it('inside Lambda, installs itself so that every call of an AWS client is an X-Ray subsegment', async () => {
    process.env.AWS_EXECUTION_ENV = 'AWS_Lambda_nodejs22.x';
    delete process.env.POWERTOOLS_TRACE_ENABLED;
    const { tracer, xrayTracer } = await load();
    expect(xrayTracer.isTracingEnabled()).toBe(true);
    expect(tracer.isTracingEnabled()).toBe(true);
    const c = client();
    expect(middlewareNames(c)).not.toMatch(/XRay/i);
    tracer.captureAWSv3Client(c);
    expect(middlewareNames(c)).toMatch(/XRaySDKInstrumentation/);
  });

  it('stays off inside Lambda when POWERTOOLS_TRACE_ENABLED is false', async () => {
    process.env.AWS_EXECUTION_ENV = 'AWS_Lambda_nodejs22.x';
    process.env.POWERTOOLS_TRACE_ENABLED = 'false';
    const { tracer } = await load();
    expect(tracer.isTracingEnabled()).toBe(false);
    const c = client();
    tracer.captureAWSv3Client(c);
    expect(middlewareNames(c)).not.toMatch(/XRay/i);
  });

  it('gives the API pipeline a handler middleware for the whole invocation', async () => {
    const { traceHandler } = await load();
    const mw = traceHandler();
    expect(typeof mw.before).toBe('function');
    expect(typeof mw.after).toBe('function');
    expect(typeof mw.onError).toBe('function');
  });
});
