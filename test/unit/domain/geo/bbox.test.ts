import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bboxLowerBoundM, fenceBBox } from '../../../../shared/domain/geo/bbox.js';
import { distanceToFenceM } from '../../../../shared/domain/geo/measure.js';
import {
  destination,
  EARTH_RADIUS_M,
  haversineM,
  METRES_PER_DEGREE,
  normalizeLng,
} from '../../../../shared/domain/geo/sphere.js';
import type {
  CircleGeometry,
  FenceGeometry,
  MultiPolygonGeometry,
  PolygonGeometry,
  Position,
} from '../../../../shared/domain/geo/types.js';
import { rect } from '../../../support/geo.js';

const DEG = Math.PI / 180;
const unit = fc.double({ min: 0, max: 1, noNaN: true });

/** Where fences are put: ordinary places, high latitudes, and across the antimeridian. */
const place = fc.oneof(
  fc.record({ lat: fc.double({ min: -60, max: 60, noNaN: true }), lng: fc.double({ min: -180, max: 180, noNaN: true }) }),
  fc.record({ lat: fc.double({ min: -84, max: 84, noNaN: true }), lng: fc.double({ min: -180, max: 180, noNaN: true }) }),
  fc.record({
    lat: fc.double({ min: -70, max: 70, noNaN: true }),
    lng: fc.double({ min: -0.5, max: 0.5, noNaN: true }).map((d) => (d >= 0 ? -180 + d : 180 + d)),
  }),
);

const circle = fc
  .record({ c: place, radiusM: fc.double({ min: 10, max: 50_000, noNaN: true }) })
  .map(({ c, radiusM }): CircleGeometry => ({ type: 'Circle', coordinates: [c.lng, c.lat], radiusM }));

/** A star-shaped ring round `c`, vertices at increasing bearings, 0.5–1 × r from it (wrapped longitudes, as clients send them). */
function starRing(c: { lat: number; lng: number }, r: number, shape: number[]): Position[] {
  const ring = shape.map((s, i): Position => {
    const p = destination(c.lat, c.lng, r * (0.5 + 0.5 * s), (i * 360) / shape.length);
    return [p.lng, p.lat];
  });
  ring.push([...ring[0]]);
  return ring;
}

const radius = fc.double({ min: 50, max: 100_000, noNaN: true });
const shape = fc.array(unit, { minLength: 3, maxLength: 24 });

const polygon = fc
  .record({ c: place, r: radius, shell: shape })
  .map(({ c, r, shell }): PolygonGeometry => ({ type: 'Polygon', coordinates: [starRing(c, r, shell)] }));

const multiPolygon = fc.array(fc.record({ c: place, r: radius, shell: shape }), { minLength: 1, maxLength: 3 }).map(
  (parts): MultiPolygonGeometry => ({
    type: 'MultiPolygon',
    coordinates: parts.map(({ c, r, shell }) => [starRing(c, r, shell)]),
  }),
);

const fence: fc.Arbitrary<FenceGeometry> = fc.oneof(circle, polygon, multiPolygon);

/** A point of the fence chosen by two uniforms: inside a circle, or on a polygon edge (lng/lat-straight, the short way). */
function pointOf(g: FenceGeometry, u: number, v: number): { lat: number; lng: number } {
  if (g.type === 'Circle') {
    const [lng, lat] = g.coordinates;
    return destination(lat, lng, Math.sqrt(u) * g.radiusM, v * 360);
  }
  const rings = g.type === 'Polygon' ? [g.coordinates[0]] : g.coordinates.map((p) => p[0]);
  const ring = rings[Math.min(rings.length - 1, Math.floor(u * rings.length))];
  const edges = ring.length - 1;
  const e = Math.min(edges - 1, Math.floor(v * edges));
  const t = v * edges - e;
  const [ax, ay] = ring[e];
  let [bx, by] = ring[e + 1];
  if (bx - ax > 180) bx -= 360;
  if (ax - bx > 180) bx += 360;
  return { lat: ay + t * (by - ay), lng: normalizeLng(ax + t * (bx - ax)) };
}

/** A query point: anywhere on Earth, or within 200 km of a point of the fence. */
function queryNear(g: FenceGeometry) {
  return fc.oneof(
    fc.record({ lat: fc.double({ min: -90, max: 90, noNaN: true }), lng: fc.double({ min: -180, max: 180, noNaN: true }) }),
    fc
      .tuple(unit, unit, fc.double({ min: 0, max: 200_000, noNaN: true }), fc.double({ min: 0, max: 360, noNaN: true }))
      .map(([u, v, m, b]) => {
        const p = pointOf(g, u, v);
        return destination(p.lat, p.lng, m, b);
      }),
  );
}

describe('fence bounding box', () => {
  it('spans the shell of a polygon, ignoring its holes', () => {
    const mall: PolygonGeometry = {
      type: 'Polygon',
      coordinates: [rect(2.215, 41.4085, 2.218, 41.4105), rect(2.216, 41.4092, 2.217, 41.4098)],
    };
    expect(fenceBBox(mall)).toEqual([2.215, 41.4085, 2.218, 41.4105]);
  });

  it('spans every part of a multipolygon', () => {
    const campus: MultiPolygonGeometry = {
      type: 'MultiPolygon',
      coordinates: [[rect(2.1, 41.3, 2.2, 41.4)], [rect(2.5, 41.0, 2.6, 41.1)]],
    };
    expect(fenceBBox(campus)).toEqual([2.1, 41.0, 2.6, 41.4]);
  });

  it('unwraps a polygon across the antimeridian, so that west stays below east', () => {
    expect(fenceBBox({ type: 'Polygon', coordinates: [rect(179.8, -17, -179.8, -16.6)] })).toEqual([179.8, -17, 180.2, -16.6]);
  });

  it('anchors the west edge of the box in [-180, 180), whichever side the ring starts on', () => {
    // Written from the east side: unwrapped to [-180.2, -179.8], then moved by a turn.
    const fromEast: PolygonGeometry = {
      type: 'Polygon',
      coordinates: [
        [
          [-179.8, -17],
          [-179.8, -16.6],
          [179.8, -16.6],
          [179.8, -17],
          [-179.8, -17],
        ],
      ],
    };
    const [minX, minY, maxX, maxY] = fenceBBox(fromEast);
    expect([minX, minY, maxY]).toEqual([179.8, -17, -16.6]);
    expect(maxX).toBeCloseTo(180.2, 9);
    // Starting on the antimeridian itself and going east: [180, 180.5] becomes [-180, -179.5].
    const onLine: PolygonGeometry = {
      type: 'Polygon',
      coordinates: [
        [
          [180, 0],
          [-179.5, 0],
          [-179.5, 1],
          [180, 1],
          [180, 0],
        ],
      ],
    };
    expect(fenceBBox(onLine)).toEqual([-180, 0, -179.5, 1]);
  });

  it('bounds a circle by its radius in latitude and by the widened radius in longitude', () => {
    const [minX, minY, maxX, maxY] = fenceBBox({ type: 'Circle', coordinates: [2.17, 41.38], radiusM: 1000 });
    const dLat = 1000 / METRES_PER_DEGREE;
    expect(minY).toBeCloseTo(41.38 - dLat, 5);
    expect(maxY).toBeCloseTo(41.38 + dLat, 5);
    expect(minY).toBeLessThanOrEqual(41.38 - dLat);
    expect(maxY).toBeGreaterThanOrEqual(41.38 + dLat);
    const trueHalfWidth = Math.asin(Math.sin(1000 / EARTH_RADIUS_M) / Math.cos(41.38 * DEG)) / DEG;
    expect((maxX - minX) / 2).toBeGreaterThanOrEqual(trueHalfWidth);
    expect((maxX - minX) / 2).toBeLessThan(trueHalfWidth * 1.001);
    expect((minX + maxX) / 2).toBeCloseTo(2.17, 12);
  });

  it('lets a circle box cross the antimeridian unwrapped (east edge past 180)', () => {
    const [minX, , maxX] = fenceBBox({ type: 'Circle', coordinates: [179.99, -16.8], radiusM: 5000 });
    expect(minX).toBeLessThan(179.99);
    expect(maxX).toBeGreaterThan(180);
  });

  it('contains every point of a circle, at any latitude the fences allow', () => {
    fc.assert(
      fc.property(circle, unit, unit, (g, u, v) => {
        const box = fenceBBox(g);
        const p = pointOf(g, u, v);
        expect(bboxLowerBoundM(box, p.lat, p.lng)).toBeLessThan(1e-6);
        // The widest points of the cap, in longitude.
        const [lng, lat] = g.coordinates;
        const half = Math.asin(Math.min(1, Math.sin(g.radiusM / EARTH_RADIUS_M) / Math.cos(lat * DEG))) / DEG;
        expect(box[0]).toBeLessThanOrEqual(lng - half + 1e-9);
        expect(box[2]).toBeGreaterThanOrEqual(lng + half - 1e-9);
      }),
      { numRuns: 500 },
    );
  });

  it('has its west edge in [-180, 180) and is never inverted', () => {
    fc.assert(
      fc.property(fc.oneof(polygon, multiPolygon), (g) => {
        const [minX, minY, maxX, maxY] = fenceBBox(g);
        expect(minX).toBeGreaterThanOrEqual(-180);
        expect(minX).toBeLessThan(180);
        expect(maxX).toBeGreaterThanOrEqual(minX);
        expect(maxY).toBeGreaterThanOrEqual(minY);
      }),
    );
  });
});

describe('distance lower bound to a fence box', () => {
  it('is 0 at every point of the fence', () => {
    fc.assert(
      fc.property(fence, unit, unit, (g, u, v) => {
        const p = pointOf(g, u, v);
        expect(bboxLowerBoundM(fenceBBox(g), p.lat, p.lng)).toBeLessThan(1e-6);
      }),
      { numRuns: 500 },
    );
  });

  it('never exceeds the great-circle distance to any point of the fence', () => {
    fc.assert(
      fc.property(
        fence.chain((g) => fc.tuple(fc.constant(g), queryNear(g), unit, unit)),
        ([g, q, u, v]) => {
          const p = pointOf(g, u, v);
          expect(bboxLowerBoundM(fenceBBox(g), q.lat, q.lng)).toBeLessThanOrEqual(haversineM(q.lat, q.lng, p.lat, p.lng) + 1e-6);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('never exceeds the distance to the fence, so the lookup never drops a fence within reach', () => {
    fc.assert(
      fc.property(
        fence.chain((g) => fc.tuple(fc.constant(g), queryNear(g))),
        ([g, q]) => {
          expect(bboxLowerBoundM(fenceBBox(g), q.lat, q.lng)).toBeLessThanOrEqual(distanceToFenceM(g, q.lat, q.lng) + 1e-6);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('measures a point straight north of a polygon exactly', () => {
    const box = fenceBBox({ type: 'Polygon', coordinates: [rect(2.1, 41.3, 2.2, 41.4)] });
    expect(bboxLowerBoundM(box, 41.5, 2.15)).toBeCloseTo(haversineM(41.5, 2.15, 41.4, 2.15), 6);
  });

  it('measures across the antimeridian the short way', () => {
    const box = fenceBBox({ type: 'Polygon', coordinates: [rect(179.8, -17, -179.8, -16.6)] });
    expect(bboxLowerBoundM(box, -16.8, -179.9)).toBe(0);
    expect(bboxLowerBoundM(box, -16.8, 179.9)).toBe(0);
    const east = bboxLowerBoundM(box, -16.8, -179.7);
    expect(east).toBeGreaterThan(0.099 * METRES_PER_DEGREE * Math.cos(17 * DEG));
    expect(east).toBeLessThanOrEqual(haversineM(-16.8, -179.7, -16.8, -179.8));
    expect(bboxLowerBoundM(box, -16.8, 0)).toBeGreaterThan(10_000_000);
  });
});
