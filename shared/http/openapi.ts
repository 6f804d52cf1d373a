import { z } from 'zod';
import type { RouteDef } from './route.js';
import { routes } from './routes.js';
import { ProblemSchema } from './schemas.js';

const ERROR_STATUSES: Record<string, string> = {
  '400': 'Body is not valid JSON, or wrong content type',
  '401': 'Missing, malformed, unknown, expired or revoked key',
  '403': 'Key lacks the scope, or the store is outside its storeIds',
  '404': 'Not found (including any resource of another tenant)',
  '409': 'Conflict',
  '410': 'Gone (e.g. the offer expired)',
  '413': 'Body over 256 KiB',
  '422': 'Validation failed; errors[] names each bad field',
  '429': 'Rate limit exceeded; Retry-After set',
  '503': 'A dependency is unavailable; Retry-After set; nothing half-written',
};

function schema(s: z.ZodType, io: 'input' | 'output') {
  const json = z.toJSONSchema(s, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as Record<string, unknown>;
  delete json.$schema;
  return json;
}

function operation(r: RouteDef) {
  const params: unknown[] = [...r.path.matchAll(/\{(\w+)\}/g)].map((m) => ({
    name: m[1],
    in: 'path',
    required: true,
    schema: { type: 'string' },
  }));
  if (r.query) {
    const q = schema(r.query, 'input') as { properties?: Record<string, unknown>; required?: string[] };
    for (const [name, s] of Object.entries(q.properties ?? {}))
      params.push({ name, in: 'query', required: q.required?.includes(name) ?? false, schema: s });
  }
  if (r.idempotent)
    params.push({
      name: 'Idempotency-Key',
      in: 'header',
      required: false,
      description: 'Same key + same body within 24 h replays the first response; another body is 409; in flight is 409.',
      schema: { type: 'string', maxLength: 255 },
    });
  const status = String(r.successStatus ?? 200);
  const responses: Record<string, unknown> = {
    [status]:
      status === '204' || !r.response
        ? { description: 'Success' }
        : { description: 'Success', content: { 'application/json': { schema: schema(r.response, 'output') } } },
  };
  const extra = (r.extraErrors ?? []).map(String);
  const common = Object.keys(ERROR_STATUSES).filter((c) => c !== '410');
  const errs = r.auth === 'none' ? ['400', '413', '422', '503'] : [...new Set([...common, ...extra])].sort();
  for (const code of errs)
    responses[code] = {
      description: ERROR_STATUSES[code],
      content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
    };
  return {
    operationId: r.id,
    summary: r.summary,
    ...(r.description ? { description: r.description } : {}),
    tags: r.tags ?? [],
    ...(params.length ? { parameters: params } : {}),
    ...(r.body
      ? { requestBody: { required: true, content: { 'application/json': { schema: schema(r.body, 'input') } } } }
      : {}),
    responses,
    security: r.auth === 'none' ? [] : [{ bearer: [] }, { apiKeyHeader: [] }],
    ...(r.auth !== 'none' ? { 'x-required-scope': r.auth } : {}),
  };
}

/** The OpenAPI 3.1 document, generated from the route table and its zod schemas. */
export function buildOpenApi(serverUrl?: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes as readonly RouteDef[]) {
    paths[r.path] ??= {};
    paths[r.path][r.method.toLowerCase()] = operation(r);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Geo-targeting offers API',
      version: '1.0.0',
      description: 'Location-based micromarketing: geofences, audiences, offers, delivery and measured lift.',
    },
    ...(serverUrl ? { servers: [{ url: serverUrl }] } : {}),
    paths,
    components: {
      schemas: { Problem: schema(ProblemSchema, 'output') },
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'Authorization: Bearer <key>' },
        apiKeyHeader: { type: 'apiKey', in: 'header', name: 'x-api-key' },
      },
    },
  };
}
