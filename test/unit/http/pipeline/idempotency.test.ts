import { describe, expect, it } from 'vitest';
import {
  MAX_IDEMPOTENCY_KEY,
  canonical,
  fingerprint,
  forgetsClaimOnFailure,
  idempotencyKeyOf,
  replayOrRun,
} from '../../../../shared/http/pipeline/idempotency.js';
import { DomainError } from '../../../../shared/platform/errors.js';
import type { StoredResponse } from '../../../../shared/store/idempotency.js';

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected an error');
}

describe('idempotencyKeyOf', () => {
  const idempotent = { idempotent: true };

  it('is the Idempotency-Key header on an idempotent route', () => {
    expect(idempotencyKeyOf(idempotent, { 'idempotency-key': 'order-1' })).toBe('order-1');
    expect(idempotencyKeyOf(idempotent, { 'idempotency-key': 'k'.repeat(MAX_IDEMPOTENCY_KEY) })).toHaveLength(255);
  });

  it('is undefined without the header, and on a route that ignores it', () => {
    expect(idempotencyKeyOf(idempotent, {})).toBeUndefined();
    expect(idempotencyKeyOf({}, { 'idempotency-key': 'order-1' })).toBeUndefined();
  });

  it('refuses an empty key or one over 255 characters (422)', () => {
    for (const key of ['', 'k'.repeat(256)]) {
      const err = thrown(() => idempotencyKeyOf(idempotent, { 'idempotency-key': key })) as DomainError;
      expect(err).toBeInstanceOf(DomainError);
      expect(err.errors).toEqual([{ path: 'Idempotency-Key', message: 'Must be 1-255 characters.' }]);
    }
  });
});

describe('the request fingerprint', () => {
  it('writes objects with sorted keys, keeps array order, and writes undefined as null', () => {
    expect(canonical({ b: 1, a: { d: [2, 1], c: 'x' } })).toBe('{"a":{"c":"x","d":[2,1]},"b":1}');
    expect(canonical(undefined)).toBe('null');
  });

  it('is the same for the same body in another key order, and differs by route or body', () => {
    const one = fingerprint('createStore', { name: 'a', location: { lat: 1, lng: 2 } });
    expect(fingerprint('createStore', { location: { lng: 2, lat: 1 }, name: 'a' })).toBe(one);
    expect(fingerprint('createPartner', { name: 'a', location: { lat: 1, lng: 2 } })).not.toBe(one);
    expect(fingerprint('createStore', { name: 'b', location: { lat: 1, lng: 2 } })).not.toBe(one);
    expect(one).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('replayOrRun', () => {
  const stored: StoredResponse = { statusCode: 201, headers: { 'X-Request-Id': 'first' }, body: '{"id":"s_1"}' };

  it('runs a request whose claim started', () => {
    expect(replayOrRun({ state: 'started', lease: 'l1' })).toBeUndefined();
  });

  it("replays the first response, marked Idempotent-Replayed, with the first request's id", () => {
    expect(replayOrRun({ state: 'replay', response: stored })).toEqual({
      statusCode: 201,
      headers: { 'X-Request-Id': 'first', 'Idempotent-Replayed': 'true' },
      body: '{"id":"s_1"}',
    });
  });

  it('is a 409 while the first request runs, and for another body', () => {
    const inFlight = thrown(() => replayOrRun({ state: 'in_flight' })) as DomainError;
    expect([inFlight.kind, inFlight.code]).toEqual(['conflict', 'idempotency-in-flight']);
    const mismatch = thrown(() => replayOrRun({ state: 'mismatch' })) as DomainError;
    expect([mismatch.kind, mismatch.code]).toEqual(['conflict', 'idempotency-key-reused']);
  });
});

describe('forgetsClaimOnFailure', () => {
  it('forgets the claim after a retryable or racing failure and keeps it after any other', () => {
    expect([500, 503, 429, 409].map(forgetsClaimOnFailure)).toEqual([true, true, true, true]);
    expect([400, 401, 403, 404, 410, 413, 422].map(forgetsClaimOnFailure)).toEqual([
      false,
      false,
      false,
      false,
      false,
      false,
      false,
    ]);
  });
});

// runIdempotent itself runs against DynamoDB Local in test/int/idempotency.test.ts.

describe('records of a shared publishable key', () => {
  it('are kept per token shopper, so two shoppers sending the same Idempotency-Key never share a record', async () => {
    const { scopedIdempotencyKey } = await import('../../../../shared/http/pipeline/idempotency.js');
    expect(scopedIdempotencyKey({ shopperId: 'alice' }, 'k1')).not.toBe(scopedIdempotencyKey({ shopperId: 'bob' }, 'k1'));
    expect(scopedIdempotencyKey({ shopperId: 'alice' }, 'k1')).toBe(scopedIdempotencyKey({ shopperId: 'alice' }, 'k1'));
    // Secret keys (no token shopper) keep the key as sent.
    expect(scopedIdempotencyKey({}, 'k1')).toBe('k1');
  });
});
