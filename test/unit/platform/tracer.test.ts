import { beforeEach, describe, expect, it, vi } from 'vitest';
import { HANDLER_TRACE_OPTIONS, TRACER_OPTIONS, tracer } from '../../../shared/platform/tracer.js';

// Outgoing HTTPS capture is off both in the tracer's options and in the functions' environment
// (pinned by test/unit/infra/aws/stack.test.ts); inside this process tracing is off altogether.
describe('tracer', () => {
  it('never records a response body as trace metadata', () => {
    expect(HANDLER_TRACE_OPTIONS).toEqual({ captureResponse: false });
  });

  it('never captures outgoing HTTPS calls (the webhook URLs are the tenants’ own)', () => {
    expect(TRACER_OPTIONS).toEqual({ serviceName: 'geo-offers', captureHTTPsRequests: false });
  });

  it('is off outside Lambda, so local mode and tests make no segments', () => {
    expect(tracer.isTracingEnabled()).toBe(false);
  });
});

describe('the tracer seam the AWS clients are made with', () => {
  // A fresh module each time: which X-Ray SDK tracer is installed is module state.
  beforeEach(() => {
    vi.resetModules();
  });
  const load = () => import('../../../shared/platform/tracer.js');

  it('returns a client unchanged while no X-Ray SDK tracer is installed (the offers function)', async () => {
    const seam = await load();
    const client = { send: async () => 'sent' };
    expect(seam.tracer.captureAWSv3Client(client)).toBe(client);
    expect(seam.tracer.isTracingEnabled()).toBe(false);
  });

  it('hands every client to the installed X-Ray SDK tracer and answers with what it returns', async () => {
    const seam = await load();
    const captured: unknown[] = [];
    const wrapped = { traced: true };
    seam.useSdkTracer({
      captureAWSv3Client: <T>(client: T): T => {
        captured.push(client);
        return wrapped as T;
      },
      isTracingEnabled: () => true,
    });
    const client = { send: async () => 'sent' };
    expect(seam.tracer.captureAWSv3Client(client)).toBe(wrapped);
    expect(captured).toEqual([client]);
    expect(seam.tracer.isTracingEnabled()).toBe(true);
  });
});
