import { describe, expect, it } from 'vitest';
import { HANDLER_TRACE_OPTIONS, tracer } from '../../../shared/platform/tracer.js';

// Outgoing HTTPS capture is off both in the tracer's options and in the functions' environment
// (pinned by test/unit/infra/aws/stack.test.ts); inside this process tracing is off altogether.
describe('tracer', () => {
  it('never records a response body as trace metadata', () => {
    expect(HANDLER_TRACE_OPTIONS).toEqual({ captureResponse: false });
  });

  it('is off outside Lambda, so local mode and tests make no segments', () => {
    expect(tracer.isTracingEnabled()).toBe(false);
  });
});
