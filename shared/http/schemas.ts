import { z } from 'zod';
import { SCOPES } from '../auth/principal.js';

/** Schemas shared by several routes. */

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .describe('RFC 9457 problem details (application/problem+json).');

export const IdSchema = z.string().min(1).max(128).regex(/^[A-Za-z0-9_.:-]+$/, 'Use letters, digits, _ . : -');

/** A number in a query string: plain decimal text only (no "", no hex), then checked as a number. */
export const queryNumber = <T extends z.ZodType<number, number>>(inner: T) =>
  z
    .string()
    .regex(/^-?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/, 'Must be a decimal number.')
    .transform(Number)
    .pipe(inner);

export const ListQuerySchema = z
  .object({
    limit: queryNumber(z.number().int().min(1).max(100)).default(25).describe('Page size, 1-100 (default 25).'),
    cursor: z.string().max(2048).optional().describe('Opaque cursor from a previous page (nextCursor).'),
  })
  .strict();

export const listOf = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable() });

export const ScopeSchema = z.enum(SCOPES);

export const IsoDateTime = z.iso.datetime({ offset: true });

export const LatLngSchema = z
  .object({
    lat: z.number().min(-90).max(90),
    lng: z.number().min(-180).max(180),
  })
  .strict();

export const HealthSchema = z.object({ status: z.literal('ok') });

export const TenantCreateSchema = z.object({ name: z.string().trim().min(1).max(200) }).strict();
export const TenantSchema = z.object({ id: z.string(), name: z.string(), createdAt: z.string() });
export const TenantCreatedSchema = z.object({
  tenant: TenantSchema,
  adminKey: z.string().describe('A secret key with every scope. Shown once.'),
});

export const RateLimitSchema = z
  .object({
    rps: z.number().int().min(1).max(10_000),
    burst: z.number().int().min(1).max(20_000),
  })
  .strict();

export const KeyCreateSchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    kind: z.enum(['secret', 'publishable']),
    scopes: z.array(ScopeSchema).min(1).max(SCOPES.length).optional(),
    storeIds: z.array(IdSchema).max(100).optional(),
    expiresAt: IsoDateTime.optional(),
    rateLimit: RateLimitSchema.optional(),
  })
  .strict();

export const KeySchema = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.enum(['secret', 'publishable']),
  scopes: z.array(ScopeSchema),
  storeIds: z.array(z.string()),
  prefix: z.string().describe('First characters of the key, to recognise it.'),
  createdAt: z.string(),
  expiresAt: z.string().nullable(),
  revokedAt: z.string().nullable().optional(),
  rateLimit: RateLimitSchema,
});
export const KeyCreatedSchema = KeySchema.extend({ key: z.string().describe('The key value. Shown once.') });
