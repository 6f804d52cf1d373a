import { describe, expect, it } from 'vitest';
import {
  MAX_BODY_BYTES,
  lowerHeaders,
  parseJsonBody,
  refuseOversizedBody,
  storableNumbers,
} from '../../../../shared/http/pipeline/parse.js';
import { thrown } from '../../../support/errors.js';

const json = { 'content-type': 'application/json' };

describe('lowerHeaders', () => {
  it('lower-cases header names and drops absent values', () => {
    expect(lowerHeaders({ 'Content-Type': 'application/json', 'X-Api-Key': 'k', Empty: undefined })).toEqual({
      'content-type': 'application/json',
      'x-api-key': 'k',
    });
    expect(lowerHeaders(null)).toEqual({});
  });
});

describe('parseJsonBody', () => {
  it('is undefined without a body', () => {
    for (const body of [null, undefined, '']) expect(parseJsonBody({ body }, json)).toBeUndefined();
  });

  it('parses JSON sent as application/json, with parameters, or as a +json type', () => {
    expect(parseJsonBody({ body: '{"a":1}' }, json)).toEqual({ a: 1 });
    expect(parseJsonBody({ body: '[1,2]' }, { 'content-type': 'Application/JSON; charset=utf-8' })).toEqual([1, 2]);
    expect(parseJsonBody({ body: '{"a":1}' }, { 'content-type': 'application/merge-patch+json' })).toEqual({ a: 1 });
  });

  it('decodes a base64 body first', () => {
    const body = Buffer.from('{"name":"café"}', 'utf8').toString('base64');
    expect(parseJsonBody({ body, isBase64Encoded: true }, json)).toEqual({ name: 'café' });
  });

  it('refuses a body over the limit (payload too large), before looking at it', () => {
    const err = thrown(() => parseJsonBody({ body: 'x'.repeat(MAX_BODY_BYTES + 1) }, {}));
    expect(err.kind).toBe('payload_too_large');
    expect(err.message).toBe(`The request body exceeds ${MAX_BODY_BYTES} bytes.`);
  });

  it('counts the limit in UTF-8 bytes, not characters', () => {
    const body = `"${'é'.repeat(MAX_BODY_BYTES / 2)}"`;
    expect(thrown(() => parseJsonBody({ body }, json)).kind).toBe('payload_too_large');
  });

  it('refuses another content type, or none', () => {
    for (const headers of [
      {},
      { 'content-type': 'text/plain' },
      { 'content-type': 'application/x-www-form-urlencoded' },
    ] as Record<string, string>[]) {
      const err = thrown(() => parseJsonBody({ body: '{}' }, headers));
      expect(err.kind).toBe('unsupported_media_type');
      expect(err.message).toBe('Send the body as application/json.');
    }
  });

  it('refuses text that is not JSON', () => {
    const err = thrown(() => parseJsonBody({ body: '{"name":' }, json));
    expect(err.kind).toBe('bad_request');
    expect(err.message).toBe('The body is not valid JSON.');
  });

  it('refuses a __proto__ field at any depth instead of dropping it', () => {
    for (const body of ['{"__proto__":{"x":1}}', '{"a":{"b":[{"__proto__":1}]}}']) {
      const err = thrown(() => parseJsonBody({ body }, json));
      expect(err.kind).toBe('validation');
      expect(err.errors).toEqual([{ path: '(body)', message: '"__proto__" is not allowed as a field name.' }]);
    }
  });
});

describe('refuseOversizedBody', () => {
  it('passes a body within the limit and refuses a bigger one', () => {
    expect(refuseOversizedBody(null)).toBeUndefined();
    expect(refuseOversizedBody('x'.repeat(MAX_BODY_BYTES))).toBeUndefined();
    expect(thrown(() => refuseOversizedBody('x'.repeat(MAX_BODY_BYTES + 1))).kind).toBe('payload_too_large');
  });
});

describe('storableNumbers', () => {
  it('stores numbers below 1e-100 as 0, at any depth, and keeps the rest', () => {
    expect(storableNumbers({ a: 1e-300, b: [-1e-200, 2.5], c: { d: 0, e: 'text', f: null } })).toEqual({
      a: 0,
      b: [0, 2.5],
      c: { d: 0, e: 'text', f: null },
    });
  });

  it('refuses a number over 1e100, naming its field', () => {
    expect(thrown(() => storableNumbers({ geometry: { coordinates: [[1, 1e300]] } })).errors).toEqual([
      { path: 'geometry.coordinates[0][1]', message: 'Number too large.' },
    ]);
    expect(thrown(() => storableNumbers(-1e101)).errors).toEqual([{ path: '(root)', message: 'Number too large.' }]);
  });
});
