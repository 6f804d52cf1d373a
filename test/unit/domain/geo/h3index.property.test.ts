import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  containsPoint,
  destination,
  distanceToFenceM,
  lookupCells,
  matchConfidence,
  planIndex,
  validateGeometry,
  type FenceGeometry,
  type FenceIndex,
  type Position,
} from '../../../../shared/domain/geo/index.js';

interface LatLng {
  lat: number;
  lng: number;
}

/** A random fence plus what the generator knows about it. */
interface FenceCase {
  label: string;
  g: FenceGeometry;
  centre: LatLng;
  /** No part of the fence is farther than this from `centre` along a great circle (polygons: plus edge bulge, see below). */
  outerM: number;
  /** A point known to lie well inside a hole (> 1 m from its walls), if the fence has one. */
  inHole?: LatLng;
  /** Maps two uniforms to a point of the fence's boundary. */
  boundaryPoint: (u: number, v: number) => LatLng;
}

const unit = fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true });
const units = (n: number) => fc.array(fc.tuple(unit, unit, unit, unit), { minLength: n, maxLength: n });

/** Where fences are put: ordinary places, 70° N/S, and across the antimeridian. */
const place = fc.oneof(
  fc.record({ lat: fc.double({ min: -60, max: 60, noNaN: true }), lng: fc.double({ min: -170, max: 170, noNaN: true }) }),
  fc.record({ lat: fc.constantFrom(70, -70), lng: fc.double({ min: -180, max: 179.99, noNaN: true }) }),
  fc.record({
    lat: fc.double({ min: -60, max: 70, noNaN: true }),
    lng: fc.double({ min: -0.3, max: 0.3, noNaN: true }).map((d) => (d >= 0 ? -180 + d : 180 + d)),
  }),
);

const logUniform = (min: number, max: number) => unit.map((u) => Math.exp(Math.log(min) + u * (Math.log(max) - Math.log(min))));

function toPosition(p: LatLng): Position {
  return [p.lng, p.lat];
}

/** A star-shaped ring: vertices at increasing bearings, at 0.55–1 x r from the centre. */
function starRing(c: LatLng, r: number, shape: [number, number][]): Position[] {
  const n = shape.length;
  const ring = shape.map(([jitter, scale], i) =>
    toPosition(destination(c.lat, c.lng, r * (0.55 + 0.45 * scale), ((i + 0.7 * jitter) * 360) / n)),
  );
  ring.push(ring[0]);
  return ring;
}

function ringBoundaryPoint(rings: Position[][], u: number, v: number): LatLng {
  const edges: [Position, Position][] = [];
  for (const ring of rings) for (let i = 0; i + 1 < ring.length; i++) edges.push([ring[i], ring[i + 1]]);
  const [a, b] = edges[Math.min(edges.length - 1, Math.floor(u * edges.length))];
  let dx = b[0] - a[0];
  if (dx > 180) dx -= 360;
  if (dx < -180) dx += 360;
  return { lat: a[1] + v * (b[1] - a[1]), lng: a[0] + v * dx };
}

const shape = (min: number, max: number) => fc.array(fc.tuple(unit, unit), { minLength: min, maxLength: max });

const circleCase = fc.record({ c: place, r: fc.oneof(fc.constant(10), fc.constant(50_000), logUniform(10, 50_000)) }).map(
  ({ c, r }): FenceCase => ({
    label: `circle r=${Math.round(r)} m at ${c.lat.toFixed(3)},${c.lng.toFixed(3)}`,
    g: { type: 'Circle', coordinates: [c.lng, c.lat], radiusM: r },
    centre: c,
    outerM: r,
    boundaryPoint: (u) => destination(c.lat, c.lng, r, u * 360),
  }),
);

const polygonCase = fc
  .record({
    c: place,
    r: logUniform(30, 30_000),
    shell: shape(6, 40),
    hole: fc.option(shape(6, 10), { nil: undefined }),
    holeScale: unit,
  })
  .map(({ c, r, shell, hole, holeScale }): FenceCase => {
    const rings = [starRing(c, r, shell)];
    if (hole) rings.push(starRing(c, r * (0.12 + 0.08 * holeScale), hole));
    return {
      label: `polygon r=${Math.round(r)} m${hole ? ' with hole' : ''} at ${c.lat.toFixed(3)},${c.lng.toFixed(3)}`,
      g: { type: 'Polygon', coordinates: rings },
      centre: c,
      outerM: r,
      inHole: hole ? c : undefined,
      boundaryPoint: (u, v) => ringBoundaryPoint(rings, u, v),
    };
  });

const multiPolygonCase = fc
  .record({
    c: place,
    r: logUniform(30, 15_000),
    parts: fc.array(fc.tuple(shape(6, 16), unit), { minLength: 2, maxLength: 3 }),
    withHole: fc.boolean(),
  })
  .map(({ c, r, parts, withHole }): FenceCase => {
    const polygons = parts.map(([s, bearing], i) => {
      const centre = i === 0 ? c : destination(c.lat, c.lng, 2.5 * r * i, bearing * 360);
      const rings = [starRing(centre, r, s)];
      if (i === 0 && withHole) rings.push(starRing(centre, r * 0.15, s.slice(0, 6)));
      return rings;
    });
    return {
      label: `multipolygon of ${polygons.length} r=${Math.round(r)} m at ${c.lat.toFixed(3)},${c.lng.toFixed(3)}`,
      g: { type: 'MultiPolygon', coordinates: polygons },
      centre: c,
      outerM: 2.5 * r * (polygons.length - 1) + r,
      inHole: withHole ? c : undefined,
      boundaryPoint: (u, v) => ringBoundaryPoint(polygons.flat(), u, v),
    };
  });

const fenceCase = fc.oneof(circleCase, polygonCase, multiPolygonCase);

/** Fences are planned once per generated case; fast-check shrinking re-plans, which is fine. */
const plans = new WeakMap<FenceGeometry, FenceIndex>();
function plan(g: FenceGeometry): FenceIndex {
  let p = plans.get(g);
  if (!p) {
    p = planIndex(g);
    plans.set(g, p);
  }
  return p;
}

function isValid(c: FenceCase): boolean {
  return validateGeometry(c.g).length === 0;
}

/**
 * Points sampled inside the fence (rays from the centre, kept when inside),
 * and points of its boundary (which may fall a rounding error outside).
 */
function samplePoints(c: FenceCase, draws: [number, number, number, number][]): { inside: LatLng[]; boundary: LatLng[] } {
  const inside: LatLng[] = [];
  const boundary: LatLng[] = [];
  for (const [u, v, w] of draws) {
    if (c.g.type === 'Circle') {
      inside.push(destination(c.centre.lat, c.centre.lng, c.outerM * 0.999 * u, v * 360));
    } else {
      const p = destination(c.centre.lat, c.centre.lng, c.outerM * u, v * 360);
      if (containsPoint(c.g, p.lat, p.lng)) inside.push(p);
    }
    boundary.push(c.boundaryPoint(w, u));
  }
  return { inside, boundary };
}

const RUNS = 1000;

/** The correctness claim, spelled out: the shopper's lookup cell at the fence's resolution is one of the fence's cells. */
function indexCoversPoint(index: FenceIndex, lat: number, lng: number): boolean {
  return lookupCells(lat, lng).some((c) => index.resolution === c.resolution && index.cells.includes(c.cell));
}

describe('H3 index never misses (property)', () => {
  it('finds every point inside a fence, at lng and lng ± 360', () => {
    fc.assert(
      fc.property(fenceCase, units(12), (c, draws) => {
        fc.pre(isValid(c));
        const index = plan(c.g);
        const { inside, boundary } = samplePoints(c, draws);
        for (const p of inside) {
          expect(containsPoint(c.g, p.lat, p.lng)).toBe(true);
          expect(indexCoversPoint(index, p.lat, p.lng)).toBe(true);
          expect(indexCoversPoint(index, p.lat, p.lng + 360)).toBe(true);
          expect(indexCoversPoint(index, p.lat, p.lng - 360)).toBe(true);
        }
        for (const p of boundary) {
          expect(distanceToFenceM(c.g, p.lat, p.lng)).toBeLessThan(0.001);
          expect(indexCoversPoint(index, p.lat, p.lng)).toBe(true);
        }
        // Circles always yield inside points; polygons nearly always do.
        if (c.g.type === 'Circle') expect(inside.length).toBe(draws.length);
        return true;
      }),
      { numRuns: RUNS },
    );
  });

  it('finds every point within 1,000 m of a fence', () => {
    fc.assert(
      fc.property(fenceCase, units(16), (c, draws) => {
        fc.pre(isValid(c));
        const index = plan(c.g);
        let checked = 0;
        for (const [u, v, w, z] of draws) {
          const b = c.boundaryPoint(u, v);
          // Mostly near the 1 km limit, where a miss would show.
          const reach = 1000 * Math.sqrt(w);
          const p = destination(b.lat, b.lng, reach, z * 360);
          const d = distanceToFenceM(c.g, p.lat, p.lng);
          if (d > 1000) continue;
          checked++;
          expect(indexCoversPoint(index, p.lat, p.lng)).toBe(true);
        }
        expect(checked).toBeGreaterThan(0);
        return true;
      }),
      { numRuns: RUNS },
    );
  });

  it('never reports a point more than 1 m outside as inside', () => {
    fc.assert(
      fc.property(fenceCase, units(8), (c, draws) => {
        fc.pre(isValid(c));
        const outside: LatLng[] = [];
        for (const [u, v] of draws) {
          if (c.g.type === 'Circle') {
            outside.push(destination(c.centre.lat, c.centre.lng, c.outerM + 1.001 + 3000 * u * u, v * 360));
          } else {
            // Straight lng/lat edges may bulge past the vertices' great-circle distance by well under 2 %.
            outside.push(destination(c.centre.lat, c.centre.lng, c.outerM * 1.02 + 1 + 3000 * u, v * 360));
          }
        }
        if (c.inHole) outside.push(c.inHole);
        for (const p of outside) {
          expect(containsPoint(c.g, p.lat, p.lng)).toBe(false);
          expect(distanceToFenceM(c.g, p.lat, p.lng)).toBeGreaterThan(1);
        }
        return true;
      }),
      { numRuns: RUNS },
    );
  });

  it('never reports a point 1 m outside a rectangle as inside, across the antimeridian and at 70°', () => {
    const rectangle = fc.record({ c: place, w: logUniform(20, 20_000), h: logUniform(20, 20_000) });
    fc.assert(
      fc.property(rectangle, units(8), ({ c, w, h }, draws) => {
        const dLat = h / 111_195;
        const dLng = w / (111_195 * Math.cos((c.lat * Math.PI) / 180));
        const [x0, x1] = [c.lng - dLng / 2, c.lng + dLng / 2].map((x) => (x > 180 ? x - 360 : x < -180 ? x + 360 : x));
        const [y0, y1] = [c.lat - dLat / 2, c.lat + dLat / 2];
        const g: FenceGeometry = {
          type: 'Polygon',
          coordinates: [
            [
              [x0, y0],
              [x1, y0],
              [x1, y1],
              [x0, y1],
              [x0, y0],
            ],
          ],
        };
        expect(validateGeometry(g)).toEqual([]);
        for (const [u, v, side] of draws) {
          const out = 1.01 + 999 * u * u;
          const along = v;
          let p: LatLng;
          if (side < 0.25) p = { lat: y1 + out / 111_195, lng: x0 + along * dLng };
          else if (side < 0.5) p = { lat: y0 - out / 111_195, lng: x0 + along * dLng };
          else if (side < 0.75) p = destination(y0 + along * dLat, x1, out, 90);
          else p = destination(y0 + along * dLat, x0, out, 270);
          expect(containsPoint(g, p.lat, p.lng)).toBe(false);
          expect(distanceToFenceM(g, p.lat, p.lng)).toBeGreaterThan(1);
          expect(indexCoversPoint(plan(g), p.lat, p.lng)).toBe(true);
        }
        return true;
      }),
      { numRuns: 400 },
    );
  });

  it('gives a medium or high confidence exactly when the point is inside', () => {
    fc.assert(
      fc.property(fenceCase, units(12), (c, draws) => {
        fc.pre(isValid(c));
        for (const [u, v, w, z] of draws) {
          // Inside, on the boundary, and up to 2 km outside.
          const b = c.boundaryPoint(u, v);
          const p = z < 0.3 ? b : destination(b.lat, b.lng, 2000 * w, z * 360);
          const accuracy = z < 0.1 ? 0 : 1000 * ((w + z) % 1);
          const inside = containsPoint(c.g, p.lat, p.lng);
          const confidence = matchConfidence(c.g, p.lat, p.lng, accuracy);
          expect(confidence === 'high' || confidence === 'medium').toBe(inside);
          if (!inside) expect(confidence === 'low').toBe(distanceToFenceM(c.g, p.lat, p.lng) <= accuracy);
          expect(matchConfidence(c.g, p.lat, p.lng, 1000 + 1 + w)).toBeNull();
        }
        return true;
      }),
      { numRuns: RUNS },
    );
  });
});
