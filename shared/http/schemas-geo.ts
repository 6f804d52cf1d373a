import { z } from 'zod';
import { isValidTimeZone } from '../domain/targeting/schedule.js';
import { IdSchema, LatLngSchema, ListQuerySchema, queryNumber } from './schemas.js';

/** Stores, partners, geofences: request and response schemas. */

const Name = z.string().trim().min(1).max(200);
const TimeZone = z
  .string()
  .max(64)
  .refine(isValidTimeZone, 'Must be an IANA time zone such as "Europe/Madrid".')
  .describe('IANA time zone, e.g. Europe/Madrid');

export const StoreCreateSchema = z
  .object({
    name: Name,
    location: LatLngSchema,
    timezone: TimeZone,
    address: z.string().trim().max(500).optional(),
  })
  .strict();
export const StorePatchSchema = z
  .object({
    name: Name.optional(),
    location: LatLngSchema.optional(),
    timezone: TimeZone.optional(),
    address: z.string().trim().max(500).nullable().optional(),
  })
  .strict();
export const StoreSchema = z.object({
  id: z.string(),
  name: z.string(),
  location: z.object({ lat: z.number(), lng: z.number() }),
  timezone: z.string(),
  address: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const PartnerCreateSchema = z
  .object({
    name: Name,
    category: z.string().trim().min(1).max(100),
    location: LatLngSchema,
    contactEmail: z.email().max(254).optional(),
  })
  .strict();
export const PartnerPatchSchema = z
  .object({
    name: Name.optional(),
    category: z.string().trim().min(1).max(100).optional(),
    location: LatLngSchema.optional(),
    contactEmail: z.email().max(254).nullable().optional(),
  })
  .strict();
export const PartnerSchema = z.object({
  id: z.string(),
  name: z.string(),
  category: z.string(),
  location: z.object({ lat: z.number(), lng: z.number() }),
  contactEmail: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

const Lng = z.number().describe('longitude, -180..180');
const Lat = z.number().describe('latitude, -90..90');
const PositionSchema = z.array(z.number()).min(2).max(3).describe('[lng, lat] (RFC 7946 order)');
const RingSchema = z.array(PositionSchema).describe('closed linear ring, >= 4 positions');

/**
 * Geometry: structure here (for the OpenAPI document), semantics (closed
 * rings, self-intersection, holes, vertex limit, ranges) in the geo domain's
 * validateGeometry, which names the bad ring or position.
 */
export const GeometrySchema = z
  .discriminatedUnion('type', [
    z
      .object({
        type: z.literal('Circle'),
        coordinates: z.tuple([Lng, Lat]).describe('centre, [lng, lat]'),
        radiusM: z.number().describe('10..50,000 metres'),
      })
      .strict(),
    z.object({ type: z.literal('Polygon'), coordinates: z.array(RingSchema).min(1) }).strict(),
    z.object({ type: z.literal('MultiPolygon'), coordinates: z.array(z.array(RingSchema).min(1)).min(1) }).strict(),
  ])
  .describe(
    'Circle (10-50,000 m), or a GeoJSON Polygon / MultiPolygon (RFC 7946): closed rings of >= 4 positions, no self-intersection, holes inside their shell, at most 2,000 vertices in all. Latitudes within ±85° (the radius included). Rings crossing the antimeridian are read the short way across it. A fence must be indexable in at most 128 H3 cells (roughly 365 km across at most), else 422.',
  );

const Tags = z.array(z.string().trim().min(1).max(64)).max(20);
const Metadata = z
  .record(
    z
      .string()
      .regex(/^[A-Za-z0-9_.-]{1,64}$/)
      .refine((k) => !['__proto__', 'constructor', 'prototype'].includes(k), 'This key is reserved.'),
    z.union([z.string().max(256), z.number(), z.boolean()]),
  )
  .refine((m) => Object.keys(m).length <= 16, 'At most 16 keys.')
  .refine((m) => Buffer.byteLength(JSON.stringify(m), 'utf8') <= 1024, 'At most 1 KiB in all.')
  .describe('Up to 16 keys, 1 KiB in all');

export const GeofenceCreateSchema = z
  .object({
    name: Name,
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
    name: Name.optional(),
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
    lat: queryNumber(z.number().min(-90).max(90)),
    lng: queryNumber(z.number().min(-180).max(180)),
  })
  .strict();
