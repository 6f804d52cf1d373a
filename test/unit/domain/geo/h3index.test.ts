import fc from 'fast-check';
import {
  cellToBoundary,
  cellToLatLng,
  getPentagons,
  getResolution,
  gridDisk,
  latLngToCell,
  polygonToCells,
  polygonToCellsExperimental,
  POLYGON_TO_CELLS_FLAGS,
} from 'h3-js';
import { describe, expect, it } from 'vitest';
import {
  destination,
  GeometryError,
  GeometryTooLargeError,
  haversineM,
  INDEX_RESOLUTIONS,
  indexCellsAt,
  indexCoversPoint,
  InvalidGeometryError,
  lookupCells,
  planIndex,
  type CircleGeometry,
  type FenceGeometry,
  type PolygonGeometry,
  type Position,
} from '../../../../shared/domain/geo/index.js';
import { rect } from '../../../support/geo.js';

/** A ring of `n` vertices whose distance from the centre wobbles between 0.8 r and r. */
function wobblyRing(lat: number, lng: number, r: number, n: number): Position[] {
  const ring: Position[] = [];
  for (let i = 0; i < n; i++) {
    const p = destination(lat, lng, r * (0.9 + 0.1 * Math.sin(i * 0.7)), (360 * i) / n);
    ring.push([p.lng, p.lat]);
  }
  ring.push(ring[0]);
  return ring;
}

/** Whether every point `reachM` metres from (lat, lng), in 36 directions, is covered by the index. */
function coversRing(g: FenceGeometry, lat: number, lng: number, reachM: number): boolean[] {
  const index = planIndex(g);
  return Array.from({ length: 36 }, (_, i) => {
    const p = destination(lat, lng, reachM, i * 10);
    return indexCoversPoint(index, p.lat, p.lng);
  });
}

const all36 = Array.from({ length: 36 }, () => true);

describe('index lookup cells', () => {
  it('uses a fixed ladder of three resolutions, finest first', () => {
    expect(INDEX_RESOLUTIONS).toEqual([8, 6, 4]);
  });

  it('returns the point’s cell at each ladder resolution', () => {
    const cells = lookupCells(41.38, 2.17);
    expect(cells.map((c) => c.resolution)).toEqual([8, 6, 4]);
    expect(cells.map((c) => c.cell)).toEqual([
      latLngToCell(41.38, 2.17, 8),
      latLngToCell(41.38, 2.17, 6),
      latLngToCell(41.38, 2.17, 4),
    ]);
    expect(cells.map((c) => getResolution(c.cell))).toEqual([8, 6, 4]);
  });

  it('gives the same cells for lng and lng ± 360', () => {
    expect(lookupCells(-16.8, 179.9 + 360)).toEqual(lookupCells(-16.8, 179.9));
    expect(lookupCells(-16.8, -179.9 - 360)).toEqual(lookupCells(-16.8, -179.9));
    expect(lookupCells(10, 180)).toEqual(lookupCells(10, -180));
  });

  it('returns no cells for an invalid point instead of throwing', () => {
    expect(lookupCells(Number.NaN, 2)).toEqual([]);
    expect(lookupCells(41, Number.POSITIVE_INFINITY)).toEqual([]);
    expect(lookupCells(90.5, 2)).toEqual([]);
  });
});

describe('index planning', () => {
  it('indexes a 10 m circle at resolution 8, reaching 1 km beyond its edge in every direction', () => {
    const g: CircleGeometry = { type: 'Circle', coordinates: [2.17, 41.38], radiusM: 10 };
    const index = planIndex(g);
    expect(index.resolution).toBe(8);
    expect(index.cells.length).toBeGreaterThanOrEqual(7);
    expect(index.cells.length).toBeLessThanOrEqual(20);
    expect(index.cells).toContain(latLngToCell(41.38, 2.17, 8));
    expect(coversRing(g, 41.38, 2.17, 1010)).toEqual(all36);
    // No cell reaches 3.5 km out: the cover is tight.
    const far = Array.from({ length: 36 }, (_, i) => destination(41.38, 2.17, 3500, i * 10));
    expect(far.map((p) => indexCoversPoint(index, p.lat, p.lng))).toEqual(far.map(() => false));
  });

  it('covers every point 999.9 m beyond a circle, sampled every 10 m around it', () => {
    const circles: CircleGeometry[] = [
      { type: 'Circle', coordinates: [2.17, 41.38], radiusM: 10 },
      { type: 'Circle', coordinates: [23.68, 70.663], radiusM: 800 },
      { type: 'Circle', coordinates: [-3.7, 40.4], radiusM: 4_000 },
      { type: 'Circle', coordinates: [151.2, -33.87], radiusM: 30_000 },
    ];
    for (const g of circles) {
      const index = planIndex(g);
      const [lng, lat] = g.coordinates;
      const reach = g.radiusM + 999.9;
      const n = Math.ceil((2 * Math.PI * reach) / 10);
      const missed: number[] = [];
      for (let i = 0; i < n; i++) {
        const p = destination(lat, lng, reach, (360 * i) / n);
        if (!indexCoversPoint(index, p.lat, p.lng)) missed.push(i);
      }
      expect(missed).toEqual([]);
    }
  });

  it('covers every point 999.9 m beyond a polygon edge or corner, sampled every 10 m', () => {
    const g: PolygonGeometry = { type: 'Polygon', coordinates: [rect(-0.13, 51.5, -0.08, 51.52)] };
    const index = planIndex(g);
    expect(index.resolution).toBe(8);
    const missed: string[] = [];
    const check = (p: { lat: number; lng: number }, what: string) => {
      if (!indexCoversPoint(index, p.lat, p.lng)) missed.push(what);
    };
    const corners: [number, number][] = [
      [-0.13, 51.5],
      [-0.08, 51.5],
      [-0.08, 51.52],
      [-0.13, 51.52],
    ];
    for (const [x, y] of corners) {
      for (let b = 0; b < 360; b += 1) check(destination(y, x, 999.9, b), `corner ${x},${y} bearing ${b}`);
    }
    const north = 51.52 + 999.9 / haversineM(0, 0, 1, 0);
    for (let x = -0.13; x <= -0.08; x += 0.0001) check({ lat: north, lng: x }, `north of ${x}`);
    expect(missed).toEqual([]);
  });

  it('covers a 200 m circle at resolution 7, where centre containment finds no cell at all', () => {
    // Centre the circle on a res-7 cell vertex, as far as possible from every cell centre.
    const [vlat, vlng] = cellToBoundary(latLngToCell(41.38, 2.17, 7))[0];
    const ring: number[][] = [];
    for (let i = 0; i <= 64; i++) {
      const p = destination(vlat, vlng, 200, (i % 64) * (360 / 64));
      ring.push([p.lat, p.lng]);
    }
    expect(polygonToCells(ring, 7)).toEqual([]);
    const g: CircleGeometry = { type: 'Circle', coordinates: [vlng, vlat], radiusM: 200 };
    const cells = indexCellsAt(g, 7) ?? [];
    expect(cells.length).toBeGreaterThanOrEqual(3);
    expect(cells).toContain(latLngToCell(vlat, vlng, 7));
  });

  it('picks the finest resolution whose cover fits in 128 cells', () => {
    for (const radiusM of [10, 1_000, 2_500, 4_000, 15_000, 30_000, 50_000]) {
      const g: CircleGeometry = { type: 'Circle', coordinates: [-3.7, 40.42], radiusM };
      const index = planIndex(g);
      expect(index.cells.length).toBeLessThanOrEqual(128);
      expect(indexCellsAt(g, index.resolution)).toEqual(index.cells);
      const finer = INDEX_RESOLUTIONS.filter((r) => r > index.resolution);
      for (const r of finer) expect(indexCellsAt(g, r, 128)).toBeNull();
    }
    expect(planIndex({ type: 'Circle', coordinates: [-3.7, 40.42], radiusM: 2_500 }).resolution).toBe(8);
    expect(planIndex({ type: 'Circle', coordinates: [-3.7, 40.42], radiusM: 15_000 }).resolution).toBe(6);
    expect(planIndex({ type: 'Circle', coordinates: [-3.7, 40.42], radiusM: 50_000 }).resolution).toBe(4);
  });

  it('returns sorted cells and the same plan every time', () => {
    const g: PolygonGeometry = { type: 'Polygon', coordinates: [rect(2.215, 41.4085, 2.218, 41.4105)] };
    const a = planIndex(g);
    const b = planIndex(structuredClone(g));
    expect(a).toEqual(b);
    expect([...a.cells].sort()).toEqual(a.cells);
  });

  it('contains every cell that h3 itself sees overlapping the fence', () => {
    const g: PolygonGeometry = { type: 'Polygon', coordinates: [wobblyRing(41.38, 2.17, 1500, 40)] };
    const index = planIndex(g);
    const overlapping = polygonToCellsExperimental(
      g.coordinates,
      index.resolution,
      POLYGON_TO_CELLS_FLAGS.containmentOverlapping,
      true,
    );
    expect(overlapping.length).toBeGreaterThan(0);
    expect(overlapping.filter((c) => !index.cells.includes(c))).toEqual([]);
  });

  it('covers both sides of a fence across the antimeridian, and not the other side of the globe', () => {
    const g: PolygonGeometry = {
      type: 'Polygon',
      coordinates: [
        [
          [179.98, -16.81],
          [-179.98, -16.81],
          [-179.98, -16.79],
          [179.98, -16.79],
          [179.98, -16.81],
        ],
      ],
    };
    const index = planIndex(g);
    expect(index.resolution).toBe(8);
    for (const lng of [179.99, -179.99, 180, -180, 179.99 + 360]) expect(indexCoversPoint(index, -16.8, lng)).toBe(true);
    // 900 m outside, east and west.
    const east = destination(-16.8, -179.98, 900, 90);
    const west = destination(-16.8, 179.98, 900, 270);
    expect([indexCoversPoint(index, east.lat, east.lng), indexCoversPoint(index, west.lat, west.lng)]).toEqual([true, true]);
    expect(indexCoversPoint(index, -16.8, 0)).toBe(false);
    const lngs = index.cells.map((c) => cellToLatLng(c)[1]);
    expect(lngs.some((x) => x > 179)).toBe(true);
    expect(lngs.some((x) => x < -179)).toBe(true);
  });

  it('covers a circle across the antimeridian 1 km beyond its edge', () => {
    const g: CircleGeometry = { type: 'Circle', coordinates: [180, 65], radiusM: 300 };
    expect(coversRing(g, 65, 180, 1290)).toEqual(all36);
  });

  it('covers fences at 70° latitude 1 km beyond their edge', () => {
    const circle: CircleGeometry = { type: 'Circle', coordinates: [23.68, 70.663], radiusM: 500 };
    expect(coversRing(circle, 70.663, 23.68, 1490)).toEqual(all36);
    const south: CircleGeometry = { type: 'Circle', coordinates: [-60, -70], radiusM: 20_000 };
    expect(coversRing(south, -70, -60, 20_990)).toEqual(all36);
  });

  it('covers a fence next to an H3 pentagon', () => {
    for (const res of [4, 6, 8]) {
      const [lat, lng] = cellToLatLng(getPentagons(res)[3]);
      const g: CircleGeometry = { type: 'Circle', coordinates: [lng, lat], radiusM: 50 };
      expect(coversRing(g, lat, lng, 1045)).toEqual(all36);
    }
  });

  // Planning time is measured by the benchmark (npm run bench), not here.
  it('plans a 50 km circle at the coarsest resolution', () => {
    const g: CircleGeometry = { type: 'Circle', coordinates: [2.17, 41.38], radiusM: 50_000 };
    expect(planIndex(g).resolution).toBe(4);
    expect(planIndex(g).cells.length).toBeLessThanOrEqual(128);
  });

  it('plans a 2,000-vertex polygon within the 128-cell bound', () => {
    const g: PolygonGeometry = { type: 'Polygon', coordinates: [wobblyRing(41.38, 2.17, 2_000, 2_000)] };
    expect(planIndex(g).cells.length).toBeLessThanOrEqual(128);
    expect(planIndex(structuredClone(g))).toEqual(planIndex(g));
  });

  it('refuses a fence too large for the coarsest resolution', () => {
    const g: PolygonGeometry = { type: 'Polygon', coordinates: [rect(-6, 37, 2, 43)] };
    let caught: unknown;
    try {
      planIndex(g);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(GeometryTooLargeError);
    expect(caught).toBeInstanceOf(GeometryError);
    const issues = (caught as GeometryTooLargeError).issues;
    expect(issues).toHaveLength(1);
    expect(issues[0].path).toBe('geometry');
    expect(issues[0].message).toMatch(/more than 128 index cells even at H3 resolution 4/);
  });

  it('refuses an invalid geometry with its validation issues', () => {
    const bowTie = {
      type: 'Polygon',
      coordinates: [
        [
          [2.17, 41.38],
          [2.18, 41.39],
          [2.18, 41.38],
          [2.17, 41.39],
          [2.17, 41.38],
        ],
      ],
    } as PolygonGeometry;
    expect(() => planIndex(bowTie)).toThrow(InvalidGeometryError);
    try {
      planIndex(bowTie);
    } catch (err) {
      expect((err as InvalidGeometryError).issues.map((i) => i.path)).toEqual(['geometry.coordinates[0]']);
    }
  });

  it('never lets an h3 error out: a bad centre becomes a validation issue', () => {
    const g = { type: 'Circle', coordinates: [Number.NaN, 91], radiusM: 100 } as CircleGeometry;
    expect(() => planIndex(g)).toThrow(InvalidGeometryError);
    expect(() => latLngToCell(Number.NaN, 0, 8)).toThrow();
  });
});

describe('the cell cap the proof relies on', () => {
  it('holds every point within its cell’s circumradius (largest centre-to-vertex distance)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -85, max: 85, noNaN: true }),
        fc.double({ min: -180, max: 180, noNaN: true }),
        fc.constantFrom(...INDEX_RESOLUTIONS),
        (lat, lng, res) => {
          const cell = latLngToCell(lat, lng, res);
          const [clat, clng] = cellToLatLng(cell);
          const radius = Math.max(...cellToBoundary(cell).map(([a, b]) => haversineM(clat, clng, a, b)));
          expect(haversineM(lat, lng, clat, clng)).toBeLessThanOrEqual(radius);
          return true;
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('holds near pentagons, where cells are most distorted', () => {
    let checked = 0;
    for (const res of INDEX_RESOLUTIONS) {
      for (const pentagon of getPentagons(res)) {
        for (const cell of gridDisk(pentagon, 2)) {
          const [clat, clng] = cellToLatLng(cell);
          const boundary = cellToBoundary(cell);
          const radius = Math.max(...boundary.map(([a, b]) => haversineM(clat, clng, a, b)));
          // Points from the centre out to 1.3x each vertex, in 13 steps: those still in the cell must lie in the cap.
          for (const [a, b] of boundary) {
            const dLng = ((b - clng + 540) % 360) - 180;
            for (let k = 1; k <= 13; k++) {
              const f = k / 10;
              const lat = clat + (a - clat) * f;
              const lng = clng + dLng * f;
              if (latLngToCell(lat, lng, res) !== cell) continue;
              checked++;
              // 1 µm of slack for the rounding at the vertex itself (f = 1); the index adds 5 m.
              expect(haversineM(lat, lng, clat, clng)).toBeLessThanOrEqual(radius + 1e-6);
            }
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(5000);
  });
});
