import { describe, expect, it, vi } from 'vitest';
import { hashKey } from '../../shared/auth/apikey.js';
import { SCOPES } from '../../shared/auth/principal.js';
import { routes } from '../../shared/http/routes.js';
import { apiKeyHashKey, getApiKeyByHash } from '../../shared/store/apikeys.js';
import { tenantPartition } from '../../shared/store/keys.js';
import { rateLimitPartition } from '../../shared/store/ratelimit.js';
import { api, expectProblem, newKey, newTenant, operatorKey } from '../support/api.js';
import { storedItems } from '../support/principal.js';

describe('tenants and API keys', () => {
  it('creates a tenant whose admin key holds every scope and is shown once', async () => {
    const t = await newTenant('Acme Coffee');
    expect(t.adminKey).toMatch(/^geo_sk_[0-9A-Za-z]{38}$/);
    const list = await api('GET', '/v1/keys', { key: t.adminKey });
    expect(list.status).toBe(200);
    expect(list.body.items).toHaveLength(1);
    expect(list.body.items[0].scopes).toHaveLength(SCOPES.length);
    expect(list.body.items[0]).not.toHaveProperty('key');
    expect(list.body.items[0]).not.toHaveProperty('hash');
    expect(list.body.items[0].prefix).toBe(t.adminKey.slice(0, 12));
  });

  it('stores no plaintext key anywhere in the table', async () => {
    const t = await newTenant();
    const secret = await newKey(t.adminKey, { kind: 'secret', scopes: ['stores:read'] });
    const publishable = await newKey(t.adminKey, { kind: 'publishable' });
    const all = [t.adminKey, secret.key, publishable.key, await operatorKey()];
    const ids = await Promise.all(all.map(async (k) => (await getApiKeyByHash(hashKey(k)))!.id));
    // Everywhere these keys can be stored: the tenant's partition (tenant, key listings), the key-hash items, the rate limits.
    const read = () =>
      storedItems({
        partitions: [tenantPartition(t.id), ...ids.map(rateLimitPartition)],
        keys: all.map((k) => apiKeyHashKey(hashKey(k))),
      });
    // The rate-limit counts of the keys that made requests (the admin and operator keys) are reported in the background.
    const rateLimited = (items: Record<string, unknown>[]) => [
      ...new Set(items.filter((i) => 'admitted' in i).map((i) => String(i.pk))),
    ];
    const items = await vi.waitFor(
      async () => {
        const got = await read();
        expect(rateLimited(got).sort()).toEqual([ids[0], ids[3]].map(rateLimitPartition).sort());
        return got;
      },
      { timeout: 5000, interval: 100 },
    );
    expect(items.filter((i) => i.sk === 'TENANT' || String(i.sk).startsWith('APIKEY#'))).toHaveLength(4);
    const dump = JSON.stringify(items);
    for (const k of all) {
      expect(dump).not.toContain(k);
      expect(dump).not.toContain(k.slice(12)); // not even the secret part
      expect(dump).toContain(hashKey(k));
    }
  });

  it('answers 401 for a revoked key, at once', async () => {
    const t = await newTenant();
    const k = await newKey(t.adminKey, { kind: 'secret', scopes: ['keys:write'] });
    expect((await api('GET', '/v1/keys', { key: k.key })).status).toBe(200);
    expect((await api('DELETE', `/v1/keys/${k.id}`, { key: t.adminKey })).status).toBe(204);
    expectProblem(await api('GET', '/v1/keys', { key: k.key }), 401);
    const listed = await api('GET', '/v1/keys', { key: t.adminKey });
    expect(listed.body.items.find((x: { id: string }) => x.id === k.id).revokedAt).toEqual(expect.any(String));
  });

  it('answers 401 for an expired key', async () => {
    const t = await newTenant();
    // Far enough ahead for a busy machine to create the key and use it once before it expires.
    const expiresAt = Date.now() + 4000;
    const k = await newKey(t.adminKey, { kind: 'secret', scopes: ['keys:write'], expiresAt: new Date(expiresAt).toISOString() });
    const before = await api('GET', '/v1/keys', { key: k.key });
    if (Date.now() < expiresAt) expect(before.status).toBe(200);
    await new Promise((r) => setTimeout(r, Math.max(0, expiresAt - Date.now()) + 200));
    expectProblem(await api('GET', '/v1/keys', { key: k.key }), 401);
  });

  it('answers 401 for missing, malformed, bad-checksum and unknown keys', async () => {
    const t = await newTenant();
    expectProblem(await api('GET', '/v1/keys'), 401);
    expectProblem(await api('GET', '/v1/keys', { key: 'not-a-key' }), 401);
    const flipped = t.adminKey.slice(0, -1) + (t.adminKey.endsWith('A') ? 'B' : 'A');
    expectProblem(await api('GET', '/v1/keys', { key: flipped }), 401);
    expectProblem(await api('GET', '/v1/keys', { key: 'geo_sk_00000000000000000000000000000000' + '000000' }), 401);
  });

  it('accepts the key in x-api-key as well as Authorization', async () => {
    const t = await newTenant();
    const res = await api('GET', '/v1/keys', { headers: { 'x-api-key': t.adminKey } });
    expect(res.status).toBe(200);
    expect(res.body.items).toHaveLength(1);
  });

  it('answers 403 when the key lacks the scope', async () => {
    const t = await newTenant();
    const k = await newKey(t.adminKey, { kind: 'secret', scopes: ['stores:read'] });
    const p = expectProblem(await api('GET', '/v1/keys', { key: k.key }), 403);
    expect(p.detail).toContain('keys:write');
  });

  it('refuses a publishable key on every route but offers and redemption', async () => {
    const t = await newTenant();
    const pk = await newKey(t.adminKey, { kind: 'publishable' });
    const open = new Set<string>(['none', 'offers:write', 'offers:redeem']);
    const guarded = routes.filter((r) => !open.has(r.auth));
    expect(guarded.length).toBeGreaterThan(3);
    for (const r of guarded) {
      const path = r.path.replace(/\{\w+\}/g, 'x_1');
      // With a valid shopper token (without one every route is 401: test/int/shopper-tokens.test.ts).
      const res = await api(r.method, path, {
        key: pk.key,
        shopper: 'app-user',
        body: r.method === 'GET' || r.method === 'DELETE' ? undefined : {},
      });
      expect({ route: r.id, status: res.status }).toEqual({ route: r.id, status: 403 });
    }
  });

  it('never gives a publishable key another scope', async () => {
    const t = await newTenant();
    const res = await api('POST', '/v1/keys', {
      key: t.adminKey,
      body: { name: 'app', kind: 'publishable', scopes: ['offers:write', 'stores:read'] },
    });
    const p = expectProblem(res, 422);
    expect(p.errors).toEqual([{ path: 'scopes[1]', message: expect.stringContaining('publishable') }]);
    const ok = await api('POST', '/v1/keys', { key: t.adminKey, body: { name: 'app', kind: 'publishable' } });
    expect(ok.status).toBe(201);
    expect(ok.body.scopes).toEqual(['offers:write', 'offers:redeem']);
    expect(ok.body.key).toMatch(/^geo_pk_/);
    expect(ok.body.rateLimit).toEqual({ rps: 500, burst: 1000 });
  });

  it("answers 404 for another tenant's key id", async () => {
    const a = await newTenant();
    const b = await newTenant();
    const bKey = await newKey(b.adminKey, { kind: 'secret', scopes: ['stores:read'] });
    expectProblem(await api('DELETE', `/v1/keys/${bKey.id}`, { key: a.adminKey }), 404);
    // and the key still works for its own tenant's (absent) scope check: not revoked
    expect((await api('GET', '/v1/keys', { key: bKey.key })).status).toBe(403);
  });

  it('keeps the operator key out of tenant data', async () => {
    const op = await operatorKey();
    expectProblem(await api('GET', '/v1/keys', { key: op }), 403);
    expectProblem(await api('POST', '/v1/keys', { key: op, body: { name: 'x', kind: 'secret' } }), 403);
  });

  it('only lets the operator key create tenants', async () => {
    const t = await newTenant();
    expectProblem(await api('POST', '/v1/tenants', { key: t.adminKey, body: { name: 'Evil' } }), 403);
  });

  it('does not let a key grant scopes it does not hold', async () => {
    const t = await newTenant();
    const k = await newKey(t.adminKey, { kind: 'secret', scopes: ['keys:write'] });
    const res = await api('POST', '/v1/keys', { key: k.key, body: { name: 'x', kind: 'secret', scopes: ['stats:read'] } });
    expectProblem(res, 403);
  });

  it('pages keys with a cursor and refuses a cursor from another tenant', async () => {
    const a = await newTenant();
    for (let i = 0; i < 3; i++) await newKey(a.adminKey, { kind: 'secret', scopes: ['stores:read'] });
    const p1 = await api('GET', '/v1/keys?limit=2', { key: a.adminKey });
    expect(p1.body.items).toHaveLength(2);
    expect(p1.body.nextCursor).toEqual(expect.any(String));
    const p2 = await api('GET', `/v1/keys?limit=2&cursor=${p1.body.nextCursor}`, { key: a.adminKey });
    expect(p2.body.items).toHaveLength(2);
    const ids = new Set([...p1.body.items, ...p2.body.items].map((k: { id: string }) => k.id));
    expect(ids.size).toBe(4);
    const b = await newTenant();
    const foreign = expectProblem(await api('GET', `/v1/keys?cursor=${p1.body.nextCursor}`, { key: b.adminKey }), 422);
    expect(foreign.errors?.[0].path).toBe('cursor');
    expectProblem(await api('GET', '/v1/keys?limit=101', { key: a.adminKey }), 422);
    expectProblem(await api('GET', '/v1/keys?limit=0', { key: a.adminKey }), 422);
  });
});
