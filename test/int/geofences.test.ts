import { describe, expect, it } from 'vitest';
import { api, expectProblem, newKey, newTenant } from '../support/api.js';

const circle = (lng: number, lat: number, radiusM: number) => ({ type: 'Circle', coordinates: [lng, lat], radiusM });

async function store(key: string, name = 'Store') {
  const res = await api('POST', '/v1/stores', {
    key,
    body: { name, location: { lat: 41.39, lng: 2.16 }, timezone: 'Europe/Madrid' },
  });
  expect(res.status).toBe(201);
  return res.body.id as string;
}

async function fence(key: string, body: Record<string, unknown>) {
  const res = await api('POST', '/v1/geofences', { key, body: { name: 'fence', ...body } });
  if (res.status !== 201) throw new Error(`${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

const lookup = async (key: string, lat: number, lng: number) => {
  const res = await api('GET', `/v1/geofences/lookup?lat=${lat}&lng=${lng}`, { key });
  expect(res.status).toBe(200);
  return (res.body.items as { id: string }[]).map((g) => g.id).sort();
};

describe('stores and partners', () => {
  it('creates, reads, updates, lists and deletes a store', async () => {
    const t = await newTenant();
    const id = await store(t.adminKey, 'Gràcia');
    const got = await api('GET', `/v1/stores/${id}`, { key: t.adminKey });
    expect(got.body).toMatchObject({
      id,
      name: 'Gràcia',
      location: { lat: 41.39, lng: 2.16 },
      timezone: 'Europe/Madrid',
      address: null,
    });
    const patched = await api('PATCH', `/v1/stores/${id}`, { key: t.adminKey, body: { address: 'Carrer Gran 1' } });
    expect(patched.body.address).toBe('Carrer Gran 1');
    expect(patched.body.name).toBe('Gràcia');
    const list = await api('GET', '/v1/stores', { key: t.adminKey });
    expect(list.body.items.map((s: { id: string }) => s.id)).toEqual([id]);
    expect((await api('DELETE', `/v1/stores/${id}`, { key: t.adminKey })).status).toBe(204);
    expectProblem(await api('GET', `/v1/stores/${id}`, { key: t.adminKey }), 404);
  });

  it('refuses a bad time zone and out-of-range coordinates, naming the fields', async () => {
    const t = await newTenant();
    const res = await api('POST', '/v1/stores', {
      key: t.adminKey,
      body: { name: 'X', location: { lat: 91, lng: 2 }, timezone: 'Mars/Olympus' },
    });
    const p = expectProblem(res, 422);
    expect(p.errors!.map((e) => e.path).sort()).toEqual(['location.lat', 'timezone']);
  });

  it('refuses to delete a store that geofences still use', async () => {
    const t = await newTenant();
    const id = await store(t.adminKey);
    const g = await fence(t.adminKey, { storeId: id, geometry: circle(2.16, 41.39, 100) });
    expectProblem(await api('DELETE', `/v1/stores/${id}`, { key: t.adminKey }), 409);
    expect((await api('DELETE', `/v1/geofences/${g.id}`, { key: t.adminKey })).status).toBe(204);
  });

  it('creates and updates a partner', async () => {
    const t = await newTenant();
    const res = await api('POST', '/v1/partners', {
      key: t.adminKey,
      body: {
        name: 'Bakery next door',
        category: 'bakery',
        location: { lat: 41.39, lng: 2.161 },
        contactEmail: 'hi@bakery.test',
      },
    });
    expect(res.status).toBe(201);
    const patched = await api('PATCH', `/v1/partners/${res.body.id}`, { key: t.adminKey, body: { category: 'café' } });
    expect(patched.body).toMatchObject({ name: 'Bakery next door', category: 'café', contactEmail: 'hi@bakery.test' });
    expectProblem(
      await api('POST', '/v1/partners', {
        key: t.adminKey,
        body: { name: 'x', category: 'y', location: { lat: 0, lng: 0 }, contactEmail: 'nope' },
      }),
      422,
    );
  });
});

describe('geofences', () => {
  it('creates a circle with its index and finds it by lookup', async () => {
    const t = await newTenant();
    const g = await fence(t.adminKey, { geometry: circle(2.17, 41.38, 150), tags: ['mall'], metadata: { floor: 1 } });
    expect(g).toMatchObject({ storeId: null, partnerId: null, enabled: true, tags: ['mall'], metadata: { floor: 1 } });
    expect(g.index.resolution).toEqual(expect.any(Number));
    expect(g.index.cells.length).toBeGreaterThan(0);
    expect(g.index.cells.length).toBeLessThanOrEqual(128);
    expect(await lookup(t.adminKey, 41.38, 2.17)).toEqual([g.id]);
    expect(await lookup(t.adminKey, 41.382, 2.17)).toEqual([]); // ~220 m north
  });

  it('respects holes: a mall with a courtyard', async () => {
    const t = await newTenant();
    const g = await fence(t.adminKey, {
      geometry: {
        type: 'Polygon',
        coordinates: [
          [
            [2.0, 41.0],
            [2.01, 41.0],
            [2.01, 41.01],
            [2.0, 41.01],
            [2.0, 41.0],
          ],
          [
            [2.004, 41.004],
            [2.006, 41.004],
            [2.006, 41.006],
            [2.004, 41.006],
            [2.004, 41.004],
          ],
        ],
      },
    });
    expect(await lookup(t.adminKey, 41.002, 2.002)).toEqual([g.id]);
    expect(await lookup(t.adminKey, 41.005, 2.005)).toEqual([]);
  });

  it('reads a ring across the antimeridian the short way', async () => {
    const t = await newTenant();
    const g = await fence(t.adminKey, {
      geometry: {
        type: 'Polygon',
        coordinates: [
          [
            [179.8, -16.9],
            [-179.8, -16.9],
            [-179.8, -16.7],
            [179.8, -16.7],
            [179.8, -16.9],
          ],
        ],
      },
    });
    expect(await lookup(t.adminKey, -16.8, 179.9)).toEqual([g.id]);
    expect(await lookup(t.adminKey, -16.8, -179.9)).toEqual([g.id]);
    expect(await lookup(t.adminKey, -16.8, 0)).toEqual([]);
  });

  it('refuses bad geometry with 422 naming the bad part', async () => {
    const t = await newTenant();
    const bowtie = await api('POST', '/v1/geofences', {
      key: t.adminKey,
      body: {
        name: 'x',
        geometry: {
          type: 'Polygon',
          coordinates: [
            [
              [0, 0],
              [2, 2],
              [2, 0],
              [0, 1],
              [0, 0],
            ],
          ],
        },
      },
    });
    expect(expectProblem(bowtie, 422).errors!.map((e) => e.path)).toContain('geometry.coordinates[0]');
    const open = await api('POST', '/v1/geofences', {
      key: t.adminKey,
      body: {
        name: 'x',
        geometry: {
          type: 'Polygon',
          coordinates: [
            [
              [0, 0],
              [1, 0],
              [1, 1],
              [0, 1],
            ],
          ],
        },
      },
    });
    expect(expectProblem(open, 422).errors!.map((e) => e.path)).toContain('geometry.coordinates[0]');
    const big = await api('POST', '/v1/geofences', { key: t.adminKey, body: { name: 'x', geometry: circle(0, 0, 60_000) } });
    expect(expectProblem(big, 422).errors!.map((e) => e.path)).toEqual(['geometry.radiusM']);
    const small = await api('POST', '/v1/geofences', { key: t.adminKey, body: { name: 'x', geometry: circle(0, 0, 5) } });
    expect(expectProblem(small, 422).errors!.map((e) => e.path)).toEqual(['geometry.radiusM']);
    const ring = Array.from({ length: 2100 }, (_, i) => {
      const a = (2 * Math.PI * i) / 2100;
      return [Math.cos(a) * 0.01, Math.sin(a) * 0.01];
    });
    ring.push(ring[0]);
    const many = await api('POST', '/v1/geofences', {
      key: t.adminKey,
      body: { name: 'x', geometry: { type: 'Polygon', coordinates: [ring] } },
    });
    expect(expectProblem(many, 422).errors![0].message).toMatch(/2,?000/);
    const meta = Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, i]));
    expectProblem(
      await api('POST', '/v1/geofences', { key: t.adminKey, body: { name: 'x', geometry: circle(0, 0, 50), metadata: meta } }),
      422,
    );
    expectProblem(
      await api('POST', '/v1/geofences', {
        key: t.adminKey,
        body: { name: 'x', geometry: circle(0, 0, 50), metadata: { a: 'x'.repeat(1100) } },
      }),
      422,
    );
    expectProblem(
      await api('POST', '/v1/geofences', {
        key: t.adminKey,
        body: { name: 'x', storeId: 'st_nope', geometry: circle(0, 0, 50) },
      }),
      422,
    );
  });

  it('stores vanishingly small numbers as 0 and refuses huge ones, never a 500', async () => {
    const t = await newTenant();
    const tiny = await api('POST', '/v1/geofences', {
      key: t.adminKey,
      body: { name: 'x', geometry: circle(1e-300, 5e-324, 50) },
    });
    expect(tiny.status).toBe(201);
    expect(tiny.body.geometry.coordinates).toEqual([0, 0]);
    const huge = await api('POST', '/v1/geofences', {
      key: t.adminKey,
      body: { name: 'x', geometry: circle(0, 0, 50), metadata: { big: 1e300 } },
    });
    expect(expectProblem(huge, 422).errors).toEqual([{ path: 'metadata.big', message: 'Number too large.' }]);
  });

  it('keeps the index consistent through update and delete', async () => {
    const t = await newTenant();
    const g = await fence(t.adminKey, { geometry: circle(2.17, 41.38, 100) });
    expect(await lookup(t.adminKey, 41.38, 2.17)).toEqual([g.id]);
    // move it 5 km east
    const moved = await api('PUT', `/v1/geofences/${g.id}`, {
      key: t.adminKey,
      body: { name: 'moved', geometry: circle(2.23, 41.38, 100) },
    });
    expect(moved.status).toBe(200);
    expect(await lookup(t.adminKey, 41.38, 2.17)).toEqual([]);
    expect(await lookup(t.adminKey, 41.38, 2.23)).toEqual([g.id]);
    // grow it with PATCH
    const grown = await api('PATCH', `/v1/geofences/${g.id}`, {
      key: t.adminKey,
      body: { geometry: circle(2.23, 41.38, 20_000) },
    });
    expect(grown.body.name).toBe('moved');
    expect(grown.body.index.resolution).not.toBe(moved.body.index.resolution);
    expect(await lookup(t.adminKey, 41.38, 2.17)).toEqual([g.id]);
    // disabled fences are not returned
    await api('PATCH', `/v1/geofences/${g.id}`, { key: t.adminKey, body: { enabled: false } });
    expect(await lookup(t.adminKey, 41.38, 2.23)).toEqual([]);
    await api('PATCH', `/v1/geofences/${g.id}`, { key: t.adminKey, body: { enabled: true } });
    expect(await lookup(t.adminKey, 41.38, 2.23)).toEqual([g.id]);
    expect((await api('DELETE', `/v1/geofences/${g.id}`, { key: t.adminKey })).status).toBe(204);
    expect(await lookup(t.adminKey, 41.38, 2.23)).toEqual([]);
    expectProblem(await api('DELETE', `/v1/geofences/${g.id}`, { key: t.adminKey }), 404);
  });

  it('pages and filters by storeId and tag', async () => {
    const t = await newTenant();
    const s1 = await store(t.adminKey, 'one');
    const s2 = await store(t.adminKey, 'two');
    const a = await fence(t.adminKey, { storeId: s1, geometry: circle(2.1, 41.3, 50), tags: ['entrance'] });
    const b = await fence(t.adminKey, { storeId: s1, geometry: circle(2.11, 41.3, 50) });
    const c = await fence(t.adminKey, { storeId: s2, geometry: circle(2.12, 41.3, 50), tags: ['entrance'] });
    const byStore = await api('GET', `/v1/geofences?storeId=${s1}`, { key: t.adminKey });
    expect(byStore.body.items.map((g: { id: string }) => g.id).sort()).toEqual([a.id, b.id].sort());
    const byTag = await api('GET', '/v1/geofences?tag=entrance', { key: t.adminKey });
    expect(byTag.body.items.map((g: { id: string }) => g.id).sort()).toEqual([a.id, c.id].sort());
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { items: { id: string }[]; nextCursor: string | null } } = await api(
        'GET',
        `/v1/geofences?limit=1${cursor ? `&cursor=${cursor}` : ''}`,
        { key: t.adminKey },
      );
      expect(page.body.items.length).toBeLessThanOrEqual(1);
      seen.push(...page.body.items.map((g) => g.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen.sort()).toEqual([a.id, b.id, c.id].sort());
  });
});

describe('tenant and store isolation', () => {
  it("answers 404 for another tenant's store, partner and geofence on every route", async () => {
    const a = await newTenant();
    const b = await newTenant();
    const s = await store(b.adminKey);
    const p = await api('POST', '/v1/partners', {
      key: b.adminKey,
      body: { name: 'p', category: 'c', location: { lat: 1, lng: 1 } },
    });
    const g = await fence(b.adminKey, { storeId: s, geometry: circle(2.5, 41.5, 100) });
    const calls: [string, string, unknown?][] = [
      ['GET', `/v1/stores/${s}`],
      ['PATCH', `/v1/stores/${s}`, { name: 'x' }],
      ['DELETE', `/v1/stores/${s}`],
      ['GET', `/v1/partners/${p.body.id}`],
      ['PATCH', `/v1/partners/${p.body.id}`, { name: 'x' }],
      ['DELETE', `/v1/partners/${p.body.id}`],
      ['GET', `/v1/geofences/${g.id}`],
      ['PUT', `/v1/geofences/${g.id}`, { name: 'x', geometry: circle(0, 0, 50) }],
      ['PATCH', `/v1/geofences/${g.id}`, { name: 'x' }],
      ['DELETE', `/v1/geofences/${g.id}`],
    ];
    for (const [method, path, body] of calls) expectProblem(await api(method, path, { key: a.adminKey, body }), 404);
    expect(await lookup(a.adminKey, 41.5, 2.5)).toEqual([]);
    expect((await api('GET', '/v1/stores', { key: a.adminKey })).body.items).toEqual([]);
    expect((await api('GET', '/v1/geofences', { key: a.adminKey })).body.items).toEqual([]);
    // b still has everything
    expect((await api('GET', `/v1/geofences/${g.id}`, { key: b.adminKey })).status).toBe(200);
    // a cannot attach b's store to its own fence
    expectProblem(
      await api('POST', '/v1/geofences', { key: a.adminKey, body: { name: 'x', storeId: s, geometry: circle(0, 0, 50) } }),
      422,
    );
  });

  it("lets a store-restricted key see and change only its stores' geofences (403 for the others)", async () => {
    const t = await newTenant();
    const mine = await store(t.adminKey, 'mine');
    const other = await store(t.adminKey, 'other');
    const gMine = await fence(t.adminKey, { storeId: mine, geometry: circle(2.3, 41.4, 100) });
    const gOther = await fence(t.adminKey, { storeId: other, geometry: circle(2.3, 41.4, 100) });
    const k = await newKey(t.adminKey, {
      kind: 'secret',
      scopes: ['stores:read', 'stores:write', 'geofences:read', 'geofences:write', 'partners:read', 'partners:write'],
      storeIds: [mine],
    });
    expect((await api('GET', `/v1/geofences/${gMine.id}`, { key: k.key })).status).toBe(200);
    const forbiddenCalls: [string, string, unknown?][] = [
      ['GET', `/v1/stores/${other}`],
      ['PATCH', `/v1/stores/${other}`, { name: 'x' }],
      ['DELETE', `/v1/stores/${other}`],
      ['GET', `/v1/geofences/${gOther.id}`],
      ['PUT', `/v1/geofences/${gOther.id}`, { name: 'x', storeId: other, geometry: circle(0, 0, 50) }],
      ['PATCH', `/v1/geofences/${gOther.id}`, { name: 'x' }],
      ['DELETE', `/v1/geofences/${gOther.id}`],
      ['GET', `/v1/geofences?storeId=${other}`],
      ['POST', '/v1/geofences', { name: 'x', storeId: other, geometry: circle(0, 0, 50) }],
      ['POST', '/v1/geofences', { name: 'x', geometry: circle(0, 0, 50) }],
      ['PATCH', `/v1/geofences/${gMine.id}`, { storeId: other }],
      ['POST', '/v1/stores', { name: 'new', location: { lat: 1, lng: 1 }, timezone: 'UTC' }],
      ['POST', '/v1/partners', { name: 'p', category: 'c', location: { lat: 1, lng: 1 } }],
    ];
    for (const [method, path, body] of forbiddenCalls)
      expect({ method, path, status: (await api(method, path, { key: k.key, body })).status }).toEqual({
        method,
        path,
        status: 403,
      });
    expect(await lookup(k.key, 41.4, 2.3)).toEqual([gMine.id]);
    expect(await lookup(t.adminKey, 41.4, 2.3)).toEqual([gMine.id, gOther.id].sort());
    const listed = await api('GET', '/v1/geofences', { key: k.key });
    expect(listed.body.items.map((g: { id: string }) => g.id)).toEqual([gMine.id]);
    const stores = await api('GET', '/v1/stores', { key: k.key });
    expect(stores.body.items.map((s: { id: string }) => s.id)).toEqual([mine]);
    const created = await api('POST', '/v1/geofences', {
      key: k.key,
      body: { name: 'ok', storeId: mine, geometry: circle(2.31, 41.4, 60) },
    });
    expect(created.status).toBe(201);
  });
});
