import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { routes } from '../../shared/http/routes.js';
import { api } from '../support/api.js';

describe('GET /openapi.json', () => {
  it('is a valid OpenAPI 3.1 document with every route of the table', async () => {
    const res = await api('GET', '/openapi.json');
    expect(res.status).toBe(200);
    const validator = new Validator();
    const result = await validator.validate(res.body);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
    for (const r of routes) expect(res.body.paths[r.path][r.method.toLowerCase()].operationId).toBe(r.id);
  });

  it('documents request bodies from the same zod schemas that validate them', async () => {
    const res = await api('GET', '/openapi.json');
    const schema = res.body.paths['/v1/keys'].post.requestBody.content['application/json'].schema;
    expect(schema.required).toEqual(expect.arrayContaining(['name', 'kind']));
    expect(schema.properties.kind.enum).toEqual(['secret', 'publishable']);
    expect(schema.additionalProperties).toBe(false);
  });
});

describe('OpenAPI details', () => {
  it('documents 410 on redemption only', async () => {
    const res = await api('GET', '/openapi.json');
    expect(res.body.paths['/v1/offers/{id}/redeem'].post.responses['410']).toBeDefined();
    expect(res.body.paths['/v1/stores'].post.responses['410']).toBeUndefined();
    expect(res.body.paths['/v1/geofences/lookup'].get.parameters.map((p: { name: string }) => p.name).sort()).toEqual(['lat', 'lng']);
  });
});
