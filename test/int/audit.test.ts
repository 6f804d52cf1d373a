import { beforeAll, describe, expect, it } from 'vitest';
import { DAY_S } from '../../shared/store/db.js';
import { type AuditEntry, putAuditEntry } from '../../shared/store/audit.js';
import { api, expectProblem, newKey, newTenant, unique } from '../support/api.js';
import { CONSENT, createStore } from '../support/marketing.js';

const FIRST_NAME = 'Zubeldiaxquux';

/** Every entry of the tenant's log (one page of 100 is enough for one test's tenant). */
async function auditOf(key: string, query = ''): Promise<AuditEntry[]> {
  const res = await api('GET', `/v1/audit?limit=100${query}`, { key });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  expect(res.body.nextCursor).toBeNull();
  return res.body.items;
}

describe('the access audit log', () => {
  let t: { id: string; adminKey: string };
  let worker: { id: string; key: string };
  const shopperId = unique('audited');
  const rid = (what: string) => unique(`rid-${what}`);
  const sent: Record<string, string> = {};
  const secrets: string[] = [];
  let madeKey: { id: string; key: string };

  /** One call of the worker key with its own X-Request-Id, remembered under `action`. */
  async function act(action: string, method: string, path: string, body?: unknown) {
    sent[action] = rid(action.replace('.', '-'));
    return api(method, path, { key: worker.key, body, headers: { 'x-request-id': sent[action] } });
  }

  beforeAll(async () => {
    t = await newTenant();
    worker = await newKey(t.adminKey, { kind: 'secret' });
    expect(
      (await act('shopper.write', 'PUT', `/v1/shoppers/${shopperId}`, { consent: CONSENT, firstName: FIRST_NAME })).status,
    ).toBe(200);
    expect((await act('shopper.read', 'GET', `/v1/shoppers/${shopperId}`)).body.firstName).toBe(FIRST_NAME);
    const exported = await act('shopper.export', 'GET', `/v1/shoppers/${shopperId}/export`);
    expect(exported.body.profile.firstName).toBe(FIRST_NAME);
    const created = await act('key.create', 'POST', '/v1/keys', { name: unique('key'), kind: 'secret', scopes: ['stores:read'] });
    expect(created.status).toBe(201);
    madeKey = { id: created.body.id, key: created.body.key };
    expect((await act('key.revoke', 'DELETE', `/v1/keys/${madeKey.id}`)).status).toBe(204);
    const hook = await act('webhook.set', 'PUT', '/v1/webhook', { url: 'http://127.0.0.1:9/hook' });
    expect(hook.status).toBe(200);
    const rotated = await act('webhook.rotate', 'POST', '/v1/webhook/rotate-secret');
    expect(rotated.status).toBe(200);
    secrets.push(hook.body.secret, rotated.body.secret);
    expect((await act('shopper.erase', 'DELETE', `/v1/shoppers/${shopperId}`)).status).toBe(204);
  }, 120_000);

  it('records the export and the erasure of a shopper with the key that did them and the request id', async () => {
    const entries = await auditOf(t.adminKey);
    for (const action of ['shopper.export', 'shopper.erase']) {
      const found = entries.filter((e) => e.action === action);
      expect(found).toEqual([
        { at: expect.any(String), keyId: worker.id, action, resource: 'shopper', resourceId: shopperId, requestId: sent[action] },
      ]);
    }
  });

  it('records every action once, newest first, with its resource', async () => {
    const mine = (await auditOf(t.adminKey)).filter((e) => e.keyId === worker.id);
    expect(mine.map((e) => [e.action, e.resource, e.resourceId, e.requestId])).toEqual(
      [
        ['shopper.write', 'shopper', shopperId],
        ['shopper.read', 'shopper', shopperId],
        ['shopper.export', 'shopper', shopperId],
        ['key.create', 'key', madeKey.id],
        ['key.revoke', 'key', madeKey.id],
        ['webhook.set', 'webhook', 'webhook'],
        ['webhook.rotate', 'webhook', 'webhook'],
        ['shopper.erase', 'shopper', shopperId],
      ]
        .map(([action, resource, id]) => [action, resource, id, sent[action]])
        .reverse(),
    );
    const times = mine.map((e) => Date.parse(e.at));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    // The worker key's own creation, by the admin key.
    const made = (await auditOf(t.adminKey)).filter((e) => e.action === 'key.create' && e.resourceId === worker.id);
    expect(made).toHaveLength(1);
    expect(made[0].keyId).not.toBe(worker.id);
  });

  it('records nothing for an action that failed', async () => {
    const missing = unique('nobody');
    expectProblem(await api('GET', `/v1/shoppers/${missing}`, { key: worker.key }), 404);
    expectProblem(await api('DELETE', '/v1/keys/key_nosuchkey', { key: worker.key }), 404);
    const other = await newTenant();
    expectProblem(await api('POST', '/v1/webhook/rotate-secret', { key: other.adminKey }), 404);
    const entries = await auditOf(t.adminKey);
    expect(entries.filter((e) => e.resourceId === missing || e.resourceId === 'key_nosuchkey')).toEqual([]);
    expect((await auditOf(other.adminKey)).filter((e) => e.action === 'webhook.rotate')).toEqual([]);
  });

  it('holds no profile field, secret or key value', async () => {
    const json = JSON.stringify(await auditOf(t.adminKey));
    expect(json).toContain(shopperId);
    for (const value of [FIRST_NAME, madeKey.key, worker.key, t.adminKey, ...secrets]) expect(json).not.toContain(value);
  });

  it("is tenant-isolated: another tenant's log holds none of these entries", async () => {
    const other = await newTenant();
    // The same shopper id in the other tenant: its own entry, and only that.
    expect((await api('PUT', `/v1/shoppers/${shopperId}`, { key: other.adminKey, body: { consent: CONSENT } })).status).toBe(200);
    const theirs = await auditOf(other.adminKey);
    expect(theirs.filter((e) => e.resourceId === shopperId).map((e) => e.action)).toEqual(['shopper.write']);
    expect(theirs.filter((e) => e.keyId === worker.id || Object.values(sent).includes(e.requestId))).toEqual([]);
  });

  it('refuses a store-restricted key and a key without settings:write (403)', async () => {
    const store = await createStore(t.adminKey, { name: unique('store'), location: { lat: 43.26, lng: -2.93 } });
    const restricted = await newKey(t.adminKey, { kind: 'secret', scopes: ['settings:write'], storeIds: [store.id] });
    expectProblem(await api('GET', '/v1/audit', { key: restricted.key }), 403);
    const reader = await newKey(t.adminKey, { kind: 'secret', scopes: ['shoppers:read', 'keys:write'] });
    expectProblem(await api('GET', '/v1/audit', { key: reader.key }), 403);
    const allowed = await newKey(t.adminKey, { kind: 'secret', scopes: ['settings:write'] });
    expect((await api('GET', '/v1/audit', { key: allowed.key })).status).toBe(200);
  });

  it('filters on from and to, both inclusive', async () => {
    const all = await auditOf(t.adminKey);
    expect(all.length).toBeGreaterThanOrEqual(5);
    const from = all[3].at;
    const to = all[1].at;
    const inRange = all.filter((e) => e.at >= from && e.at <= to);
    expect(inRange.length).toBeGreaterThanOrEqual(3);
    expect(await auditOf(t.adminKey, `&from=${from}&to=${to}`)).toEqual(inRange);
    expect(await auditOf(t.adminKey, `&from=${from}`)).toEqual(all.filter((e) => e.at >= from));
    expect(await auditOf(t.adminKey, `&to=${to}`)).toEqual(all.filter((e) => e.at <= to));
    // An offset is the same instant.
    const plus2 = new Date(Date.parse(from) + 2 * 3600_000).toISOString().replace('Z', '+02:00');
    expect(await auditOf(t.adminKey, `&from=${encodeURIComponent(plus2)}&to=${to}`)).toEqual(inRange);
  });

  it('names the field of a malformed or reversed range (422)', async () => {
    const get = (q: string) => api('GET', `/v1/audit?${q}`, { key: t.adminKey });
    expect(expectProblem(await get('from=yesterday'), 422).errors?.map((e) => e.path)).toEqual(['from']);
    expect(expectProblem(await get('to=2026-13-01T00:00:00Z'), 422).errors?.map((e) => e.path)).toEqual(['to']);
    const reversed = expectProblem(await get('from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z'), 422);
    expect(reversed.errors?.map((e) => e.path)).toEqual(['from']);
  });

  it('pages with limit=2 through every entry once', async () => {
    const all = await auditOf(t.adminKey);
    const seen: AuditEntry[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: { status: number; body: { items: AuditEntry[]; nextCursor: string | null } } = await api(
        'GET',
        `/v1/audit?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        { key: t.adminKey },
      );
      expect(res.status).toBe(200);
      expect(res.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...res.body.items);
      cursor = res.body.nextCursor;
      pages++;
    } while (cursor && pages < 50);
    expect(seen).toEqual(all);
    expect(pages).toBeGreaterThanOrEqual(Math.ceil(all.length / 2));
  });

  it("refuses a cursor outside the range or of another tenant's log (422)", async () => {
    const all = await auditOf(t.adminKey);
    const first = await api('GET', '/v1/audit?limit=2', { key: t.adminKey });
    const cursor = encodeURIComponent(first.body.nextCursor);
    const earlier = all[all.length - 1].at;
    expectProblem(await api('GET', `/v1/audit?limit=2&to=${earlier}&cursor=${cursor}`, { key: t.adminKey }), 422);
    const other = await newTenant();
    expectProblem(await api('GET', `/v1/audit?cursor=${cursor}`, { key: other.adminKey }), 422);
  });

  it('leaves out entries past their 400 days', async () => {
    const tenant = await newTenant();
    const entry = (daysAgo: number, resourceId: string): AuditEntry => ({
      at: new Date(Date.now() - daysAgo * DAY_S * 1000).toISOString(),
      keyId: 'key_old',
      action: 'shopper.read',
      resource: 'shopper',
      resourceId,
      requestId: 'rid-old',
    });
    await putAuditEntry(tenant.id, entry(401, 'expired'));
    await putAuditEntry(tenant.id, entry(399, 'kept'));
    expect((await auditOf(tenant.adminKey)).map((e) => e.resourceId)).toEqual(['kept']);
  });
});
