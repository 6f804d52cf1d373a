import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { prepare, type PreparedFence, type PreparedPolygon } from '../../../../shared/domain/geo/prepared.js';
import { destination } from '../../../../shared/domain/geo/sphere.js';
import {
  InvalidGeometryError,
  type FenceGeometry,
  type PolygonGeometry,
  type Position,
} from '../../../../shared/domain/geo/types.js';
import { rect } from '../../../support/geo.js';

const polygonsOf = (f: PreparedFence): PreparedPolygon[] => {
  if (f.kind !== 'polygons') throw new Error(`expected polygons, got ${f.kind}`);
  return f.polygons;
};

/** The issues of the InvalidGeometryError that `fn` throws. */
function invalidIssues(fn: () => unknown) {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidGeometryError);
    return (err as InvalidGeometryError).issues;
  }
  throw new Error('expected an InvalidGeometryError');
}

/** A closed ring of `n` vertices round (lat, lng), wrapped longitudes as clients send them. */
function roundRing(lat: number, lng: number, r: number, n: number): Position[] {
  const ring = Array.from({ length: n }, (_, i): Position => {
    const p = destination(lat, lng, r, (360 * i) / n);
    return [p.lng, p.lat];
  });
  ring.push([...ring[0]]);
  return ring;
}

describe('prepared fence', () => {
  it('reads a circle centre from [lng, lat]', () => {
    expect(prepare({ type: 'Circle', coordinates: [2.17, 41.38], radiusM: 100 })).toEqual({
      kind: 'circle',
      lat: 41.38,
      lng: 2.17,
      radiusM: 100,
    });
  });

  it('is built once per geometry object and reused', () => {
    const g: PolygonGeometry = { type: 'Polygon', coordinates: [rect(2.1, 41.3, 2.2, 41.4)] };
    const first = prepare(g);
    expect(prepare(g)).toBe(first);
    const copy: PolygonGeometry = structuredClone(g);
    expect(prepare(copy)).not.toBe(first);
    expect(prepare(copy)).toEqual(first);
  });

  it('keeps a polygon that does not cross the antimeridian as it is, with its bounds', () => {
    const shell = rect(2.215, 41.4085, 2.218, 41.4105);
    const hole = rect(2.216, 41.4092, 2.217, 41.4098);
    const f = prepare({ type: 'Polygon', coordinates: [shell, hole] });
    const [p] = polygonsOf(f);
    expect(Array.from(p.rings[0].xs)).toEqual(shell.map((q) => q[0]));
    expect(Array.from(p.rings[0].ys)).toEqual(shell.map((q) => q[1]));
    expect(Array.from(p.rings[1].xs)).toEqual(hole.map((q) => q[0]));
    expect([p.minX, p.maxX, p.minY, p.maxY]).toEqual([2.215, 2.218, 41.4085, 41.4105]);
    expect(p.geojson).toEqual({ type: 'Polygon', coordinates: [shell, hole] });
    expect(f).toMatchObject({ kind: 'polygons', minY: 41.4085, maxY: 41.4105 });
  });

  it('unwraps a polygon across the antimeridian and moves its hole onto the shell', () => {
    const shell = rect(179.5, -17, -179.5, -16.5);
    // The hole is written on the east side of the line, the shell starts on the west side.
    const hole = rect(-179.9, -16.9, -179.8, -16.8);
    const [p] = polygonsOf(prepare({ type: 'Polygon', coordinates: [shell, hole] }));
    expect(Array.from(p.rings[0].xs)).toEqual([179.5, 180.5, 180.5, 179.5, 179.5]);
    // Shifted by exactly one turn (lng + 360, as a query point is), so a hole vertex and a query on it agree to the bit.
    expect(Array.from(p.rings[1].xs)).toEqual(hole.map((q) => q[0] + 360));
    expect(p.rings[1].xs[0]).toBeCloseTo(180.1, 9);
    expect([p.minX, p.maxX]).toEqual([179.5, 180.5]);
    expect(p.geojson.coordinates[1].map((q) => q[0])).toEqual(Array.from(p.rings[1].xs));
  });

  it('closes every ring exactly on its unwrapped start', () => {
    // The closing position is written as -180 for a ring that starts at 180: the same point.
    const ring: Position[] = [
      [180, 0],
      [-179.5, 0],
      [-179.5, 1],
      [180, 1],
      [-180, 0],
    ];
    const [p] = polygonsOf(prepare({ type: 'Polygon', coordinates: [ring] }));
    const xs = Array.from(p.rings[0].xs);
    expect(xs[xs.length - 1]).toBe(xs[0]);
    expect(xs).toEqual([180, 180.5, 180.5, 180, 180]);
  });

  it('takes the latitude range of a multipolygon over all its parts', () => {
    const f = prepare({ type: 'MultiPolygon', coordinates: [[rect(2.1, 41.3, 2.2, 41.4)], [rect(2.5, 40.9, 2.6, 41.1)]] });
    expect(f).toMatchObject({ kind: 'polygons', minY: 40.9, maxY: 41.4 });
    expect(polygonsOf(f)).toHaveLength(2);
  });

  it('groups the edges of a ring in consecutive chunks of at most 16 that bound their edges', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -80, max: 80, noNaN: true }),
        fc.double({ min: -180, max: 180, noNaN: true }),
        fc.integer({ min: 3, max: 200 }),
        (lat, lng, n) => {
          const [p] = polygonsOf(prepare({ type: 'Polygon', coordinates: [roundRing(lat, lng, 5000, n)] }));
          const { xs, ys, chunks } = p.rings[0];
          expect(xs.length).toBe(n + 1);
          expect(chunks[0].from).toBe(0);
          expect(chunks[chunks.length - 1].to).toBe(n);
          expect(chunks).toHaveLength(Math.ceil(n / 16));
          chunks.forEach((c, k) => {
            if (k > 0) expect(c.from).toBe(chunks[k - 1].to);
            expect(c.to - c.from).toBeGreaterThan(0);
            expect(c.to - c.from).toBeLessThanOrEqual(16);
            // Both ends of every edge of the chunk lie in its box.
            const outside: number[] = [];
            for (let i = c.from; i <= c.to; i++) {
              if (xs[i] < c.minX || xs[i] > c.maxX || ys[i] < c.minY || ys[i] > c.maxY) outside.push(i);
            }
            expect(outside).toEqual([]);
          });
          // The polygon's bounds are those of its shell, and its edges never jump across the antimeridian.
          expect(p.minX).toBe(Math.min(...xs));
          expect(p.maxX).toBe(Math.max(...xs));
          const jumps = Array.from(xs).filter((x, i) => i > 0 && Math.abs(x - xs[i - 1]) >= 180);
          expect(jumps).toEqual([]);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('refuses what is not a fence geometry with an issue at "geometry"', () => {
    const cases: unknown[] = [
      null,
      'Polygon',
      { type: 'Point', coordinates: [2, 41] },
      { type: 'Circle', coordinates: [2, Number.NaN], radiusM: 100 },
      { type: 'Circle', coordinates: [2, 41], radiusM: Number.POSITIVE_INFINITY },
      { type: 'Circle', coordinates: '2,41', radiusM: 100 },
      { type: 'Polygon', coordinates: [] },
      {
        type: 'Polygon',
        coordinates: [
          [
            [0, 0],
            [1, 0],
            [0, 0],
          ],
        ],
      },
      {
        type: 'Polygon',
        coordinates: [
          [
            [0, 0],
            [1, 0],
            [1, Number.NaN],
            [0, 0],
          ],
        ],
      },
      { type: 'Polygon', coordinates: [[[0, 0], [1, 0], 'x', [0, 0]]] },
      { type: 'MultiPolygon', coordinates: [] },
      { type: 'MultiPolygon', coordinates: [[]] },
    ];
    for (const g of cases) {
      const issues = invalidIssues(() => prepare(g as FenceGeometry));
      expect(issues).toHaveLength(1);
      expect(issues[0].path).toBe('geometry');
    }
  });

  it('names the problem in its message', () => {
    expect(invalidIssues(() => prepare({ type: 'Point' } as unknown as FenceGeometry))[0].message).toBe(
      'type must be "Circle", "Polygon" or "MultiPolygon"',
    );
    expect(
      invalidIssues(() =>
        prepare({
          type: 'Polygon',
          coordinates: [
            [
              [0, 0],
              [1, 0],
              [0, 0],
            ],
          ],
        }),
      )[0].message,
    ).toBe('ring needs at least 4 positions');
  });
});
