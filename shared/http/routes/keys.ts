import * as z from 'zod';
import { SCOPES } from '../../auth/principal.js';
import { AttributeNameSchema, DEVICE_ATTRIBUTES_MAX } from '../../domain/targeting/index.js';
import { IdSchema } from '../../domain/values/id.js';
import { IsoDateTimeSchema } from '../../domain/values/time.js';
import { route } from '../route.js';
import { ListQuerySchema, NameSchema, listOf } from './common.js';

export const ScopeSchema = z.enum(SCOPES);

/** The kinds of key a tenant creates (operator keys are made by the operator tool). */
const KeyKindSchema = z.enum(['secret', 'publishable']);

export const RateLimitSchema = z
  .object({
    rps: z.number().int().min(1).max(10_000),
    burst: z.number().int().min(1).max(20_000),
  })
  .strict();

export const KeyCreateSchema = z
  .object({
    name: NameSchema,
    kind: KeyKindSchema,
    scopes: z.array(ScopeSchema).min(1).max(SCOPES.length).optional(),
    storeIds: z.array(IdSchema).max(100).optional(),
    expiresAt: IsoDateTimeSchema.optional(),
    rateLimit: RateLimitSchema.optional(),
    deviceAttributes: z
      .array(AttributeNameSchema)
      .max(DEVICE_ATTRIBUTES_MAX)
      .optional()
      .describe(
        `Publishable keys only (422 on a secret key): at most ${DEVICE_ATTRIBUTES_MAX} attribute names (without "attributes.") ` +
          'that an app may send inline as profile.attributes.<name> with POST /v1/offers, e.g. ["appVersion","notificationsEnabled"]. ' +
          'Any other inline profile field sent with the key is 422.',
      ),
  })
  .strict();

export const KeySchema = z.object({
  id: z.string(),
  name: z.string(),
  kind: KeyKindSchema,
  scopes: z.array(ScopeSchema),
  storeIds: z.array(z.string()),
  prefix: z.string().describe('First characters of the key, to recognise it.'),
  createdAt: z.string(),
  expiresAt: z.string().nullable(),
  revokedAt: z.string().nullable().optional(),
  rateLimit: RateLimitSchema,
  deviceAttributes: z
    .array(z.string())
    .describe('The attributes.<name> an app may send inline with this key (publishable keys; empty otherwise).'),
});
export const KeyCreatedSchema = KeySchema.extend({ key: z.string().describe('The key value. Shown once.') });

export const keyRoutes = [
  route({
    id: 'createKey',
    method: 'POST',
    path: '/v1/keys',
    fn: 'keys',
    auth: 'keys:write',
    summary: 'Create an API key (the value is shown once)',
    tags: ['keys'],
    body: KeyCreateSchema,
    response: KeyCreatedSchema,
    successStatus: 201,
    idempotent: true,
  }),
  route({
    id: 'listKeys',
    method: 'GET',
    path: '/v1/keys',
    fn: 'keys',
    auth: 'keys:write',
    summary: 'List API keys (never their values)',
    tags: ['keys'],
    query: ListQuerySchema,
    response: listOf(KeySchema),
  }),
  route({
    id: 'revokeKey',
    method: 'DELETE',
    path: '/v1/keys/{id}',
    fn: 'keys',
    auth: 'keys:write',
    summary: 'Revoke an API key',
    tags: ['keys'],
    successStatus: 204,
  }),
] as const;
