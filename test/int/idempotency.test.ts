import type { APIGatewayProxyResult } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import type { Principal } from '../../shared/auth/principal.js';
import { HttpError } from '../../shared/http/errors.js';
import { type IdempotentRun, runIdempotent, tableIdempotencyStore } from '../../shared/http/pipeline/idempotency.js';
import { successResponse } from '../../shared/http/pipeline/respond.js';
import type { Reply } from '../../shared/http/pipeline/types.js';
import { newId } from '../../shared/platform/ids.js';
import { conflict, type DomainError, tooManyRequests, unavailable, unprocessable } from '../../shared/platform/errors.js';
import { idempotencyPartition } from '../../shared/store/idempotency.js';
import { captureOutput } from '../support/output.js';
import { storedItems } from '../support/principal.js';

/** The pipeline's idempotency step against the real table (DynamoDB Local): claim, run, keep or forget. */

let output: ReturnType<typeof captureOutput> | undefined;
afterEach(() => output?.restore());

/** A principal of its own per test: its records live in a partition no other test touches. */
const fresh = (): Principal => ({ kind: 'secret', keyId: newId('k'), tenantId: newId('t'), scopes: [], storeIds: [] });

const records = (p: Principal) => storedItems({ partitions: [idempotencyPartition(p.tenantId, p.keyId)] });

function request(
  principal: Principal,
  run: () => Promise<Reply>,
  over: Partial<IdempotentRun> = {},
  store = tableIdempotencyStore,
) {
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

async function rejection(p: Promise<APIGatewayProxyResult>): Promise<unknown> {
  return p.then(
    () => expect.unreachable('the run should fail'),
    (e: unknown) => e,
  );
}

async function failure(p: Promise<APIGatewayProxyResult>): Promise<HttpError> {
  const err = await rejection(p);
  expect(err).toBeInstanceOf(HttpError);
  return err as HttpError;
}

describe('an idempotent request', () => {
  it('keeps the first response and replays it to a retry with the same body, without running it again', async () => {
    const p = fresh();
    const first = request(p, async () => ({ body: { id: 's_1' }, shopperId: 'sh_1' }));
    const res = await first.result;
    expect(res).toEqual({
      statusCode: 201,
      headers: { 'Content-Type': 'application/json', 'X-Request-Id': 'rid-1' },
      body: '{"id":"s_1"}',
    });
    expect(await records(p)).toHaveLength(1);

    const retry = request(p, async () => ({ body: { id: 's_2' } }), { requestId: 'rid-2', body: { name: 'a' } });
    expect(await retry.result).toEqual({ ...res, headers: { ...res.headers, 'Idempotent-Replayed': 'true' } });
    expect(retry.runs()).toBe(0);
  });

  it('answers 409 to the same key with another body', async () => {
    const p = fresh();
    await request(p, async () => ({ body: {} })).result;
    const other = request(p, async () => ({ body: {} }), { body: { name: 'b' } });
    const err = (await rejection(other.result)) as DomainError;
    expect([err.kind, err.code]).toEqual(['conflict', 'idempotency-key-reused']);
    expect(other.runs()).toBe(0);
  });

  it('answers 409 to a retry while the first request still runs', async () => {
    const p = fresh();
    let finish!: () => void;
    let started!: () => void;
    const running = new Promise<void>((r) => {
      started = r;
    });
    const first = request(
      p,
      () =>
        new Promise<Reply>((resolve) => {
          finish = () => resolve({ body: {} });
          started();
        }),
    );
    await running;
    const err = (await rejection(request(p, async () => ({ body: {} })).result)) as DomainError;
    expect([err.kind, err.code]).toEqual(['conflict', 'idempotency-in-flight']);
    finish();
    expect((await first.result).statusCode).toBe(201);
  });

  it('keeps a client error for replay: the retry gets the same 422 without running', async () => {
    const p = fresh();
    const first = await failure(
      request(p, async () => Promise.reject(unprocessable([{ path: 'name', message: 'Taken.' }]))).result,
    );
    expect(first.status).toBe(422);
    const retry = request(p, async () => ({ body: {} }), { requestId: 'rid-2' });
    const replayed = await retry.result;
    expect(retry.runs()).toBe(0);
    expect(replayed.statusCode).toBe(422);
    expect(replayed.headers).toMatchObject({ 'Idempotent-Replayed': 'true', 'X-Request-Id': 'rid-1' });
    expect(JSON.parse(replayed.body).errors).toEqual([{ path: 'name', message: 'Taken.' }]);
  });

  it('forgets the claim after a 503, 429 or 409 so that the retry runs', async () => {
    for (const error of [unavailable(2), tooManyRequests(1), conflict('version-mismatch', 'Changed meanwhile.')]) {
      const p = fresh();
      const err = await failure(request(p, async () => Promise.reject(error)).result);
      expect(err.message).toBe(error.message);
      expect(await records(p)).toEqual([]);
      const retry = request(p, async () => ({ body: { ok: true } }));
      expect((await retry.result).statusCode).toBe(201);
      expect(retry.runs()).toBe(1);
    }
  });

  it('forgets the claim after an unexpected error, which leaves as a 500 with its correlation id', async () => {
    output = captureOutput();
    const p = fresh();
    const err = await failure(request(p, async () => Promise.reject(new Error('bug'))).result);
    expect(err.status).toBe(500);
    expect(err.message).toMatch(/^Unexpected error\. Correlation id: rid-1\.[0-9a-f]{8}\.$/);
    expect(await records(p)).toEqual([]);
  });

  it('still answers with the original error when forgetting the claim fails', async () => {
    const p = fresh();
    // Fault injection: the table's abandon call fails; begin and complete are the real ones.
    const failingAbandon = { ...tableIdempotencyStore, abandon: () => Promise.reject(new Error('table unavailable')) };
    const err = await failure(request(p, async () => Promise.reject(unavailable(1)), {}, failingAbandon).result);
    expect(err.status).toBe(503);
  });

  it('keeps nothing when the reply asks so (no consent), and answers all the same', async () => {
    const p = fresh();
    const res = await request(p, async () => ({ body: { offers: [] }, noStore: true })).result;
    expect(res.statusCode).toBe(201);
    expect(await records(p)).toEqual([]);
  });
});
