import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import type { Principal } from '../../shared/auth/principal.js';
import { HttpError } from '../../shared/http/errors.js';
import { fingerprint, type IdempotentRun, runIdempotent, tableIdempotencyStore } from '../../shared/http/pipeline/idempotency.js';
import { successResponse } from '../../shared/http/pipeline/respond.js';
import type { Reply } from '../../shared/http/pipeline/types.js';
import { getDdb } from '../../shared/platform/clients.js';
import { newId } from '../../shared/platform/ids.js';
import { conflict, type DomainError, tooManyRequests, unavailable, unprocessable } from '../../shared/platform/errors.js';
import { table } from '../../shared/store/db.js';
import { IDEMPOTENCY_TTL_S, idempotencyPartition } from '../../shared/store/idempotency.js';
import { captureOutput } from '../support/output.js';
import { storedItems } from '../support/principal.js';

/** The pipeline's idempotency step against the real table (DynamoDB Local): claim, run, keep or forget. */

let output: ReturnType<typeof captureOutput> | undefined;
const cleanups: (() => unknown)[] = [];
afterEach(() => {
  output?.restore();
  for (const c of cleanups.splice(0).reverse()) c();
});

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

/** A DynamoDB attribute as the SDK sends it (marshalled) or as the document client takes it. */
const attr = (v: unknown) => (v && typeof v === 'object' && 'S' in v ? (v as { S: string }).S : v);

/**
 * Fault injection on the shared client: the first attempt of each claim (the PutItem that writes an in-flight
 * record in `partition`) reaches DynamoDB and is written, then its answer is lost, as when the table answers
 * after the SDK's request timeout: the SDK sees a TimeoutError and sends the same PutItem again. Returns the
 * attempts seen, per claim.
 */
function loseFirstClaimAnswer(partition: string) {
  const attempts: number[] = [];
  const name = `lose-claim-answer-${Math.random()}`;
  const stack = getDdb().middlewareStack;
  stack.add(
    (next, context) => async (args) => {
      const input = args.input as { Item?: Record<string, unknown> };
      const isClaim =
        context.commandName === 'PutItemCommand' && attr(input.Item?.pk) === partition && attr(input.Item?.state) === 'in_flight';
      if (!isClaim) return next(args);
      const lease = String(attr(input.Item?.lease));
      const seen = (context as { claimAttempt?: number }).claimAttempt ?? 0;
      (context as { claimAttempt?: number }).claimAttempt = seen + 1;
      attempts.push(seen + 1);
      const out = await next(args);
      if (seen === 0)
        throw Object.assign(new Error(`answer to the claim of lease ${lease} lost (injected)`), {
          name: 'TimeoutError',
          $metadata: {},
        });
      return out;
    },
    // Inside the SDK's retry loop (one call per attempt), before the response is read.
    { step: 'deserialize', priority: 'high', name },
  );
  cleanups.push(() => stack.remove(name));
  return { attempts };
}

describe('a claim the SDK sends twice (its first attempt was written, its answer lost)', () => {
  it("is still this request's claim: the request runs once and its response is kept, never a 409", async () => {
    const p = fresh();
    const lost = loseFirstClaimAnswer(idempotencyPartition(p.tenantId, p.keyId));
    const first = request(p, async () => ({ body: { id: 's_1' } }));
    const res = await first.result;
    // The SDK did retry the claim: two attempts of one PutItem, the first written.
    expect(lost.attempts).toEqual([1, 2]);
    expect(res.statusCode).toBe(201);
    expect(first.runs()).toBe(1);
    const [record] = await records(p);
    expect(record).toMatchObject({ state: 'done', response: { statusCode: 201, body: '{"id":"s_1"}' } });
    const retry = request(p, async () => ({ body: { id: 's_2' } }), { requestId: 'rid-2' });
    expect((await retry.result).headers).toMatchObject({ 'Idempotent-Replayed': 'true' });
    expect(retry.runs()).toBe(0);
  });

  it('takes over the expired lease of a request that answered 503: the retry runs afresh, never a 409', async () => {
    const p = fresh();
    const body = { name: 'a' };
    // The record a request that ran out of time leaves: in flight, its lease over.
    const expired = 'lease-of-the-request-that-answered-503';
    await getDdb().send(
      new PutCommand({
        TableName: table(),
        Item: {
          pk: idempotencyPartition(p.tenantId, p.keyId),
          sk: 'I#order-1',
          state: 'in_flight',
          fingerprint: fingerprint('createStore', body),
          lease: expired,
          leaseUntil: Date.now() - 1,
          ttl: Math.floor(Date.now() / 1000) + IDEMPOTENCY_TTL_S,
        },
      }),
    );
    const lost = loseFirstClaimAnswer(idempotencyPartition(p.tenantId, p.keyId));
    const retry = request(p, async () => ({ body: { id: 's_2' } }), { body });
    const res = await retry.result;
    expect(lost.attempts).toEqual([1, 2]);
    expect(res.statusCode).toBe(201);
    expect(retry.runs()).toBe(1);
    const [record] = await records(p);
    expect(record.lease).not.toBe(expired);
    expect(record).toMatchObject({ state: 'done', response: { statusCode: 201, body: '{"id":"s_2"}' } });
  });

  it('still refuses with 409 a claim of another request whose lease runs', async () => {
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
    const lost = loseFirstClaimAnswer(idempotencyPartition(p.tenantId, p.keyId));
    const second = request(p, async () => ({ body: {} }));
    const err = (await rejection(second.result)) as DomainError;
    expect(lost.attempts).toEqual([1]);
    expect([err.kind, err.code]).toEqual(['conflict', 'idempotency-in-flight']);
    expect(second.runs()).toBe(0);
    finish();
    expect((await first.result).statusCode).toBe(201);
  });
});
