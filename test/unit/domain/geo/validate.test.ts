import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GEO_LIMITS, validateGeometry } from '../../../../shared/domain/geo/index.js';
import { rect } from '../../../support/geo.js';

type Ring = number[][];

/** A closed ring of `n` vertices on a small circle (n + 1 positions). */
function roundRing(n: number, lng = 2.17, lat = 41.38, r = 0.01): Ring {
  const ring: Ring = [];
  for (let i = 0; i < n; i++) {
    const a = (2 * Math.PI * i) / n;
    ring.push([lng + r * Math.cos(a), lat + r * Math.sin(a)]);
  }
  ring.push(ring[0]);
  return ring;
}

const paths = (value: unknown, base?: string) => validateGeometry(value, base).map((i) => i.path);

describe('geometry validation', () => {
  describe('any geometry', () => {
    it('refuses a value that is not an object, naming the geometry itself', () => {
      expect(paths(null)).toEqual(['geometry']);
      expect(paths('Polygon')).toEqual(['geometry']);
      expect(paths([1, 2])).toEqual(['geometry']);
    });

    it('refuses an unknown type', () => {
      expect(paths({ type: 'Point', coordinates: [2, 41] })).toEqual(['geometry.type']);
      expect(paths({ coordinates: [2, 41], radiusM: 50 })).toEqual(['geometry.type']);
    });

    it('prefixes paths with the given base path', () => {
      expect(paths({ type: 'Circle', coordinates: [2, 41], radiusM: 5 }, 'body.geometry')).toEqual(['body.geometry.radiusM']);
      expect(
        paths(
          {
            type: 'Polygon',
            coordinates: [
              [
                [0, 0],
                [1, 0],
                [1, 1],
                [0, 1],
              ],
            ],
          },
          'fence',
        ),
      ).toEqual(['fence.coordinates[0]']);
    });
  });

  describe('circle geofence', () => {
    it('accepts the smallest and the largest radius', () => {
      expect(validateGeometry({ type: 'Circle', coordinates: [2.17, 41.38], radiusM: 10 })).toEqual([]);
      expect(validateGeometry({ type: 'Circle', coordinates: [2.17, 41.38], radiusM: 50_000 })).toEqual([]);
    });

    it('rejects a radius over 50 km', () => {
      expect(validateGeometry({ type: 'Circle', coordinates: [2.17, 41.38], radiusM: 50_001 })).toEqual([
        { path: 'geometry.radiusM', message: 'must be at most 50000 m (50 km)' },
      ]);
    });

    it('rejects a radius under 10 m', () => {
      expect(validateGeometry({ type: 'Circle', coordinates: [2.17, 41.38], radiusM: 9.99 })).toEqual([
        { path: 'geometry.radiusM', message: 'must be at least 10 m' },
      ]);
    });

    it('rejects a missing, non-numeric or non-finite radius', () => {
      for (const radiusM of [undefined, '100', Number.NaN, Number.POSITIVE_INFINITY, null]) {
        expect(paths({ type: 'Circle', coordinates: [2.17, 41.38], radiusM })).toEqual(['geometry.radiusM']);
      }
    });

    it('rejects a centre out of range, non-finite or of the wrong shape', () => {
      for (const coordinates of [
        [181, 41],
        [-180.5, 41],
        [2, 90.1],
        [2, -91],
        [Number.NaN, 41],
        [2],
        [2, 41, 0, 0],
        '2,41',
        { lng: 2, lat: 41 },
      ]) {
        expect(paths({ type: 'Circle', coordinates, radiusM: 100 })).toEqual(['geometry.coordinates']);
      }
    });

    it('accepts an altitude as a third coordinate and ignores it', () => {
      expect(validateGeometry({ type: 'Circle', coordinates: [2.17, 41.38, 120], radiusM: 100 })).toEqual([]);
    });

    it('reports a bad centre and a bad radius together', () => {
      expect(paths({ type: 'Circle', coordinates: [200, 41], radiusM: 0 })).toEqual(['geometry.coordinates', 'geometry.radiusM']);
    });

    it('rejects a circle reaching beyond latitude 85°', () => {
      expect(paths({ type: 'Circle', coordinates: [20, 84.9], radiusM: 20_000 })).toEqual(['geometry.coordinates']);
      expect(validateGeometry({ type: 'Circle', coordinates: [20, 84.5], radiusM: 20_000 })).toEqual([]);
    });
  });

  describe('polygon geofence', () => {
    it('accepts a rectangle, a rectangle with a hole and positions with altitude', () => {
      expect(validateGeometry({ type: 'Polygon', coordinates: [rect(2, 41, 2.01, 41.01)] })).toEqual([]);
      expect(
        validateGeometry({ type: 'Polygon', coordinates: [rect(2, 41, 2.01, 41.01), rect(2.004, 41.004, 2.006, 41.006)] }),
      ).toEqual([]);
      expect(validateGeometry({ type: 'Polygon', coordinates: [rect(2, 41, 2.01, 41.01).map(([x, y]) => [x, y, 30])] })).toEqual(
        [],
      );
    });

    it('accepts either winding order', () => {
      expect(validateGeometry({ type: 'Polygon', coordinates: [rect(2, 41, 2.01, 41.01).reverse()] })).toEqual([]);
    });

    it('names a bad position by ring and index', () => {
      const ring: Ring = rect(2, 41, 2.01, 41.01);
      ring[3] = ['2', 41.01] as unknown as number[];
      expect(paths({ type: 'Polygon', coordinates: [ring] })).toEqual(['geometry.coordinates[0][3]']);
    });

    it('names every bad position, in order', () => {
      const ring: Ring = rect(2, 41, 2.01, 41.01);
      ring[1] = [2.01, 95];
      ring[2] = [Number.NaN, 41.01];
      expect(paths({ type: 'Polygon', coordinates: [ring] })).toEqual([
        'geometry.coordinates[0][1]',
        'geometry.coordinates[0][2]',
      ]);
    });

    it('refuses a position with four numbers or one', () => {
      const ring: Ring = rect(2, 41, 2.01, 41.01);
      ring[2] = [2.01, 41.01, 0, 0];
      ring[3] = [2];
      expect(paths({ type: 'Polygon', coordinates: [ring] })).toEqual([
        'geometry.coordinates[0][2]',
        'geometry.coordinates[0][3]',
      ]);
    });

    it('refuses latitudes beyond ±85°', () => {
      expect(validateGeometry({ type: 'Polygon', coordinates: [rect(10, 84, 11, 85.5)] })).toEqual([
        { path: 'geometry.coordinates[0][2]', message: 'latitude 85.5 is beyond ±85°, outside the area geofences may cover' },
        { path: 'geometry.coordinates[0][3]', message: 'latitude 85.5 is beyond ±85°, outside the area geofences may cover' },
      ]);
    });

    it('rejects a ring that is not closed, naming the ring', () => {
      expect(validateGeometry({ type: 'Polygon', coordinates: [rect(2, 41, 2.01, 41.01).slice(0, 4)] })).toEqual([
        { path: 'geometry.coordinates[0]', message: 'is not closed: the first and last positions must be equal' },
      ]);
    });

    it('rejects a ring with fewer than 4 positions', () => {
      expect(
        paths({
          type: 'Polygon',
          coordinates: [
            [
              [0, 0],
              [1, 0],
              [0, 0],
            ],
          ],
        }),
      ).toEqual(['geometry.coordinates[0]']);
      expect(paths({ type: 'Polygon', coordinates: [[]] })).toEqual(['geometry.coordinates[0]']);
    });

    it('rejects a ring that is not an array', () => {
      expect(paths({ type: 'Polygon', coordinates: [rect(2, 41, 2.01, 41.01), 'hole'] })).toEqual(['geometry.coordinates[1]']);
    });

    it('rejects a polygon with no rings, or coordinates that are not an array', () => {
      expect(paths({ type: 'Polygon', coordinates: [] })).toEqual(['geometry.coordinates']);
      expect(paths({ type: 'Polygon', coordinates: {} })).toEqual(['geometry.coordinates']);
      expect(paths({ type: 'Polygon' })).toEqual(['geometry.coordinates']);
    });

    it('rejects a bow-tie, naming the ring', () => {
      const bowTie = [
        [2.17, 41.38],
        [2.18, 41.39],
        [2.18, 41.38],
        [2.17, 41.39],
        [2.17, 41.38],
      ];
      expect(validateGeometry({ type: 'Polygon', coordinates: [bowTie] })).toEqual([
        {
          path: 'geometry.coordinates[0]',
          message:
            'self-intersects: edges 0 and 2 meet at [2.175, 41.385]; a ring may touch itself only where consecutive edges share a vertex',
        },
      ]);
    });

    it('rejects a bow-tie hole, naming the hole', () => {
      const hole = [
        [2.002, 41.002],
        [2.008, 41.008],
        [2.008, 41.002],
        [2.002, 41.008],
        [2.002, 41.002],
      ];
      expect(paths({ type: 'Polygon', coordinates: [rect(2, 41, 2.01, 41.01), hole] })).toEqual(['geometry.coordinates[1]']);
    });

    it('rejects a ring that touches itself at a non-consecutive vertex', () => {
      // Two squares joined at the corner (1, 1): a figure of eight.
      const eight = [
        [0, 0],
        [1, 0],
        [1, 1],
        [2, 1],
        [2, 2],
        [1, 2],
        [1, 1],
        [0, 1],
        [0, 0],
      ];
      expect(paths({ type: 'Polygon', coordinates: [eight] })).toEqual(['geometry.coordinates[0]']);
    });

    it('rejects a vertex lying on a non-adjacent edge', () => {
      const pinched = [
        [0, 0],
        [2, 0],
        [2, 2],
        [1, 0],
        [0, 2],
        [0, 0],
      ];
      expect(paths({ type: 'Polygon', coordinates: [pinched] })).toEqual(['geometry.coordinates[0]']);
    });

    it('numbers edges by input position, repeated positions included', () => {
      // Edge i runs from position i to i + 1; positions 1 and 2 repeat, so the crossing edges start at positions 0 and 3.
      const bowTie = [
        [2.17, 41.38],
        [2.18, 41.39],
        [2.18, 41.39],
        [2.18, 41.38],
        [2.17, 41.39],
        [2.17, 41.38],
      ];
      expect(validateGeometry({ type: 'Polygon', coordinates: [bowTie] })).toEqual([
        {
          path: 'geometry.coordinates[0]',
          message:
            'self-intersects: edges 0 and 3 meet at [2.175, 41.385]; a ring may touch itself only where consecutive edges share a vertex',
        },
      ]);
    });

    it('rejects a spike: an edge folding back over the previous one', () => {
      expect(
        paths({
          type: 'Polygon',
          coordinates: [
            [
              [0, 0],
              [2, 0],
              [1, 0],
              [1, 1],
              [0, 0],
            ],
          ],
        }),
      ).toEqual(['geometry.coordinates[0]']);
    });

    it('accepts repeated consecutive positions', () => {
      expect(
        validateGeometry({
          type: 'Polygon',
          coordinates: [
            [
              [0, 0],
              [1, 0],
              [1, 0],
              [1, 1],
              [0, 1],
              [0, 0],
            ],
          ],
        }),
      ).toEqual([]);
    });

    it('rejects a ring with fewer than 3 distinct positions', () => {
      expect(
        validateGeometry({
          type: 'Polygon',
          coordinates: [
            [
              [0, 0],
              [1, 0],
              [1, 0],
              [0, 0],
            ],
          ],
        }),
      ).toEqual([{ path: 'geometry.coordinates[0]', message: 'is degenerate: it has fewer than 3 distinct positions' }]);
    });

    it('rejects a hole outside its shell, naming the hole', () => {
      expect(
        validateGeometry({ type: 'Polygon', coordinates: [rect(2, 41, 2.01, 41.01), rect(2.02, 41.002, 2.03, 41.004)] }),
      ).toEqual([{ path: 'geometry.coordinates[1]', message: 'hole is not inside its shell' }]);
    });

    it('rejects a hole crossing its shell', () => {
      expect(
        validateGeometry({ type: 'Polygon', coordinates: [rect(2, 41, 2.01, 41.01), rect(2.005, 41.002, 2.015, 41.004)] }),
      ).toEqual([
        {
          path: 'geometry.coordinates[1]',
          message: 'hole touches or crosses its shell; a hole must lie strictly inside the shell',
        },
      ]);
    });

    it('rejects two holes crossing each other, naming the later one', () => {
      const coordinates = [rect(2, 41, 2.01, 41.01), rect(2.001, 41.001, 2.005, 41.005), rect(2.004, 41.004, 2.008, 41.008)];
      expect(validateGeometry({ type: 'Polygon', coordinates })).toEqual([
        { path: 'geometry.coordinates[2]', message: 'hole touches or crosses the hole at geometry.coordinates[1]' },
      ]);
    });

    it('accepts 2,000 vertices (2,001 positions) and refuses 2,001', () => {
      expect(validateGeometry({ type: 'Polygon', coordinates: [roundRing(2000)] })).toEqual([]);
      expect(validateGeometry({ type: 'Polygon', coordinates: [roundRing(2001)] })).toEqual([
        { path: 'geometry.coordinates', message: 'has more than 2000 vertices; at most 2000 are allowed in all' },
      ]);
    });

    it('counts vertices over all rings and polygons', () => {
      const shell = roundRing(1500, 2.17, 41.38, 0.05);
      const hole = roundRing(600, 2.17, 41.38, 0.01);
      expect(paths({ type: 'Polygon', coordinates: [shell, hole] })).toEqual(['geometry.coordinates']);
      expect(paths({ type: 'MultiPolygon', coordinates: [[roundRing(1000)], [roundRing(1001, 3, 41)]] })).toEqual([
        'geometry.coordinates',
      ]);
    });

    it('refuses a million-vertex payload with one issue, without reading its positions', () => {
      let read = 0;
      const huge = new Proxy(
        Array.from({ length: 1_000_000 }, () => [2.17, 41.38]),
        {
          get(target, prop, receiver) {
            if (typeof prop === 'string' && /^\d+$/.test(prop)) read++;
            return Reflect.get(target, prop, receiver);
          },
        },
      );
      const issues = validateGeometry({ type: 'Polygon', coordinates: [huge] });
      expect(issues).toEqual([
        { path: 'geometry.coordinates', message: 'has more than 2000 vertices; at most 2000 are allowed in all' },
      ]);
      expect(read).toBeLessThanOrEqual(2_001);
    });

    it('refuses hundreds of thousands of empty rings with one issue', () => {
      const issues = validateGeometry({ type: 'Polygon', coordinates: Array.from({ length: 300_000 }, () => []) });
      expect(issues).toHaveLength(1);
      expect(issues[0].path).toBe('geometry.coordinates');
    });

    it('lists at most 50 issues', () => {
      const ring = Array.from({ length: 500 }, () => ['x', 'y']);
      const issues = validateGeometry({ type: 'Polygon', coordinates: [ring] });
      expect(issues).toHaveLength(50);
      expect(issues[49].message).toMatch(/further problems not listed/);
    });
  });

  describe('polygon across the antimeridian', () => {
    it('accepts a ring crossing it uncut', () => {
      const ring = [
        [179.8, -16.9],
        [-179.8, -16.9],
        [-179.8, -16.7],
        [179.8, -16.7],
        [179.8, -16.9],
      ];
      expect(validateGeometry({ type: 'Polygon', coordinates: [ring] })).toEqual([]);
    });

    it('accepts a hole whose shell crosses it', () => {
      const shell = [
        [179.5, -17],
        [-179.5, -17],
        [-179.5, -16.5],
        [179.5, -16.5],
        [179.5, -17],
      ];
      const hole = [
        [179.9, -16.8],
        [179.9, -16.7],
        [-179.9, -16.7],
        [-179.9, -16.8],
        [179.9, -16.8],
      ];
      expect(validateGeometry({ type: 'Polygon', coordinates: [shell, hole] })).toEqual([]);
    });

    it('rejects a bow-tie across it', () => {
      const ring = [
        [179.8, -16.9],
        [-179.8, -16.7],
        [-179.8, -16.9],
        [179.8, -16.7],
        [179.8, -16.9],
      ];
      expect(paths({ type: 'Polygon', coordinates: [ring] })).toEqual(['geometry.coordinates[0]']);
    });

    it('rejects an edge spanning exactly 180° of longitude as ambiguous', () => {
      expect(validateGeometry({ type: 'Polygon', coordinates: [rect(0, 0, 180, 10)] })).toEqual([
        {
          path: 'geometry.coordinates[0]',
          message: 'the edge ending at position 1 spans exactly 180° of longitude, so its direction is ambiguous; add a vertex',
        },
      ]);
    });

    it('rejects a ring winding round a pole', () => {
      expect(
        validateGeometry({
          type: 'Polygon',
          coordinates: [
            [
              [0, 80],
              [120, 80],
              [-120, 80],
              [0, 80],
            ],
          ],
        }),
      ).toEqual([{ path: 'geometry.coordinates[0]', message: 'winds around a pole; geofences may not contain a pole' }]);
    });

    it('rejects a polygon spanning more than 180° of longitude', () => {
      const ring = [
        [-100, 0],
        [0, 0],
        [100, 0],
        [100, 10],
        [0, 10],
        [-100, 10],
        [-100, 0],
      ];
      expect(validateGeometry({ type: 'Polygon', coordinates: [ring] })).toEqual([
        { path: 'geometry.coordinates[0]', message: 'spans 200° of longitude; a polygon may span at most 180°' },
      ]);
    });
  });

  describe('multipolygon geofence', () => {
    it('accepts two buildings, one with a courtyard', () => {
      const coordinates = [[rect(2, 41, 2.01, 41.01)], [rect(2.02, 41, 2.03, 41.01), rect(2.024, 41.004, 2.026, 41.006)]];
      expect(validateGeometry({ type: 'MultiPolygon', coordinates })).toEqual([]);
    });

    it('rejects an empty multipolygon', () => {
      expect(validateGeometry({ type: 'MultiPolygon', coordinates: [] })).toEqual([
        { path: 'geometry.coordinates', message: 'must contain at least one polygon' },
      ]);
    });

    it('names a ring by polygon and ring index', () => {
      const bowTie = [
        [2.02, 41],
        [2.03, 41.01],
        [2.03, 41],
        [2.02, 41.01],
        [2.02, 41],
      ];
      expect(paths({ type: 'MultiPolygon', coordinates: [[rect(2, 41, 2.01, 41.01)], [bowTie]] })).toEqual([
        'geometry.coordinates[1][0]',
      ]);
      expect(
        paths({ type: 'MultiPolygon', coordinates: [[rect(2, 41, 2.01, 41.01)], [rect(2.02, 41, 2.03, 41.01).slice(0, 4)]] }),
      ).toEqual(['geometry.coordinates[1][0]']);
    });

    it('names a position by polygon, ring and index', () => {
      const ring: Ring = rect(2.02, 41, 2.03, 41.01);
      ring[2] = [2.03, null as unknown as number];
      expect(paths({ type: 'MultiPolygon', coordinates: [[rect(2, 41, 2.01, 41.01)], [ring]] })).toEqual([
        'geometry.coordinates[1][0][2]',
      ]);
    });

    it('names a polygon that has no rings', () => {
      expect(paths({ type: 'MultiPolygon', coordinates: [[rect(2, 41, 2.01, 41.01)], []] })).toEqual(['geometry.coordinates[1]']);
      expect(paths({ type: 'MultiPolygon', coordinates: [7] })).toEqual(['geometry.coordinates[0]']);
    });
  });

  describe('on garbage', () => {
    it('never throws, and always returns well-formed issues', () => {
      fc.assert(
        fc.property(fc.anything(), (value) => {
          const issues = validateGeometry(value);
          expect(Array.isArray(issues)).toBe(true);
          for (const issue of issues) {
            expect(typeof issue.path).toBe('string');
            expect(issue.path.startsWith('geometry')).toBe(true);
            expect(typeof issue.message).toBe('string');
          }
          return true;
        }),
        { numRuns: 2000 },
      );
    });

    it('never throws on geometry-shaped garbage, and refuses it', () => {
      const type = fc.constantFrom('Circle', 'Polygon', 'MultiPolygon');
      const num = fc.oneof(fc.double(), fc.integer({ min: -200, max: 200 }), fc.constant(Number.NaN));
      const junk = fc.oneof(num, fc.string(), fc.constant(null), fc.anything());
      const position = fc.oneof(fc.array(num, { maxLength: 4 }), junk);
      const ring = fc.oneof(fc.array(position, { maxLength: 8 }), junk);
      const coordinates = fc.oneof(
        fc.array(ring, { maxLength: 4 }),
        fc.array(fc.array(ring, { maxLength: 3 }), { maxLength: 3 }),
        position,
        junk,
      );
      fc.assert(
        fc.property(type, coordinates, fc.oneof(num, junk), (t, c, r) => {
          const issues = validateGeometry({ type: t, coordinates: c, radiusM: r });
          expect(Array.isArray(issues)).toBe(true);
          return true;
        }),
        { numRuns: 3000 },
      );
    });

    it('reports an object whose properties cannot be read instead of throwing', () => {
      const hostile = new Proxy(
        {},
        {
          get() {
            throw new Error('boom');
          },
        },
      );
      expect(validateGeometry(hostile)).toEqual([{ path: 'geometry', message: 'could not be read as a geometry' }]);
    });
  });

  it('exposes the documented limits', () => {
    expect(GEO_LIMITS).toMatchObject({
      minRadiusM: 10,
      maxRadiusM: 50_000,
      maxVertices: 2_000,
      maxAccuracyM: 1_000,
      maxAbsLatitude: 85,
    });
    expect(GEO_LIMITS.maxIndexCells).toBe(128);
  });
});
