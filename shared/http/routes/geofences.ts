import * as z from 'zod';
import { GeometrySchema, LatitudeSchema, LongitudeSchema } from '../../domain/geo/schema.js';
import { IdSchema } from '../../domain/values/id.js';
import { recordKeySchema } from '../../domain/values/keys.js';
import { route } from '../route.js';
import { ListQuerySchema, NameSchema, listOf, queryNumber } from './common.js';

const Tags = z.array(z.string().trim().min(1).max(64)).max(20);
const Metadata = z
  .record(recordKeySchema(/^[A-Za-z0-9_.-]{1,64}$/), z.union([z.string().max(256), z.number(), z.boolean()]))
  .refine((m) => Object.keys(m).length <= 16, 'At most 16 keys.')
  .refine((m) => Buffer.byteLength(JSON.stringify(m), 'utf8') <= 1024, 'At most 1 KiB in all.')
  .describe('Up to 16 keys, 1 KiB in all');

export const GeofenceCreateSchema = z
  .object({
    name: NameSchema,
    storeId: IdSchema.optional(),
    partnerId: IdSchema.optional(),
    geometry: GeometrySchema,
    tags: Tags.optional(),
    metadata: Metadata.optional(),
    enabled: z.boolean().optional(),
  })
  .strict();
export const GeofencePatchSchema = z
  .object({
    name: NameSchema.optional(),
    storeId: IdSchema.nullable().optional(),
    partnerId: IdSchema.nullable().optional(),
    geometry: GeometrySchema.optional(),
    tags: Tags.optional(),
    metadata: Metadata.nullable().optional(),
    enabled: z.boolean().optional(),
  })
  .strict();
export const GeofenceSchema = z.object({
  id: z.string(),
  name: z.string(),
  storeId: z.string().nullable(),
  partnerId: z.string().nullable(),
  geometry: GeometrySchema,
  tags: z.array(z.string()),
  metadata: z.record(z.string(), z.unknown()),
  enabled: z.boolean(),
  index: z.object({ resolution: z.number().int(), cells: z.array(z.string()) }),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const GeofenceListQuerySchema = ListQuerySchema.extend({
  storeId: IdSchema.optional(),
  tag: z.string().max(64).optional(),
}).strict();

export const LookupQuerySchema = z
  .object({
    lat: queryNumber(LatitudeSchema),
    lng: queryNumber(LongitudeSchema),
  })
  .strict();

export const geofenceRoutes = [
  route({
    id: 'createGeofence',
    method: 'POST',
    path: '/v1/geofences',
    fn: 'geofences',
    auth: 'geofences:write',
    summary: 'Create a geofence',
    tags: ['geofences'],
    body: GeofenceCreateSchema,
    response: GeofenceSchema,
    successStatus: 201,
    idempotent: true,
  }),
  route({
    id: 'listGeofences',
    method: 'GET',
    path: '/v1/geofences',
    fn: 'geofences',
    auth: 'geofences:read',
    summary: 'List geofences (filters: storeId, tag)',
    tags: ['geofences'],
    query: GeofenceListQuerySchema,
    response: listOf(GeofenceSchema),
  }),
  route({
    id: 'lookupGeofences',
    method: 'GET',
    path: '/v1/geofences/lookup',
    fn: 'geofences',
    auth: 'geofences:read',
    summary: 'Enabled geofences containing a point',
    description:
      'Reads one H3 index partition per ladder resolution and at most one batch of candidate fences, whatever the tenant size; containment is decided exactly on each candidate geometry (holes respected).',
    tags: ['geofences'],
    query: LookupQuerySchema,
    response: z.object({ items: z.array(GeofenceSchema) }),
  }),
  route({
    id: 'getGeofence',
    method: 'GET',
    path: '/v1/geofences/{id}',
    fn: 'geofences',
    auth: 'geofences:read',
    summary: 'Get a geofence',
    tags: ['geofences'],
    response: GeofenceSchema,
  }),
  route({
    id: 'replaceGeofence',
    method: 'PUT',
    path: '/v1/geofences/{id}',
    fn: 'geofences',
    auth: 'geofences:write',
    summary: 'Replace a geofence',
    tags: ['geofences'],
    body: GeofenceCreateSchema,
    response: GeofenceSchema,
  }),
  route({
    id: 'updateGeofence',
    method: 'PATCH',
    path: '/v1/geofences/{id}',
    fn: 'geofences',
    auth: 'geofences:write',
    summary: 'Update a geofence',
    tags: ['geofences'],
    body: GeofencePatchSchema,
    response: GeofenceSchema,
  }),
  route({
    id: 'deleteGeofence',
    method: 'DELETE',
    path: '/v1/geofences/{id}',
    fn: 'geofences',
    auth: 'geofences:write',
    summary: 'Delete a geofence (409 while campaigns use it)',
    tags: ['geofences'],
    successStatus: 204,
  }),
] as const;
