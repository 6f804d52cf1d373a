import { describe, expect, it } from 'vitest';
import { GeometrySchema, LatLngSchema } from '../../../../shared/domain/geo/schema.js';
import { bodyWith, issuesOf, requestFields, requestSchema } from '../../../support/request-fields.js';

describe('point schema', () => {
  it('accepts latitudes -90..90 and longitudes -180..180, and nothing else in a point', () => {
    expect(LatLngSchema.parse({ lat: -90, lng: 180 })).toEqual({ lat: -90, lng: 180 });
    expect(issuesOf(LatLngSchema, { lat: 90.5, lng: -180.5 }).map(([path]) => path)).toEqual(['lat', 'lng']);
    expect(issuesOf(LatLngSchema, { lat: 0, lng: 0, alt: 1 }).map(([path]) => path)).toEqual(['']);
  });

  describe('in every request body that takes a location', () => {
    const fields = requestFields((node) => {
      const props = node.properties as Record<string, unknown> | undefined;
      return !!props && 'lat' in props && 'lng' in props;
    }).filter((f) => f.part === 'body');

    it('finds the locations of stores, partners and offer requests', () => {
      expect(fields.map((f) => `${f.route} ${f.path}`).sort()).toEqual([
        'createPartner location',
        'createStore location',
        'requestOffers location',
        'updatePartner location',
        'updateStore location',
      ]);
    });

    it.each([
      { lat: 41.39, lng: 2.16 },
      { lat: 91, lng: 2 },
      { lat: 0, lng: -180.01 },
      { lat: '41', lng: 2 },
    ])('gives %j the same verdict and message everywhere', (point) => {
      const expected = issuesOf(LatLngSchema, point);
      for (const f of fields) {
        expect(issuesOf(requestSchema(f), bodyWith(f.route, f.path, point)), `${f.route} ${f.path}`).toEqual(
          expected.map(([path, message]) => [`${f.path}.${path}`, message]),
        );
      }
    });
  });
});

describe('geometry schema', () => {
  it('checks the structure of circles, polygons and multipolygons, leaving semantics to validateGeometry', () => {
    expect(GeometrySchema.safeParse({ type: 'Circle', coordinates: [2.16, 41.39], radiusM: 5 }).success).toBe(true);
    expect(
      GeometrySchema.safeParse({
        type: 'Polygon',
        coordinates: [
          [
            [0, 0],
            [1, 0],
            [0, 0],
          ],
        ],
      }).success,
    ).toBe(true);
    expect(issuesOf(GeometrySchema, { type: 'Point', coordinates: [0, 0] }).map(([path]) => path)).toEqual(['type']);
    expect(issuesOf(GeometrySchema, { type: 'Polygon', coordinates: [] }).map(([path]) => path)).toEqual(['coordinates']);
  });
});
