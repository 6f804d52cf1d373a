import * as z from 'zod';
import type { RouteDef } from './route.js';
import { publishableMayCall } from './pipeline/authorize.js';
import { routes, type AppRoute } from './routes.js';
import { IdSchema } from '../domain/values/id.js';
import { REQUEST_ID } from '../platform/ids.js';
import { ProblemSchema } from './routes/common.js';
import { KeySchema } from './routes/keys.js';
import { OfferSchema } from './routes/offers.js';
import { TenantSchema } from './routes/tenants.js';

/**
 * The OpenAPI 3.1 document, generated from the route table and its zod
 * schemas, for a generated client to live with: a named component per
 * resource, response objects open to added fields (request bodies stay as
 * strict as the schemas that validate them), numbers typed as numbers, error
 * lists that are true per route, the response headers, and the webhook
 * payloads under `webhooks`.
 */

// ---------- names ----------

/**
 * Component names of each route's request body and success response. A route
 * missing here gets `<OperationId>Request` / `<OperationId>Response`. Two
 * routes may share a name only when their schemas convert to the same JSON.
 */
const NAMES: Partial<Record<AppRoute['id'], { body?: string; response?: string }>> = {
  health: { response: 'Health' },
  openapi: { response: 'OpenApiDocument' },
  createTenant: { body: 'TenantCreate', response: 'TenantCreated' },
  createKey: { body: 'ApiKeyCreate', response: 'ApiKeyCreated' },
  listKeys: { response: 'ApiKeyList' },
  createStore: { body: 'StoreCreate', response: 'Store' },
  listStores: { response: 'StoreList' },
  getStore: { response: 'Store' },
  updateStore: { body: 'StorePatch', response: 'Store' },
  createPartner: { body: 'PartnerCreate', response: 'Partner' },
  listPartners: { response: 'PartnerList' },
  getPartner: { response: 'Partner' },
  updatePartner: { body: 'PartnerPatch', response: 'Partner' },
  createGeofence: { body: 'GeofenceCreate', response: 'Geofence' },
  listGeofences: { response: 'GeofenceList' },
  lookupGeofences: { response: 'GeofenceLookup' },
  getGeofence: { response: 'Geofence' },
  replaceGeofence: { body: 'GeofenceCreate', response: 'Geofence' },
  updateGeofence: { body: 'GeofencePatch', response: 'Geofence' },
  putShopper: { body: 'ShopperProfile', response: 'Shopper' },
  getShopper: { response: 'Shopper' },
  exportShopper: { response: 'ShopperExport' },
  listShopperOffers: { response: 'StoredOfferList' },
  createCampaign: { body: 'CampaignCreate', response: 'Campaign' },
  listCampaigns: { response: 'CampaignList' },
  getCampaign: { response: 'Campaign' },
  updateCampaign: { body: 'CampaignPatch', response: 'Campaign' },
  campaignStats: { response: 'CampaignStats' },
  requestOffers: { body: 'OfferRequest', response: 'OfferResponse' },
  redeemOffer: { body: 'RedeemRequest', response: 'StoredOffer' },
  recordConversion: { body: 'ConversionCreate', response: 'ConversionRecorded' },
  setWebhook: { body: 'WebhookSet', response: 'Webhook' },
  rotateWebhookSecret: { response: 'WebhookSecretRotated' },
  testWebhook: { response: 'WebhookTestResult' },
  getOffer: { response: 'OfferWithDelivery' },
};

/** Response schemas named wherever they appear inside others (no route returns them alone). */
const RESPONSE_PARTS: [string, z.ZodType][] = [
  ['Tenant', TenantSchema],
  ['ApiKey', KeySchema],
  ['Offer', OfferSchema],
];

/** The body POSTed to the tenant's webhook for each offer (as shared/delivery/deliver.ts builds it). */
const OfferCreatedEventSchema = z
  .object({
    type: z.literal('offer.created'),
    offer: OfferSchema.extend({ status: z.enum(['active', 'redeemed']) }),
    shopperId: z.string(),
  })
  .describe('An offer was made to a shopper.');

const upperFirst = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const bodyName = (r: RouteDef) => NAMES[r.id as AppRoute['id']]?.body ?? `${upperFirst(r.id)}Request`;
const responseName = (r: RouteDef) => NAMES[r.id as AppRoute['id']]?.response ?? `${upperFirst(r.id)}Response`;

// ---------- JSON Schema ----------

type Json = Record<string, unknown>;

const SAFE_MIN = Number.MIN_SAFE_INTEGER;
const SAFE_MAX = Number.MAX_SAFE_INTEGER;
/** Keywords whose values are instances, not schemas: left as they are. */
const INSTANCE_KEYWORDS = new Set(['const', 'enum', 'default', 'examples', 'example']);

/**
 * A converted schema, tidied: without `$schema`/`$id`, the safe-integer
 * bounds zod adds to every int and, in a response (`open`), without any
 * `additionalProperties: false`, so a generated client keeps working when a
 * field is added.
 */
function tidy(node: unknown, open: boolean): unknown {
  if (Array.isArray(node)) return node.map((n) => tidy(n, open));
  if (!node || typeof node !== 'object') return node;
  const out: Json = {};
  for (const [k, v] of Object.entries(node as Json)) {
    if (k === '$schema' || k === '$id') continue;
    if (open && k === 'additionalProperties' && v === false) continue;
    if ((k === 'minimum' && v === SAFE_MIN) || (k === 'maximum' && v === SAFE_MAX)) continue;
    out[k] = INSTANCE_KEYWORDS.has(k) ? v : k === 'properties' ? tidyMap(v as Json, open) : tidy(v, open);
  }
  return out;
}

const tidyMap = (props: Json, open: boolean) => Object.fromEntries(Object.entries(props).map(([k, v]) => [k, tidy(v, open)]));

const COMPONENT = '#/components/schemas/';
const ref = (name: string) => ({ $ref: `${COMPONENT}${name}` });

/** A set of named zod schemas converted together, so that each refers to the others by `$ref`. */
class Components {
  private readonly registry = z.registry<{ id: string }>();
  private readonly names = new Set<string>();
  private readonly aliases: [name: string, tempId: string][] = [];

  constructor(private readonly io: 'input' | 'output') {}

  /** Name a schema; the same name for another schema object must convert to the same JSON (checked in `build`). */
  add(name: string, schema: z.ZodType): string {
    const registered = this.registry.get(schema)?.id;
    if (registered !== undefined) {
      const was = registered.startsWith('~') ? registered.split('~')[1] : registered;
      if (was !== name) throw new Error(`OpenAPI: one schema named both ${was} and ${name}`);
      return name;
    }
    if (this.names.has(name)) {
      const tempId = `~${name}~${this.aliases.length}`;
      this.aliases.push([name, tempId]);
      this.registry.add(schema, { id: tempId });
    } else {
      this.names.add(name);
      this.registry.add(schema, { id: name });
    }
    return name;
  }

  build(): Record<string, Json> {
    const converted = z.toJSONSchema(this.registry, {
      target: 'draft-2020-12',
      io: this.io,
      unrepresentable: 'any',
      uri: (id) => `${COMPONENT}${id}`,
    }).schemas as Record<string, Json>;
    if ('__shared' in converted) throw new Error('OpenAPI: unnamed shared schemas would need $defs');
    const out: Record<string, Json> = {};
    for (const [id, s] of Object.entries(converted)) if (!id.startsWith('~')) out[id] = tidy(s, this.io === 'output') as Json;
    for (const [name, tempId] of this.aliases) {
      const alias = JSON.stringify(tidy(converted[tempId], this.io === 'output'));
      if (alias !== JSON.stringify(out[name])) throw new Error(`OpenAPI: two different schemas are both named ${name}`);
    }
    return out;
  }
}

/** One schema converted on its own (query parameters), tidied. */
function inline(s: z.ZodType, io: 'input' | 'output'): Json {
  return tidy(z.toJSONSchema(s, { target: 'draft-2020-12', io, unrepresentable: 'any' }), false) as Json;
}

// ---------- responses, headers and errors ----------

const HEADERS = {
  'X-Request-Id': {
    description:
      "The request's id: the client's X-Request-Id when it was valid, otherwise one the API made; every log line about the request carries it. Sent on every response the functions and the local gateway answer.",
    schema: { type: 'string' },
  },
  'Retry-After': {
    description: 'Seconds to wait before retrying.',
    required: true,
    schema: { type: 'integer', minimum: 1 },
  },
  'Idempotent-Replayed': {
    description:
      '`true` when this is the stored response of an earlier request with the same Idempotency-Key (replays of stored error responses carry it too).',
    schema: { type: 'string', enum: ['true'] },
  },
};
const header = (name: keyof typeof HEADERS) => ({ $ref: `#/components/headers/${name}` });

/** Error responses, reusable under `components.responses`. */
const PROBLEMS: Record<number, { name: string; description: string; retry?: boolean }> = {
  400: { name: 'BadRequest', description: 'The body is not valid JSON, or is not sent as application/json.' },
  401: { name: 'Unauthorized', description: 'Missing, malformed, unknown, expired or revoked key.' },
  403: {
    name: 'Forbidden',
    description: 'The key lacks the scope, is the wrong kind of key, or the store is outside its storeIds.',
  },
  404: { name: 'NotFound', description: 'Not found (including any resource of another tenant).' },
  409: {
    name: 'Conflict',
    description:
      'Conflict: the Idempotency-Key is in flight or was used with another body, the resource is in use or changed meanwhile, or the offer was already redeemed.',
  },
  410: { name: 'Gone', description: 'Gone: the offer expired.' },
  413: {
    name: 'PayloadTooLarge',
    description: 'The body is over 256 KiB (refused on every route, also on those that read no body).',
  },
  422: { name: 'ValidationFailed', description: 'Validation failed; errors[] names each bad field.' },
  429: { name: 'TooManyRequests', description: 'Rate limit exceeded; retry after Retry-After seconds.', retry: true },
  503: {
    name: 'Unavailable',
    description: 'A dependency (DynamoDB, SQS) is unavailable; nothing was written; retry after Retry-After seconds.',
    retry: true,
  },
};

/**
 * Statuses a route's use case answers beyond what its definition implies
 * (read from shared/services): resources in use, changed meanwhile
 * (optimistic versions), already redeemed; a PUT whose id must exist.
 */
const SERVICE_ERRORS: Partial<Record<AppRoute['id'], readonly number[]>> = {
  updateStore: [409],
  deleteStore: [409],
  updatePartner: [409],
  deletePartner: [409],
  replaceGeofence: [404, 409],
  updateGeofence: [409],
  deleteGeofence: [409],
  updateCampaign: [409],
  redeemOffer: [409],
};

/**
 * The error statuses a route can answer, derived from its definition and
 * from what shared/http/lambda.ts and the gateway (local, and API Gateway's
 * gateway responses) do before and around it.
 */
function errorStatuses(r: RouteDef): number[] {
  const out = new Set<number>([...(r.extraErrors ?? []), ...(SERVICE_ERRORS[r.id as AppRoute['id']] ?? [])]);
  // The authorizer: unknown key (401), over the rate limit (429), its key read failing (503); then the scope (403).
  if (r.auth !== 'none') for (const s of [401, 403, 429, 503]) out.add(s);
  // Any route refuses a body over 256 KiB, even one that reads none (the gateway and the function both check).
  out.add(413);
  // A body: JSON and content type (400), the schema (422).
  if (r.body) for (const s of [400, 422]) out.add(s);
  if (r.query) out.add(422);
  // Path ids of the wrong shape cannot exist (404), except where a PUT names a new resource (422).
  if (/\{\w+\}/.test(r.path)) out.add(r.method === 'PUT' ? 422 : 404);
  // Idempotency-Key in flight or reused with another body; of the wrong length.
  if (r.idempotent) for (const s of [409, 422]) out.add(s);
  return [...out].sort((a, b) => a - b);
}

/** Request parameters every operation takes. */
const COMMON_PARAMETERS = {
  'X-Request-Id': {
    name: 'X-Request-Id',
    in: 'header',
    required: false,
    description:
      'Your id for the request (1-128 of A-Z a-z 0-9 . _ -): kept, echoed and logged. Another value is ignored and the API makes one.',
    schema: { type: 'string', pattern: REQUEST_ID.source },
  },
};

function parameters(r: RouteDef): Json[] {
  const params: Json[] = [{ $ref: '#/components/parameters/X-Request-Id' }];
  params.push(
    ...[...r.path.matchAll(/\{(\w+)\}/g)].map((m) => ({
      name: m[1],
      in: 'path',
      required: true,
      schema: inline(IdSchema, 'input'),
    })),
  );
  if (r.query) {
    // Query strings are text; each value is documented as what it is parsed into (a number is a number).
    const parsed = inline(r.query, 'output') as { properties?: Json };
    const sent = inline(r.query, 'input') as { required?: string[] };
    for (const [name, schema] of Object.entries(parsed.properties ?? {}))
      params.push({ name, in: 'query', required: sent.required?.includes(name) ?? false, schema });
  }
  if (publishableMayCall(r))
    params.push({
      name: 'Shopper-Token',
      in: 'header',
      required: false,
      description:
        "Required with a publishable key (401 without a valid one): the HS256 JWT minted by the tenant's server " +
        '(POST /v1/shopper-tokens, or signed with a shopper-token key); the key then acts only for the shopper in its ' +
        '`sub` (403 for another). Ignored with a secret key.',
      // TOKEN_MAX_CHARS of shared/auth/shopper-token.ts (not imported: it would bring jose into the ops function).
      schema: { type: 'string', minLength: 1, maxLength: 4096 },
    });
  if (r.idempotent)
    params.push({
      name: 'Idempotency-Key',
      in: 'header',
      required: false,
      description: 'Same key + same body within 24 h replays the first response; another body is 409; in flight is 409.',
      schema: { type: 'string', minLength: 1, maxLength: 255 },
    });
  return params;
}

function operation(r: RouteDef, requests: Components, responses: Components) {
  const status = String(r.successStatus ?? 200);
  const successHeaders = {
    'X-Request-Id': header('X-Request-Id'),
    ...(r.idempotent ? { 'Idempotent-Replayed': header('Idempotent-Replayed') } : {}),
  };
  const success =
    status === '204' || !r.response
      ? { description: 'Success', headers: successHeaders }
      : {
          description: 'Success',
          headers: successHeaders,
          content: { 'application/json': { schema: ref(responses.add(responseName(r), r.response)) } },
        };
  const out: Record<string, unknown> = { [status]: success };
  for (const code of errorStatuses(r)) out[String(code)] = { $ref: `#/components/responses/${PROBLEMS[code].name}` };
  const params = parameters(r);
  return {
    operationId: r.id,
    summary: r.summary,
    ...(r.description ? { description: r.description } : {}),
    tags: r.tags ?? [],
    parameters: params,
    ...(r.body
      ? { requestBody: { required: true, content: { 'application/json': { schema: ref(requests.add(bodyName(r), r.body)) } } } }
      : {}),
    responses: out,
    security: r.auth === 'none' ? [] : [{ bearer: [] }, { apiKeyHeader: [] }],
    ...(r.auth !== 'none' ? { 'x-required-scope': r.auth } : {}),
  };
}

function problemResponses() {
  return Object.fromEntries(
    Object.values(PROBLEMS).map((p) => [
      p.name,
      {
        description: p.description,
        headers: { 'X-Request-Id': header('X-Request-Id'), ...(p.retry ? { 'Retry-After': header('Retry-After') } : {}) },
        content: { 'application/problem+json': { schema: ref('Problem') } },
      },
    ]),
  );
}

/** The Standard Webhooks headers of every delivery (standardwebhooks.com): any of its libraries verifies them. */
const WEBHOOK_HEADERS = [
  {
    name: 'webhook-id',
    in: 'header',
    required: true,
    description: 'The message id: whk_<offer id> for an offer, the same on every retry, so a receiver can drop duplicates.',
    schema: { type: 'string' },
  },
  {
    name: 'webhook-timestamp',
    in: 'header',
    required: true,
    description: 'Unix seconds of this attempt; Standard Webhooks libraries refuse one more than 5 minutes off.',
    schema: { type: 'string', pattern: '^\\d+$' },
  },
  {
    name: 'webhook-signature',
    in: 'header',
    required: true,
    description:
      'v1,<base64 HMAC-SHA256 of "<webhook-id>.<webhook-timestamp>.<raw body>">, keyed with the bytes the secret encodes after whsec_; ' +
      'during a secret rotation one per secret, space-separated.',
    schema: { type: 'string', pattern: '^v1,[A-Za-z0-9+/]+={0,2}( v1,[A-Za-z0-9+/]+={0,2})*$' },
  },
];

/** The body of POST /v1/webhook/test. */
const WebhookTestEventSchema = z
  .object({ type: z.literal('webhook.test'), id: z.string(), sentAt: z.string() })
  .describe('A test event, sent on request by POST /v1/webhook/test (not queued, not retried).');

const WEBHOOKS = {
  'offer.created': {
    post: {
      operationId: 'offerCreated',
      summary: 'An offer was made: POSTed to the tenant webhook',
      description:
        'One POST per offer, to the URL set with PUT /v1/webhook, retried with a growing backoff until a 2xx answer; after 5 attempts the offer reads deliveryStatus "failed". ' +
        'Signed per Standard Webhooks: verify with any of its libraries and the secret PUT /v1/webhook returned.',
      tags: ['webhooks'],
      parameters: WEBHOOK_HEADERS,
      requestBody: { required: true, content: { 'application/json': { schema: ref('OfferCreatedEvent') } } },
      // Sent by the API, not called on it: the receiver checks webhook-signature instead.
      security: [],
      responses: {
        '200': { description: 'Any 2xx answer within 5 s marks the offer delivered.' },
        '500': { description: 'Any other answer, or none within 5 s, is retried later.' },
      },
    },
  },
  'webhook.test': {
    post: {
      operationId: 'webhookTest',
      summary: 'A test event, sent by POST /v1/webhook/test',
      description: 'Signed like every delivery; its answer is reported to the caller of POST /v1/webhook/test.',
      tags: ['webhooks'],
      parameters: WEBHOOK_HEADERS,
      requestBody: { required: true, content: { 'application/json': { schema: ref('WebhookTestEvent') } } },
      security: [],
      responses: {
        '200': { description: 'Any 2xx answer within 5 s: delivered.' },
        '500': { description: 'Any other answer, or none within 5 s: not delivered (reported, not retried).' },
      },
    },
  },
};

const TAGS: Record<string, string> = {
  operations: 'Liveness and this document.',
  tenants: 'Merchants; the operator key creates them.',
  keys: 'API keys: secret (servers) and publishable (mobile apps).',
  stores: "The tenant's stores.",
  partners: 'Local businesses that co-market with the tenant.',
  geofences: 'Circles and GeoJSON polygons, indexed for lookup.',
  shoppers: 'Profiles, consent, export and erasure.',
  campaigns: 'Who gets which offer, where and when.',
  offers: 'The hot path: offers at a location, redemption, conversions.',
  stats: 'Offers, redemptions, conversions and lift.',
  webhooks: 'Delivery of offers to the tenant (Standard Webhooks signatures), secret rotation, test events.',
};

/** The OpenAPI 3.1 document, generated from the route table and its zod schemas. */
export function buildOpenApi(serverUrl?: string) {
  const requests = new Components('input');
  const responses = new Components('output');
  for (const [name, schema] of RESPONSE_PARTS) responses.add(name, schema);
  responses.add('Problem', ProblemSchema);
  responses.add('OfferCreatedEvent', OfferCreatedEventSchema);
  responses.add('WebhookTestEvent', WebhookTestEventSchema);

  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes as readonly RouteDef[]) {
    paths[r.path] ??= {};
    paths[r.path][r.method.toLowerCase()] = operation(r, requests, responses);
  }
  const requestSchemas = requests.build();
  const responseSchemas = responses.build();
  for (const name of Object.keys(requestSchemas))
    if (name in responseSchemas) throw new Error(`OpenAPI: ${name} names both a request and a response schema`);
  const schemas = Object.fromEntries(
    Object.entries({ ...requestSchemas, ...responseSchemas }).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );

  const tags = [...new Set((routes as readonly RouteDef[]).flatMap((r) => r.tags ?? []))];
  return {
    openapi: '3.1.0',
    info: {
      title: 'Geo-targeting offers API',
      version: '1.0.0',
      description: 'Location-based micromarketing: geofences, audiences, offers, delivery and measured lift.',
    },
    servers: [
      ...(serverUrl ? [{ url: serverUrl }] : []),
      { url: 'http://127.0.0.1:3000', description: 'Local mode (npm start; PORT defaults to 3000)' },
      {
        url: 'https://{apiId}.execute-api.{region}.amazonaws.com/{stage}',
        description: 'AWS (API Gateway); the ApiUrl output of the stack',
        variables: {
          apiId: { default: 'abcdef1234', description: 'REST API id' },
          region: { default: 'eu-west-1', description: 'AWS region' },
          stage: { default: 'prod', description: 'Stage name' },
        },
      },
    ],
    tags: tags.map((name) => ({ name, description: TAGS[name] ?? name })),
    paths,
    webhooks: WEBHOOKS,
    components: {
      schemas,
      parameters: COMMON_PARAMETERS,
      responses: problemResponses(),
      headers: HEADERS,
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'Authorization: Bearer <key>' },
        apiKeyHeader: { type: 'apiKey', in: 'header', name: 'x-api-key' },
      },
    },
  };
}
