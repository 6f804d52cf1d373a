import * as z from 'zod';

/**
 * Value schemas of locations and geofence geometry. A point's ranges are
 * checked here; a geometry's structure is here (for the OpenAPI document)
 * and its semantics (closed rings, self-intersection, holes, vertex limit,
 * ranges) in `validateGeometry`, which names the bad ring or position.
 */

export const LatitudeSchema = z.number().min(-90).max(90);
export const LongitudeSchema = z.number().min(-180).max(180);

/** A point, `{lat, lng}` in degrees. */
export const LatLngSchema = z
  .object({
    lat: LatitudeSchema,
    lng: LongitudeSchema,
  })
  .strict();

const Lng = z.number().describe('longitude, -180..180');
const Lat = z.number().describe('latitude, -90..90');
const PositionSchema = z.array(z.number()).min(2).max(3).describe('[lng, lat] (RFC 7946 order)');
const RingSchema = z.array(PositionSchema).describe('closed linear ring, >= 4 positions');

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
