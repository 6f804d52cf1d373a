import { describe, expect, it } from 'vitest';
import { api, expectProblem, newKey } from '../support/api.js';
import {
  OFFER,
  circle,
  createCampaign,
  createFence,
  createPartner,
  createStore,
  marketingTenant,
  offersFor,
  putShopper,
} from '../support/marketing.js';

const HERE = { lat: 41.4036, lng: 2.1744 };
const THERE = { lat: 41.3809, lng: 2.1228 };

const paths = (p: { errors?: { path: string }[] }) => (p.errors ?? []).map((e) => e.path).sort();

describe('campaign lifecycle', () => {
  it('creates, reads, lists, patches and deletes a campaign', async () => {
    const t = await marketingTenant();
    const store = await createStore(t.key, { name: 'Sagrada Família', location: HERE });
    const fence = await createFence(t.key, { storeId: store.id, geometry: circle(HERE, 200) });
    const body = {
      name: 'Spring sale',
      kind: 'location',
      status: 'draft',
      geofenceIds: [fence.id],
      audience: { match: 'all', rules: [{ attribute: 'priceSensitivity', op: 'eq', value: 'high' }] },
      offer: { title: 'Hi {{firstName}}', body: '10% off at {{storeName}}', code: 'SPRING10', validForMinutes: 120 },
      schedule: { timezone: 'Europe/Madrid', daysOfWeek: [1, 2, 3, 4, 5], hours: { from: '09:00', to: '21:00' } },
      budget: { maxOffers: 1000 },
      frequencyCap: { maxOffers: 2, perHours: 24 },
      holdoutPercent: 10,
      priority: 5,
      minConfidence: 'medium',
    };
    const created = await api('POST', '/v1/campaigns', { key: t.key, body });
    expect(created.status).toBe(201);
    const c = created.body;
    expect(c).toMatchObject({ ...body, partnerId: null });
    expect(c.id).toEqual(expect.any(String));
    expect(Date.parse(c.createdAt)).toBeGreaterThan(Date.now() - 60_000);
    expect(c.updatedAt).toBe(c.createdAt);

    const got = await api('GET', `/v1/campaigns/${c.id}`, { key: t.key });
    expect(got.status).toBe(200);
    expect(got.body).toEqual(c);

    const minimal = await createCampaign(t.key, { name: 'Defaults', status: undefined, geofenceIds: [fence.id] });
    expect(minimal).toMatchObject({
      status: 'draft',
      holdoutPercent: 0,
      priority: 0,
      minConfidence: 'low',
      partnerId: null,
      offer: OFFER,
    });

    const list = await api('GET', '/v1/campaigns', { key: t.key });
    expect(list.status).toBe(200);
    expect(list.body.items.map((x: { id: string }) => x.id).sort()).toEqual([c.id, minimal.id].sort());
    const page1 = await api('GET', '/v1/campaigns?limit=1', { key: t.key });
    expect(page1.body.items).toHaveLength(1);
    const page2 = await api('GET', `/v1/campaigns?limit=1&cursor=${page1.body.nextCursor}`, { key: t.key });
    expect([page1.body.items[0].id, page2.body.items[0].id].sort()).toEqual([c.id, minimal.id].sort());

    const patched = await api('PATCH', `/v1/campaigns/${c.id}`, {
      key: t.key,
      body: { name: 'Spring sale II', status: 'active', budget: null, priority: -3 },
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({
      id: c.id,
      name: 'Spring sale II',
      status: 'active',
      priority: -3,
      kind: 'location',
      geofenceIds: [fence.id],
      audience: body.audience,
      offer: body.offer,
      schedule: body.schedule,
      frequencyCap: body.frequencyCap,
      holdoutPercent: 10,
      minConfidence: 'medium',
      createdAt: c.createdAt,
    });
    expect(patched.body).not.toHaveProperty('budget');
    expect(Date.parse(patched.body.updatedAt)).toBeGreaterThanOrEqual(Date.parse(c.updatedAt));
    expect((await api('GET', `/v1/campaigns/${c.id}`, { key: t.key })).body).toEqual(patched.body);

    const kindChange = expectProblem(
      await api('PATCH', `/v1/campaigns/${c.id}`, { key: t.key, body: { kind: 'local_partner' } }),
      422,
    );
    expect(paths(kindChange)).toEqual(['kind']);

    expect((await api('DELETE', `/v1/campaigns/${c.id}`, { key: t.key })).status).toBe(204);
    expectProblem(await api('GET', `/v1/campaigns/${c.id}`, { key: t.key }), 404);
    expectProblem(await api('DELETE', `/v1/campaigns/${c.id}`, { key: t.key }), 404);
    const after = await api('GET', '/v1/campaigns', { key: t.key });
    expect(after.body.items.map((x: { id: string }) => x.id)).toEqual([minimal.id]);
  });

  it('fires only while active: draft and paused campaigns make no offers', async () => {
    const t = await marketingTenant();
    const fence = await createFence(t.key, { geometry: circle(HERE, 200) });
    const c = await createCampaign(t.key, { status: 'draft', geofenceIds: [fence.id] });
    await putShopper(t.key, 'shopper-1');
    const ask = async () => (await offersFor(t.key, { shopperId: 'shopper-1', location: HERE })).offers.map((o) => o.campaignId);
    expect(await ask()).toEqual([]);
    await api('PATCH', `/v1/campaigns/${c.id}`, { key: t.key, body: { status: 'active' } });
    expect(await ask()).toEqual([c.id]);
    await api('PATCH', `/v1/campaigns/${c.id}`, { key: t.key, body: { status: 'paused' } });
    expect(await ask()).toEqual([]);
  });

  it('moves with its geofences: after a PATCH it fires on the new fence only and the old fence can be deleted', async () => {
    const t = await marketingTenant();
    const a = await createFence(t.key, { geometry: circle(HERE, 200) });
    const b = await createFence(t.key, { geometry: circle(THERE, 200) });
    const c = await createCampaign(t.key, { geofenceIds: [a.id] });
    await putShopper(t.key, 'mover');
    const at = async (p: typeof HERE) =>
      (await offersFor(t.key, { shopperId: 'mover', location: p })).offers.map((o) => o.campaignId);
    expect(await at(HERE)).toEqual([c.id]);
    expect(await at(THERE)).toEqual([]);
    const moved = await api('PATCH', `/v1/campaigns/${c.id}`, { key: t.key, body: { geofenceIds: [b.id] } });
    expect(moved.body.geofenceIds).toEqual([b.id]);
    expect(await at(HERE)).toEqual([]);
    expect(await at(THERE)).toEqual([c.id]);
    expect((await api('DELETE', `/v1/geofences/${a.id}`, { key: t.key })).status).toBe(204);
    expectProblem(await api('DELETE', `/v1/geofences/${b.id}`, { key: t.key }), 409);
  });
});

describe('campaign isolation', () => {
  it("answers 404 for another tenant's campaign on every campaign route", async () => {
    const a = await marketingTenant();
    const b = await marketingTenant();
    const fence = await createFence(b.key, { geometry: circle(HERE, 200) });
    const c = await createCampaign(b.key, { geofenceIds: [fence.id] });
    const calls: [string, string, unknown?][] = [
      ['GET', `/v1/campaigns/${c.id}`],
      ['PATCH', `/v1/campaigns/${c.id}`, { name: 'stolen' }],
      ['DELETE', `/v1/campaigns/${c.id}`],
      ['GET', `/v1/campaigns/${c.id}/stats`],
    ];
    for (const [method, path, body] of calls) {
      const res = await api(method, path, { key: a.key, body });
      expect({ method, path, status: res.status }).toEqual({ method, path, status: 404 });
      expectProblem(res, 404);
    }
    expect((await api('GET', '/v1/campaigns', { key: a.key })).body.items).toEqual([]);
    const still = await api('GET', `/v1/campaigns/${c.id}`, { key: b.key });
    expect(still.status).toBe(200);
    expect(still.body.name).toBe('campaign');
  });

  it("answers 403 to a store-restricted key for campaigns that use another store's or a tenant-wide geofence", async () => {
    const t = await marketingTenant();
    const mine = await createStore(t.key, { name: 'mine', location: HERE });
    const other = await createStore(t.key, { name: 'other', location: THERE });
    const gMine = await createFence(t.key, { storeId: mine.id, geometry: circle(HERE, 200) });
    const gOther = await createFence(t.key, { storeId: other.id, geometry: circle(THERE, 200) });
    const gWide = await createFence(t.key, { geometry: circle(THERE, 500) });
    const cMine = await createCampaign(t.key, { name: 'mine', geofenceIds: [gMine.id] });
    const cOther = await createCampaign(t.key, { name: 'other', geofenceIds: [gOther.id] });
    const cMixed = await createCampaign(t.key, { name: 'mixed', geofenceIds: [gMine.id, gOther.id] });
    const cWide = await createCampaign(t.key, { name: 'wide', geofenceIds: [gWide.id] });
    const k = await newKey(t.adminKey, {
      kind: 'secret',
      scopes: ['campaigns:read', 'campaigns:write', 'stats:read'],
      storeIds: [mine.id],
    });

    for (const c of [cOther, cMixed, cWide]) {
      const calls: [string, string, unknown?][] = [
        ['GET', `/v1/campaigns/${c.id}`],
        ['PATCH', `/v1/campaigns/${c.id}`, { name: 'x' }],
        ['DELETE', `/v1/campaigns/${c.id}`],
        ['GET', `/v1/campaigns/${c.id}/stats`],
      ];
      for (const [method, path, body] of calls) {
        const res = await api(method, path, { key: k.key, body });
        expect({ campaign: c.name, method, status: res.status }).toEqual({ campaign: c.name, method, status: 403 });
        expectProblem(res, 403);
      }
    }
    for (const geofenceIds of [[gOther.id], [gMine.id, gOther.id], [gWide.id]]) {
      const res = await api('POST', '/v1/campaigns', {
        key: k.key,
        body: { name: 'x', kind: 'location', geofenceIds, offer: OFFER },
      });
      expect({ geofenceIds, status: res.status }).toEqual({ geofenceIds, status: 403 });
    }
    expectProblem(
      await api('PATCH', `/v1/campaigns/${cMine.id}`, { key: k.key, body: { geofenceIds: [gMine.id, gOther.id] } }),
      403,
    );

    expect((await api('GET', `/v1/campaigns/${cMine.id}`, { key: k.key })).status).toBe(200);
    expect((await api('GET', `/v1/campaigns/${cMine.id}/stats`, { key: k.key })).status).toBe(200);
    const own = await api('POST', '/v1/campaigns', {
      key: k.key,
      body: { name: 'own', kind: 'location', geofenceIds: [gMine.id], offer: OFFER },
    });
    expect(own.status).toBe(201);
    const listed = await api('GET', '/v1/campaigns', { key: k.key });
    expect(listed.body.items.map((c: { id: string }) => c.id).sort()).toEqual([cMine.id, own.body.id].sort());
    // Nothing the restricted key was refused has changed.
    for (const c of [cOther, cMixed, cWide]) {
      const got = await api('GET', `/v1/campaigns/${c.id}`, { key: t.key });
      expect(got.status).toBe(200);
      expect(got.body.name).toBe(c.name);
    }
    expect((await api('GET', `/v1/campaigns/${cMine.id}`, { key: t.key })).body.geofenceIds).toEqual([gMine.id]);
  });
});

describe('campaign validation', () => {
  it("refuses another tenant's geofence with 422 naming geofenceIds[i]", async () => {
    const a = await marketingTenant();
    const b = await marketingTenant();
    const own = await createFence(a.key, { geometry: circle(HERE, 200) });
    const foreign = await createFence(b.key, { geometry: circle(HERE, 200) });
    const first = expectProblem(
      await api('POST', '/v1/campaigns', {
        key: a.key,
        body: { name: 'x', kind: 'location', geofenceIds: [foreign.id], offer: OFFER },
      }),
      422,
    );
    expect(paths(first)).toEqual(['geofenceIds[0]']);
    const second = expectProblem(
      await api('POST', '/v1/campaigns', {
        key: a.key,
        body: { name: 'x', kind: 'location', geofenceIds: [own.id, foreign.id], offer: OFFER },
      }),
      422,
    );
    expect(paths(second)).toEqual(['geofenceIds[1]']);
    const c = await createCampaign(a.key, { geofenceIds: [own.id] });
    expect(
      paths(expectProblem(await api('PATCH', `/v1/campaigns/${c.id}`, { key: a.key, body: { geofenceIds: [foreign.id] } }), 422)),
    ).toEqual(['geofenceIds[0]']);
    expect((await api('GET', `/v1/campaigns/${c.id}`, { key: a.key })).body.geofenceIds).toEqual([own.id]);
    expect((await api('GET', '/v1/campaigns', { key: b.key })).body.items).toEqual([]);
  });

  it('requires a known partner of the tenant for local_partner campaigns, and none for location campaigns', async () => {
    const t = await marketingTenant();
    const other = await marketingTenant();
    const fence = await createFence(t.key, { geometry: circle(HERE, 200) });
    const foreignPartner = await createPartner(other.key, { name: 'Elsewhere', location: HERE });
    const base = { name: 'x', geofenceIds: [fence.id], offer: OFFER };
    const missing = expectProblem(
      await api('POST', '/v1/campaigns', { key: t.key, body: { ...base, kind: 'local_partner' } }),
      422,
    );
    expect(paths(missing)).toEqual(['partnerId']);
    const unknown = expectProblem(
      await api('POST', '/v1/campaigns', {
        key: t.key,
        body: { ...base, kind: 'local_partner', partnerId: 'pt_does_not_exist' },
      }),
      422,
    );
    expect(paths(unknown)).toEqual(['partnerId']);
    const foreign = expectProblem(
      await api('POST', '/v1/campaigns', { key: t.key, body: { ...base, kind: 'local_partner', partnerId: foreignPartner.id } }),
      422,
    );
    expect(paths(foreign)).toEqual(['partnerId']);
    const partner = await createPartner(t.key, { name: 'Forn Sant Joan', location: HERE });
    const onLocation = expectProblem(
      await api('POST', '/v1/campaigns', { key: t.key, body: { ...base, kind: 'location', partnerId: partner.id } }),
      422,
    );
    expect(paths(onLocation)).toEqual(['partnerId']);

    const c = await createCampaign(t.key, { ...base, kind: 'local_partner', partnerId: partner.id });
    expect(c).toMatchObject({ kind: 'local_partner', partnerId: partner.id });
    expect(
      paths(expectProblem(await api('PATCH', `/v1/campaigns/${c.id}`, { key: t.key, body: { partnerId: null } }), 422)),
    ).toEqual(['partnerId']);
    expect(
      paths(expectProblem(await api('PATCH', `/v1/campaigns/${c.id}`, { key: t.key, body: { partnerId: 'pt_nope' } }), 422)),
    ).toEqual(['partnerId']);
    expect((await api('GET', `/v1/campaigns/${c.id}`, { key: t.key })).body.partnerId).toBe(partner.id);
    const items = (await api('GET', '/v1/campaigns', { key: t.key })).body.items;
    expect(items.map((x: { id: string }) => x.id)).toEqual([c.id]);
  });

  it('refuses a bad IANA zone, an impossible hour and a holdout over 50 %, naming each field', async () => {
    const t = await marketingTenant();
    const fence = await createFence(t.key, { geometry: circle(HERE, 200) });
    const base = { name: 'x', kind: 'location', geofenceIds: [fence.id], offer: OFFER };
    const post = (extra: Record<string, unknown>) => api('POST', '/v1/campaigns', { key: t.key, body: { ...base, ...extra } });

    expect(paths(expectProblem(await post({ schedule: { timezone: 'Mars/Olympus' } }), 422))).toEqual(['schedule.timezone']);
    expect(paths(expectProblem(await post({ schedule: { timezone: 'europe/madrid' } }), 422))).toEqual(['schedule.timezone']);
    expect(paths(expectProblem(await post({ schedule: { timezone: '+02:00' } }), 422))).toEqual(['schedule.timezone']);
    expect(
      paths(expectProblem(await post({ schedule: { timezone: 'Europe/Madrid', hours: { from: '25:00', to: '02:00' } } }), 422)),
    ).toEqual(['schedule.hours.from']);
    expect(
      paths(expectProblem(await post({ schedule: { timezone: 'Europe/Madrid', hours: { from: '09:00', to: '24:00' } } }), 422)),
    ).toEqual(['schedule.hours.to']);
    expect(paths(expectProblem(await post({ holdoutPercent: 51 }), 422))).toEqual(['holdoutPercent']);
    // All at once: every bad field is named in one response.
    const all = expectProblem(
      await post({ schedule: { timezone: 'Mars/Olympus', hours: { from: '25:00', to: '02:00' } }, holdoutPercent: 51 }),
      422,
    );
    expect(paths(all)).toEqual(['holdoutPercent', 'schedule.hours.from', 'schedule.timezone']);
    const c = await createCampaign(t.key, {
      ...base,
      holdoutPercent: 50,
      schedule: { timezone: 'America/New_York', hours: { from: '23:59', to: '00:00' } },
    });
    expect(
      paths(expectProblem(await api('PATCH', `/v1/campaigns/${c.id}`, { key: t.key, body: { holdoutPercent: 51 } }), 422)),
    ).toEqual(['holdoutPercent']);
    expect((await api('GET', '/v1/campaigns', { key: t.key })).body.items.map((x: { id: string }) => x.id)).toEqual([c.id]);
  });
});

describe('references in use', () => {
  it('refuses with 409 to delete a geofence or a partner that a campaign still uses', async () => {
    const t = await marketingTenant();
    const store = await createStore(t.key, { name: 'Gràcia', location: HERE });
    const fence = await createFence(t.key, { storeId: store.id, geometry: circle(HERE, 200) });
    const partner = await createPartner(t.key, { name: 'Forn Sant Joan', location: HERE });
    const located = await createCampaign(t.key, { geofenceIds: [fence.id] });
    const partnered = await createCampaign(t.key, { kind: 'local_partner', partnerId: partner.id, geofenceIds: [fence.id] });

    const fenceInUse = expectProblem(await api('DELETE', `/v1/geofences/${fence.id}`, { key: t.key }), 409);
    expect(fenceInUse.detail).toMatch(/campaign/i);
    const partnerInUse = expectProblem(await api('DELETE', `/v1/partners/${partner.id}`, { key: t.key }), 409);
    expect(partnerInUse.detail).toMatch(/campaign/i);
    expect((await api('GET', `/v1/geofences/${fence.id}`, { key: t.key })).status).toBe(200);
    expect((await api('GET', `/v1/partners/${partner.id}`, { key: t.key })).status).toBe(200);

    expect((await api('DELETE', `/v1/campaigns/${partnered.id}`, { key: t.key })).status).toBe(204);
    expect((await api('DELETE', `/v1/partners/${partner.id}`, { key: t.key })).status).toBe(204);
    expectProblem(await api('DELETE', `/v1/geofences/${fence.id}`, { key: t.key }), 409);
    expect((await api('DELETE', `/v1/campaigns/${located.id}`, { key: t.key })).status).toBe(204);
    expect((await api('DELETE', `/v1/geofences/${fence.id}`, { key: t.key })).status).toBe(204);
  });

  it('lets a geofence be deleted after a concurrent PATCH that tried to add it was refused (no stale campaign link)', async () => {
    const t = await marketingTenant();
    const base = await createFence(t.key, { geometry: circle(HERE, 200) });
    const extra = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        createFence(t.key, { geometry: circle({ lat: THERE.lat + i * 0.01, lng: THERE.lng }, 200) }),
      ),
    );
    const c = await createCampaign(t.key, { geofenceIds: [base.id] });
    // Eight PATCHes racing on the same version: one wins, the others are refused as a concurrent change.
    const results = await Promise.all(
      extra.map((f) => api('PATCH', `/v1/campaigns/${c.id}`, { key: t.key, body: { geofenceIds: [base.id, f.id] } })),
    );
    for (const r of results) expect([200, 409]).toContain(r.status);
    expect(results.some((r) => r.status === 200)).toBe(true);
    const used: string[] = (await api('GET', `/v1/campaigns/${c.id}`, { key: t.key })).body.geofenceIds;
    const unused = extra.filter((f) => !used.includes(f.id));
    expect(unused.length).toBeGreaterThanOrEqual(extra.length - 1);
    const deleted = [];
    for (const f of unused)
      deleted.push({ fence: f.id, status: (await api('DELETE', `/v1/geofences/${f.id}`, { key: t.key })).status });
    expect(deleted).toEqual(unused.map((f) => ({ fence: f.id, status: 204 })));
  });
});
