import type { APIGatewayProxyResult } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import type { Principal } from '../../../../shared/auth/principal.js';
import { HttpError } from '../../../../shared/http/errors.js';
import {
  MAX_IDEMPOTENCY_KEY,
  type IdempotencyStore,
  type IdempotentRun,
  canonical,
  fingerprint,
  forgetsClaimOnFailure,
  idempotencyKeyOf,
  replayOrRun,
  runIdempotent,
} from '../../../../shared/http/pipeline/idempotency.js';
import { successResponse } from '../../../../shared/http/pipeline/respond.js';
import type { Reply } from '../../../../shared/http/pipeline/types.js';
import { DomainError, conflict, tooManyRequests, unavailable, unprocessable } from '../../../../shared/platform/errors.js';
import type { BeginResult, StoredResponse } from '../../../../shared/store/idempotency.js';
import { captureOutput } from '../../../support/output.js';

let output: ReturnType<typeof captureOutput> | undefined;
afterEach(() => output?.restore());

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
    expect(replayOrRun({ state: 'started' })).toBeUndefined();
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

/** The record rules of shared/store/idempotency.ts, in memory: enough to run the pipeline's side. */
class MemoryStore implements IdempotencyStore {
  records = new Map<
    string,
    { fingerprint: string; state: 'in_flight' | 'done'; response?: StoredResponse; shopperId?: string }
  >();
  failAbandon = false;
  async begin(tenantId: string, keyId: string, idemKey: string, fp: string): Promise<BeginResult> {
    const id = `${tenantId}/${keyId}/${idemKey}`;
    const old = this.records.get(id);
    if (!old) {
      this.records.set(id, { fingerprint: fp, state: 'in_flight' });
      return { state: 'started' };
    }
    if (old.fingerprint !== fp) return { state: 'mismatch' };
    if (old.state !== 'done') return { state: 'in_flight' };
    return { state: 'replay', response: old.response! };
  }
  async complete(tenantId: string, keyId: string, idemKey: string, response: StoredResponse, shopperId?: string) {
    const record = this.records.get(`${tenantId}/${keyId}/${idemKey}`)!;
    Object.assign(record, { state: 'done', response, shopperId });
  }
  async abandon(tenantId: string, keyId: string, idemKey: string) {
    if (this.failAbandon) throw new Error('table unavailable');
    this.records.delete(`${tenantId}/${keyId}/${idemKey}`);
  }
}

const principal: Principal = { kind: 'secret', keyId: 'k_1', tenantId: 't_1', scopes: [], storeIds: [] };

function request(store: MemoryStore, run: () => Promise<Reply>, over: Partial<IdempotentRun> = {}) {
  let runs = 0;
  const r: IdempotentRun = {
    principal,
    idemKey: 'order-1',
    routeId: 'createStore',
    body: { name: 'a' },
    requestId: 'rid-1',
    run: () => {
      runs++;
      return run();
    },
    respond: (reply) => successResponse(reply, { successStatus: 201 }, over.requestId ?? 'rid-1'),
    ...over,
  };
  return { result: runIdempotent(r, store), runs: () => runs };
}

/** The error a run ends with. */
async function rejection(p: Promise<APIGatewayProxyResult>): Promise<unknown> {
  return p.then(
    () => expect.unreachable('the run should fail'),
    (e: unknown) => e,
  );
}

/** The HttpError a run that ran the handler ends with. */
async function failure(p: Promise<APIGatewayProxyResult>): Promise<HttpError> {
  const err = await rejection(p);
  expect(err).toBeInstanceOf(HttpError);
  return err as HttpError;
}

describe('runIdempotent', () => {
  it('keeps the first response and replays it to a retry with the same body, without running it again', async () => {
    const store = new MemoryStore();
    const first = request(store, async () => ({ body: { id: 's_1' }, shopperId: 'sh_1' }));
    const res = await first.result;
    expect(res).toEqual({
      statusCode: 201,
      headers: { 'Content-Type': 'application/json', 'X-Request-Id': 'rid-1' },
      body: '{"id":"s_1"}',
    });
    expect(store.records.get('t_1/k_1/order-1')).toMatchObject({ state: 'done', response: res, shopperId: 'sh_1' });

    const retry = request(store, async () => ({ body: { id: 's_2' } }), { requestId: 'rid-2', body: { name: 'a' } });
    expect(await retry.result).toEqual({ ...res, headers: { ...res.headers, 'Idempotent-Replayed': 'true' } });
    expect(retry.runs()).toBe(0);
  });

  it('answers 409 to the same key with another body', async () => {
    const store = new MemoryStore();
    await request(store, async () => ({ body: {} })).result;
    const other = request(store, async () => ({ body: {} }), { body: { name: 'b' } });
    const err = (await rejection(other.result)) as DomainError;
    expect([err.kind, err.code]).toEqual(['conflict', 'idempotency-key-reused']);
    expect(other.runs()).toBe(0);
  });

  it('answers 409 to a retry while the first request still runs', async () => {
    const store = new MemoryStore();
    let finish!: () => void;
    const first = request(store, () => new Promise<Reply>((resolve) => (finish = () => resolve({ body: {} }))));
    await new Promise((r) => setImmediate(r));
    const err = (await rejection(request(store, async () => ({ body: {} })).result)) as DomainError;
    expect([err.kind, err.code]).toEqual(['conflict', 'idempotency-in-flight']);
    finish();
    expect((await first.result).statusCode).toBe(201);
  });

  it('keeps a client error for replay: the retry gets the same 422 without running', async () => {
    const store = new MemoryStore();
    const first = await failure(
      request(store, async () => Promise.reject(unprocessable([{ path: 'name', message: 'Taken.' }]))).result,
    );
    expect(first.status).toBe(422);
    const retry = request(store, async () => ({ body: {} }), { requestId: 'rid-2' });
    const replayed = await retry.result;
    expect(retry.runs()).toBe(0);
    expect(replayed.statusCode).toBe(422);
    expect(replayed.headers).toMatchObject({ 'Idempotent-Replayed': 'true', 'X-Request-Id': 'rid-1' });
    expect(JSON.parse(replayed.body).errors).toEqual([{ path: 'name', message: 'Taken.' }]);
  });

  it('forgets the claim after a 503, 429 or 409 so that the retry runs', async () => {
    for (const error of [unavailable(2), tooManyRequests(1), conflict('version-mismatch', 'Changed meanwhile.')]) {
      const store = new MemoryStore();
      const err = await failure(request(store, async () => Promise.reject(error)).result);
      expect(err.message).toBe(error.message);
      expect(store.records.size).toBe(0);
      const retry = request(store, async () => ({ body: { ok: true } }));
      expect((await retry.result).statusCode).toBe(201);
      expect(retry.runs()).toBe(1);
    }
  });

  it('forgets the claim after an unexpected error, which leaves as a 500 with the correlation id', async () => {
    output = captureOutput();
    const store = new MemoryStore();
    const err = await failure(request(store, async () => Promise.reject(new Error('bug'))).result);
    expect(err.status).toBe(500);
    expect(err.message).toBe('Unexpected error. Correlation id: rid-1.');
    expect(store.records.size).toBe(0);
    expect(output.lines()).toEqual([expect.objectContaining({ message: 'unhandled error', requestId: 'rid-1' })]);
  });

  it('still answers with the original error when forgetting the claim fails', async () => {
    const store = new MemoryStore();
    store.failAbandon = true;
    const err = await failure(request(store, async () => Promise.reject(unavailable(1))).result);
    expect(err.status).toBe(503);
  });

  it('keeps nothing when the reply asks so (no consent), and answers all the same', async () => {
    const store = new MemoryStore();
    const res = await request(store, async () => ({ body: { offers: [] }, noStore: true })).result;
    expect(res.statusCode).toBe(201);
    expect(store.records.size).toBe(0);
  });
});
