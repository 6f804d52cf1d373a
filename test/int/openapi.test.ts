import { Validator } from '@seriousme/openapi-schema-validator';
import http from 'node:http';
import { beforeAll, describe, expect, it } from 'vitest';
import { TOKEN_MAX_CHARS } from '../../shared/auth/shopper-token.js';
import { routes } from '../../shared/http/routes.js';
import { api, apiUrl } from '../support/api.js';
import { lintOpenApi } from '../support/openapi-lint.js';
import { committedTypes, generateTypes } from '../support/openapi-typegen.js';

type Json = Record<string, any>;

let doc: Json;
beforeAll(async () => {
  const res = await api('GET', '/openapi.json');
  expect(res.status).toBe(200);
  doc = res.body;
});

/** Follow a `$ref` into the document's components. */
function deref(node: Json): Json {
  if (typeof node?.$ref !== 'string') return node;
  const [kind, name] = node.$ref.replace('#/components/', '').split('/');
  return deref(doc.components[kind][name]);
}

const operations = () =>
  Object.entries(doc.paths as Record<string, Record<string, Json>>).flatMap(([path, item]) =>
    Object.entries(item).map(([method, op]) => ({ path, method, op })),
  );

/** Every `additionalProperties: false` reachable from a schema, following `$ref`s. */
function closedObjects(schema: Json, seen = new Set<string>()): string[] {
  const out: string[] = [];
  const walk = (node: unknown, at: string) => {
    if (Array.isArray(node)) {
      node.forEach((n, i) => {
        walk(n, `${at}[${i}]`);
      });
      return;
    }
    if (!node || typeof node !== 'object') return;
    const n = node as Json;
    if (typeof n.$ref === 'string') {
      if (seen.has(n.$ref)) return;
      seen.add(n.$ref);
      return walk(deref(n), n.$ref);
    }
    if (n.additionalProperties === false) out.push(at);
    for (const [k, v] of Object.entries(n)) if (k !== 'enum' && k !== 'const' && k !== 'default') walk(v, `${at}/${k}`);
  };
  walk(schema, '');
  return out;
}

/** A raw request (fetch cannot send a body with GET). */
function rawRequest(method: string, path: string, body: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const headers = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) };
    const req = http.request(`${apiUrl()}${path}`, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('GET /openapi.json', () => {
  it('is a valid OpenAPI 3.1 document with every route of the table', async () => {
    const validator = new Validator();
    const result = await validator.validate(doc);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
    for (const r of routes) expect(doc.paths[r.path][r.method.toLowerCase()].operationId).toBe(r.id);
  });

  it('documents request bodies from the same zod schemas that validate them', () => {
    const body = doc.paths['/v1/keys'].post.requestBody.content['application/json'].schema;
    expect(body).toEqual({ $ref: '#/components/schemas/ApiKeyCreate' });
    const schema = deref(body);
    expect(schema.required).toEqual(expect.arrayContaining(['name', 'kind']));
    expect(schema.properties.kind.enum).toEqual(['secret', 'publishable']);
    expect(schema.additionalProperties).toBe(false);
  });

  it('passes Redocly lint (recommended rules, redocly.yaml) with zero errors', async () => {
    const result = await lintOpenApi();
    expect(result.errors, result.output).toBe(0);
  });

  it('generates the committed client types (npm run openapi:types)', async () => {
    expect(await committedTypes()).toBe(await generateTypes());
  });
});

describe('OpenAPI details', () => {
  it('names the local and the AWS servers', () => {
    expect(doc.servers.map((s: { url: string }) => s.url)).toEqual([
      'http://127.0.0.1:3000',
      'https://{apiId}.execute-api.{region}.amazonaws.com/{stage}',
    ]);
    expect(Object.keys(doc.servers[1].variables).sort()).toEqual(['apiId', 'region', 'stage']);
  });

  it('names a component schema per resource and refers to it by $ref', () => {
    expect(Object.keys(doc.components.schemas)).toEqual(
      expect.arrayContaining([
        'Tenant',
        'ApiKey',
        'Store',
        'Partner',
        'Geofence',
        'Campaign',
        'Shopper',
        'Offer',
        'StoredOffer',
        'CampaignStats',
        'Webhook',
        'Problem',
        'StoreList',
        'GeofenceList',
        'CampaignList',
        'OfferCreatedEvent',
      ]),
    );
    const json = (path: string, method: string, status: string) =>
      doc.paths[path][method].responses[status].content['application/json'].schema;
    expect(json('/v1/stores/{id}', 'get', '200')).toEqual({ $ref: '#/components/schemas/Store' });
    expect(json('/v1/stores', 'post', '201')).toEqual({ $ref: '#/components/schemas/Store' });
    expect(doc.components.schemas.StoreList.properties.items.items).toEqual({ $ref: '#/components/schemas/Store' });
    expect(doc.components.schemas.TenantCreated.properties.tenant).toEqual({ $ref: '#/components/schemas/Tenant' });
    expect(doc.components.schemas.OfferResponse.properties.offers.items).toEqual({ $ref: '#/components/schemas/Offer' });
  });

  it('leaves no response object closed to added fields, while request bodies stay strict', () => {
    const closed = operations().flatMap(({ op }) =>
      Object.values(op.responses as Record<string, Json>).flatMap((r) =>
        Object.values(deref(r).content ?? {}).flatMap((m) => closedObjects((m as Json).schema)),
      ),
    );
    expect(closed).toEqual([]);
    expect(closedObjects(doc.webhooks['offer.created'].post.requestBody.content['application/json'].schema)).toEqual([]);
    expect(deref({ $ref: '#/components/schemas/StoreCreate' }).additionalProperties).toBe(false);
    expect(closedObjects({ $ref: '#/components/schemas/GeofenceCreate' }).length).toBeGreaterThan(1);
  });

  it('types numeric query parameters as numbers', () => {
    const query = (path: string) =>
      Object.fromEntries(doc.paths[path].get.parameters.filter((p: Json) => p.in === 'query').map((p: Json) => [p.name, p]));
    expect(query('/v1/stores').limit.schema).toMatchObject({ type: 'integer', minimum: 1, maximum: 100, default: 25 });
    expect(query('/v1/stores').limit.required).toBe(false);
    expect(query('/v1/geofences/lookup').lat).toMatchObject({
      required: true,
      schema: { type: 'number', minimum: -90, maximum: 90 },
    });
    expect(query('/v1/geofences/lookup').lng.schema).toMatchObject({ type: 'number', minimum: -180, maximum: 180 });
    // A number sent as text would be documented as a string with a decimal-number pattern.
    const numericAsText = operations().flatMap(({ op }) =>
      (op.parameters ?? [])
        .filter((p: Json) => p.in === 'query' && p.schema.type === 'string' && /\[eE\]/.test(p.schema.pattern ?? ''))
        .map((p: Json) => `${op.operationId} ${p.name}`),
    );
    expect(numericAsText).toEqual([]);
  });

  it('documents the Shopper-Token header on the routes a publishable key may call, and nowhere else', () => {
    const withToken = operations()
      .filter(({ op }) => (op.parameters ?? []).some((p: Json) => p.in === 'header' && p.name === 'Shopper-Token'))
      .map(({ op }) => op.operationId)
      .sort();
    expect(withToken).toEqual(['redeemOffer', 'requestOffers']);
    const header = doc.paths['/v1/offers'].post.parameters.find((p: Json) => p.name === 'Shopper-Token');
    expect(header.schema.maxLength).toBe(TOKEN_MAX_CHARS);
  });

  it('documents 410 on redemption only', () => {
    expect(doc.paths['/v1/offers/{id}/redeem'].post.responses['410']).toBeDefined();
    expect(doc.paths['/v1/stores'].post.responses['410']).toBeUndefined();
    const lookupQuery = doc.paths['/v1/geofences/lookup'].get.parameters.filter((p: Json) => p.in === 'query');
    expect(lookupQuery.map((p: Json) => p.name).sort()).toEqual(['lat', 'lng']);
  });

  it('lists only the errors each route can answer', () => {
    const statuses = (path: string, method: string) => Object.keys(doc.paths[path][method].responses);
    expect(statuses('/health', 'get')).toEqual(['200', '413']);
    expect(statuses('/openapi.json', 'get')).toEqual(['200', '413']);
    expect(statuses('/v1/tenants', 'post')).toEqual(['201', '400', '401', '403', '409', '413', '422', '429', '503']);
    expect(statuses('/v1/stores/{id}', 'get')).toEqual(['200', '401', '403', '404', '413', '429', '503']);
    expect(statuses('/v1/stores', 'get')).toEqual(['200', '401', '403', '413', '422', '429', '503']);
    expect(statuses('/v1/stores/{id}', 'delete')).toEqual(['204', '401', '403', '404', '409', '413', '429', '503']);
    expect(statuses('/v1/shoppers/{shopperId}', 'put')).toEqual(['200', '400', '401', '403', '413', '422', '429', '503']);
    expect(statuses('/v1/geofences/{id}', 'put')).toEqual(['200', '400', '401', '403', '404', '409', '413', '422', '429', '503']);
  });

  it('answers 413 on a route that reads no body, as documented', async () => {
    const res = await rawRequest('GET', '/health', JSON.stringify({ pad: 'x'.repeat(300 * 1024) }));
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body).status).toBe(413);
  });

  it('documents X-Request-Id on every request and response, Retry-After on 429 and 503, Idempotent-Replayed on idempotent routes', () => {
    for (const { op } of operations()) {
      expect(op.parameters, op.operationId).toContainEqual({ $ref: '#/components/parameters/X-Request-Id' });
      const idempotent = (op.parameters ?? []).some((p: Json) => p.name === 'Idempotency-Key');
      for (const [status, r] of Object.entries(op.responses as Record<string, Json>)) {
        const headers = deref(r).headers ?? {};
        expect(headers['X-Request-Id'], `${op.operationId} ${status}`).toEqual({ $ref: '#/components/headers/X-Request-Id' });
        expect('Retry-After' in headers, `${op.operationId} ${status}`).toBe(status === '429' || status === '503');
        if (status.startsWith('2')) expect('Idempotent-Replayed' in headers, `${op.operationId} ${status}`).toBe(idempotent);
      }
    }
    expect(doc.components.headers['Retry-After']).toMatchObject({ required: true, schema: { type: 'integer', minimum: 1 } });
  });

  it('documents the webhook payload and its signature headers under webhooks', () => {
    const post = doc.webhooks['offer.created'].post;
    expect(post.requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/OfferCreatedEvent' });
    const event = doc.components.schemas.OfferCreatedEvent;
    expect(event.required).toEqual(['type', 'offer', 'shopperId']);
    expect(event.properties.type.const).toBe('offer.created');
    expect(event.properties.offer.required).toEqual(expect.arrayContaining(['id', 'campaignId', 'title', 'status']));
    expect(post.parameters.map((p: Json) => `${p.in} ${p.name}`)).toEqual([
      'header webhook-id',
      'header webhook-timestamp',
      'header webhook-signature',
    ]);
    expect(doc.webhooks['webhook.test'].post.parameters).toEqual(post.parameters);
  });

  it('declares every field the stats response returns', () => {
    const stats = doc.components.schemas.CampaignStats;
    expect(Object.keys(stats.properties)).toEqual(expect.arrayContaining(['purchases', 'revenue', 'shoppers']));
    expect(stats.required).toEqual(expect.arrayContaining(['purchases', 'revenue', 'shoppers']));
  });
});
