import { describe, expect, it } from 'vitest';
import { requestIdOf } from '../../../../shared/http/pipeline/request-id.js';

describe('the request id', () => {
  it("is the client's X-Request-Id when it has the allowed form", () => {
    expect(requestIdOf({ 'X-Request-Id': 'my-trace-123' }, 'gw-1')).toBe('my-trace-123');
    expect(requestIdOf({ 'x-request-id': 'A.b_c-9' }, 'gw-1')).toBe('A.b_c-9');
    expect(requestIdOf({ 'x-request-id': 'x'.repeat(128) }, 'gw-1')).toBe('x'.repeat(128));
  });

  it("is the gateway's id without the header", () => {
    expect(requestIdOf({ accept: 'application/json' }, 'gw-1')).toBe('gw-1');
    expect(requestIdOf(null, 'gw-1')).toBe('gw-1');
    expect(requestIdOf(undefined, 'gw-1')).toBe('gw-1');
  });

  it("replaces a client value that is too long, empty or has other characters with the gateway's id", () => {
    for (const bad of ['x'.repeat(129), '', 'has space', 'semi;colon', 'émoji', 'a/b', 'a,b'])
      expect(requestIdOf({ 'X-Request-Id': bad }, 'gw-1'), bad).toBe('gw-1');
  });
});
