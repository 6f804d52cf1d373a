import { describe, expect, it } from 'vitest';
import { api, expectProblem, newKey, newTenant, operatorKey } from '../support/api.js';

describe('errors are problem+json with the right status', () => {
  it('400 for a body that is not JSON', async () => {
    const p = expectProblem(
      await api('POST', '/v1/tenants', {
        key: await operatorKey(),
        rawBody: '{"name":',
        headers: { 'content-type': 'application/json' },
      }),
      400,
    );
    expect(p.detail).toMatch(/JSON/);
  });

  it('400 for a wrong content type', async () => {
    expectProblem(
      await api('POST', '/v1/tenants', {
        key: await operatorKey(),
        rawBody: 'name=x',
        headers: { 'content-type': 'text/plain' },
      }),
      400,
    );
  });

  it('401 without a key', async () => {
    expectProblem(await api('GET', '/v1/keys'), 401);
  });

  it('403 without the scope', async () => {
    const t = await newTenant();
    const k = await newKey(t.adminKey, { kind: 'secret', scopes: ['stores:read'] });
    expectProblem(await api('POST', '/v1/keys', { key: k.key, body: { name: 'x', kind: 'secret' } }), 403);
  });

  it('404 for an unknown route and an unknown method', async () => {
    expectProblem(await api('GET', '/v1/nothing-here'), 404);
    expectProblem(await api('PATCH', '/health'), 404);
  });

  it('404 for an unknown resource', async () => {
    const t = await newTenant();
    expectProblem(await api('DELETE', '/v1/keys/key_nope', { key: t.adminKey }), 404);
  });

  it('409 when an idempotency key is reused with another body, replay with the same body', async () => {
    const op = await operatorKey();
    const headers = { 'idempotency-key': `idem-${Date.now()}-${Math.random()}` };
    const first = await api('POST', '/v1/tenants', { key: op, body: { name: 'Once' }, headers });
    expect(first.status).toBe(201);
    const replay = await api('POST', '/v1/tenants', { key: op, body: { name: 'Once' }, headers });
    expect(replay.status).toBe(201);
    expect(replay.body).toEqual(first.body);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    const p = expectProblem(await api('POST', '/v1/tenants', { key: op, body: { name: 'Twice' }, headers }), 409);
    expect(p.type).toMatch(/idempotency-key-reused/);
  });

  it('413 for a body over 256 KiB', async () => {
    const p = expectProblem(
      await api('POST', '/v1/tenants', { key: await operatorKey(), body: { name: 'x'.repeat(300 * 1024) } }),
      413,
    );
    expect(p.detail).toContain('262144');
  });

  it('422 naming each bad field, without unknown fields slipping through', async () => {
    const t = await newTenant();
    const p = expectProblem(
      await api('POST', '/v1/keys', { key: t.adminKey, body: { name: '', kind: 'root', extra: 1, rateLimit: { rps: 0 } } }),
      422,
    );
    const paths = p.errors!.map((e) => e.path).sort();
    expect(paths).toEqual(expect.arrayContaining(['name', 'kind', 'rateLimit.rps', 'rateLimit.burst']));
    expect(p.errors!.some((e) => /extra/.test(e.message))).toBe(true);
  });

  it("429 with Retry-After over the key's rate limit", async () => {
    const t = await newTenant();
    const k = await newKey(t.adminKey, { kind: 'secret', scopes: ['keys:write'], rateLimit: { rps: 1, burst: 2 } });
    // 5 requests at once against rps 1 / burst 2: the burst passes, the rest wait (robust to a slow machine:
    // even if a second went by, at most one more token came back).
    const results = await Promise.all(Array.from({ length: 5 }, () => api('GET', '/v1/keys', { key: k.key })));
    const ok = results.filter((r) => r.status === 200);
    const limited = results.filter((r) => r.status === 429);
    expect(ok.length).toBeGreaterThanOrEqual(1);
    expect(limited.length).toBeGreaterThanOrEqual(2);
    expect(ok.length).toBeLessThanOrEqual(3);
    expect(ok.length + limited.length).toBe(5);
    for (const r of limited) {
      expectProblem(r, 429);
      expect(Number(r.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    }
    // other keys of the tenant are not affected
    expect((await api('GET', '/v1/keys', { key: t.adminKey })).status).toBe(200);
  });

  it('never echoes a key or a stack trace in an error', async () => {
    const bogus = `geo_sk_${'A'.repeat(38)}`;
    const res = await api('GET', '/v1/keys', { key: bogus });
    expect(JSON.stringify(res.body)).not.toContain(bogus);
    expect(JSON.stringify(res.body)).not.toMatch(/at .*\.ts:\d+/);
  });
});

describe('operational routes', () => {
  it('GET /health answers ok without a key', async () => {
    const res = await api('GET', '/health');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });
});
