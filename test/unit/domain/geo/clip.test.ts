import fc from 'fast-check';
import { cellToBoundary, cellToLatLng, getResolution, gridDisk, latLngToCell } from 'h3-js';
import { describe, expect, it } from 'vitest';
import {
  boundaryDistanceM,
  containsPoint,
  destination,
  distanceToFenceM,
  matchConfidence,
  planIndex,
  ROW_UNCLIPPED_MAX_VERTICES,
  rowShape,
  rowVertexCount,
  validateGeometry,
  type FenceGeometry,
  type Position,
  type RowShape,
} from '../../../../shared/domain/geo/index.js';
import { rect } from '../../../support/geo.js';

const M_PER_DEG = 111_195;

/** An ellipse of `n` vertices (closed), semi-axes in degrees, as in the benchmark. */
function ellipse(lng: number, lat: number, aDeg: number, bDeg: number, n: number, clockwise = false): Position[] {
  const ring = Array.from({ length: n }, (_, i) => {
    const t = ((clockwise ? -2 : 2) * Math.PI * i) / n;
    return [lng + Math.cos(t) * aDeg, lat + Math.sin(t) * bDeg] as Position;
  });
  ring.push(ring[0]);
  return ring;
}

/** A closed ring through `corners`, each side cut into pieces so the ring has about `n` vertices. */
function densified(corners: Position[], n: number): Position[] {
  const perimeter = corners.reduce((s, a, i) => {
    const b = corners[(i + 1) % corners.length];
    return s + Math.hypot(b[0] - a[0], b[1] - a[1]);
  }, 0);
  const ring: Position[] = [];
  corners.forEach((a, i) => {
    const b = corners[(i + 1) % corners.length];
    const pieces = Math.max(1, Math.round((n * Math.hypot(b[0] - a[0], b[1] - a[1])) / perimeter));
    for (let k = 0; k < pieces; k++) ring.push([a[0] + ((b[0] - a[0]) * k) / pieces, a[1] + ((b[1] - a[1]) * k) / pieces]);
  });
  ring.push(ring[0]);
  return ring;
}

/** A square of `sideM` metres around (lat, lng), as a closed ring of `n` vertices. */
function square(lng: number, lat: number, sideM: number, n: number): Position[] {
  const h = sideM / 2 / M_PER_DEG;
  const w = h / Math.cos((lat * Math.PI) / 180);
  return densified(
    [
      [lng - w, lat - h],
      [lng + w, lat - h],
      [lng + w, lat + h],
      [lng - w, lat + h],
    ],
    n,
  );
}

const LNG = 2.17;
const LAT = 41.38;

/** The benchmark fence: 1,999 vertices (2,000 positions), 0.02° x 0.015°. */
const benchEllipse: FenceGeometry = { type: 'Polygon', coordinates: [ellipse(LNG, LAT, 0.02, 0.015, 1999)] };
const withHole: FenceGeometry = {
  type: 'Polygon',
  coordinates: [ellipse(LNG, LAT, 0.045, 0.034, 1200), ellipse(LNG, LAT, 0.03, 0.024, 800, true)],
};
/** Two ellipses about 400 m apart, so some cells see both. */
const multi: FenceGeometry = {
  type: 'MultiPolygon',
  coordinates: [[ellipse(LNG - 0.0125, LAT, 0.01, 0.0075, 1000)], [ellipse(LNG + 0.0125, LAT, 0.01, 0.0075, 1000)]],
};
/** A "U" about 2.5 km across, arms 0.008° wide around a 0.01° slot, with 480 vertices. */
const uShape: FenceGeometry = {
  type: 'Polygon',
  coordinates: [
    densified(
      [
        [LNG - 0.015, LAT - 0.011],
        [LNG + 0.015, LAT - 0.011],
        [LNG + 0.015, LAT + 0.011],
        [LNG + 0.005, LAT + 0.011],
        [LNG + 0.005, LAT - 0.003],
        [LNG - 0.005, LAT - 0.003],
        [LNG - 0.005, LAT + 0.011],
        [LNG - 0.015, LAT + 0.011],
      ],
      480,
    ),
  ],
};
const circle50km: FenceGeometry = { type: 'Circle', coordinates: [LNG, LAT], radiusM: 50_000 };
const square10km: FenceGeometry = { type: 'Polygon', coordinates: [square(LNG, LAT, 10_000, 2000)] };
const square30km: FenceGeometry = { type: 'Polygon', coordinates: [square(LNG, LAT, 30_000, 2000)] };

/** A ring of `n` vertices whose distance from the centre wobbles between 0.7 r and r (great-circle bearings). */
function wobbly(lng: number, lat: number, r: number, n: number): Position[] {
  const ring = Array.from({ length: n }, (_, i) => {
    const p = destination(lat, lng, r * (0.85 + 0.15 * Math.sin(i * 0.37)), (360 * i) / n);
    return [p.lng, p.lat] as Position;
  });
  ring.push(ring[0]);
  return ring;
}

/** The benchmark ellipse moved to 70° N (same size in metres). */
const northEllipse: FenceGeometry = {
  type: 'Polygon',
  coordinates: [ellipse(25, 70, (0.02 * Math.cos((LAT * Math.PI) / 180)) / Math.cos((70 * Math.PI) / 180), 0.015, 1999)],
};
/** 60 km across at 60° N: indexed at res 4, whose cells' great-circle edges bow away from lng/lat lines. */
const regionAt60: FenceGeometry = { type: 'Polygon', coordinates: [wobbly(10, 60, 30_000, 1500)] };
/** Against the latitude limit: 84.5–85° N. */
const nearLimit: FenceGeometry = { type: 'Polygon', coordinates: [wobbly(-40, 84.75, 25_000, 800)] };

interface Case {
  name: string;
  g: FenceGeometry;
  /** Cells beyond planIndex's cover to check as well (other resolutions, deep inside a hole). */
  extraCells?: string[];
}

const cases: Case[] = [
  { name: '2,000-vertex ellipse', g: benchEllipse },
  {
    name: 'polygon with a hole',
    g: withHole,
    // Res-8 cells round the middle of the hole, some of which need no row.
    extraCells: gridDisk(latLngToCell(LAT, LNG, 8), 1),
  },
  { name: 'MultiPolygon', g: multi },
  { name: 'concave U', g: uShape, extraCells: gridDisk(latLngToCell(LAT + 0.004, LNG, 8), 1) },
  { name: '50 km circle', g: circle50km },
  { name: '10 km square of 2,000 vertices', g: square10km, extraCells: gridDisk(latLngToCell(LAT, LNG, 8), 1) },
  { name: '30 km square of 2,000 vertices', g: square30km },
  { name: 'ellipse at 70° N', g: northEllipse },
  { name: '60 km region at 60° N (res 4)', g: regionAt60 },
  { name: 'fence at 84.5–85° N', g: nearLimit },
];

const edgesByCell = new WeakMap<FenceGeometry, Map<number, Map<string, [Position, Position][]>>>();

/** Every fence edge (all rings) whose first vertex lies in `cell`. */
function fenceEdgesIn(g: FenceGeometry, cell: string): [Position, Position][] {
  if (g.type === 'Circle') return [];
  const res = getResolution(cell);
  let byRes = edgesByCell.get(g);
  if (!byRes) {
    byRes = new Map();
    edgesByCell.set(g, byRes);
  }
  let byCell = byRes.get(res);
  if (!byCell) {
    byCell = new Map();
    byRes.set(res, byCell);
    const polys = g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
    for (const p of polys) {
      for (const r of p) {
        for (let i = 0; i + 1 < r.length; i++) {
          const c = latLngToCell(r[i][1], r[i][0], res);
          const list = byCell.get(c) ?? [];
          list.push([r[i], r[i + 1]]);
          byCell.set(c, list);
        }
      }
    }
  }
  return byCell.get(cell) ?? [];
}

const unit = fc.double({ min: 0, max: 1, noNaN: true });

/** Points of the cell: inside (a triangle of the fan from its centre), on its boundary, its vertices, and fence points in it. */
function pointInCell(cell: string, edges: [Position, Position][]): fc.Arbitrary<{ lat: number; lng: number }> {
  const [clat, clng] = cellToLatLng(cell);
  const v = cellToBoundary(cell);
  const res = getResolution(cell);
  const side = fc.nat({ max: v.length - 1 });
  const interior = fc.tuple(side, unit, unit).map(([i, s, t]) => {
    const [alat, alng] = v[i];
    const [blat, blng] = v[(i + 1) % v.length];
    const [u, w] = s + t > 1 ? [1 - s, 1 - t] : [s, t];
    return { lat: clat + u * (alat - clat) + w * (blat - clat), lng: clng + u * (alng - clng) + w * (blng - clng) };
  });
  const onBoundary = fc.tuple(side, unit).map(([i, t]) => {
    const [alat, alng] = v[i];
    const [blat, blng] = v[(i + 1) % v.length];
    return { lat: alat + t * (blat - alat), lng: alng + t * (blng - alng) };
  });
  const vertex = side.map((i) => ({ lat: v[i][0], lng: v[i][1] }));
  const arbs = [interior, interior, onBoundary, vertex];
  if (edges.length > 0) {
    // On a fence edge (the boundary counts as inside), or a few metres off it.
    const nearFence = fc
      .tuple(fc.nat({ max: edges.length - 1 }), unit, fc.oneof(fc.constant(0), fc.double({ min: 0, max: 20, noNaN: true })), unit)
      .map(([k, t, offM, bearing]) => {
        const [a, b] = edges[k];
        const on = { lat: a[1] + t * (b[1] - a[1]), lng: a[0] + t * (b[0] - a[0]) };
        const p = offM === 0 ? on : destination(on.lat, on.lng, offM, bearing * 360);
        return latLngToCell(p.lat, p.lng, res) === cell ? p : { lat: a[1], lng: a[0] };
      });
    arbs.push(nearFence, nearFence, nearFence);
  }
  return fc.oneof(...arbs);
}

type Accuracy = { kind: 'value'; a: number } | { kind: 'tie'; scale: number };

/** Accuracies in [0, marginM], plus accuracies equal to (or a hair either side of) the point's distance to the boundary. */
function accuracy(marginM: number): fc.Arbitrary<Accuracy> {
  return fc.oneof(
    fc.double({ min: 0, max: marginM, noNaN: true }).map((a): Accuracy => ({ kind: 'value', a })),
    fc.constantFrom(0, marginM).map((a): Accuracy => ({ kind: 'value', a })),
    fc.constantFrom(1, 1 - 1e-12, 1 + 1e-12).map((scale): Accuracy => ({ kind: 'tie', scale })),
  );
}

function accuracyAt(acc: Accuracy, g: FenceGeometry, lat: number, lng: number, marginM: number): number {
  if (acc.kind === 'value') return acc.a;
  const d = boundaryDistanceM(g, lat, lng) * acc.scale;
  return d <= marginM ? d : marginM / 2;
}

/** The guarantee of rowShape for one point and accuracy; returns a description of the mismatch, or null. */
function mismatch(g: FenceGeometry, shape: RowShape, lat: number, lng: number, a: number): string | null {
  const full = matchConfidence(g, lat, lng, a);
  if (shape.kind === 'inside') return full === 'high' ? null : `'inside' but the fence says ${full}`;
  if (shape.kind === 'none') return full === null ? null : `'none' but the fence says ${full}`;
  const row = matchConfidence(shape.geometry, lat, lng, a);
  if (row !== full) return `row says ${row}, fence says ${full}`;
  const rowIn = containsPoint(shape.geometry, lat, lng);
  const fullIn = containsPoint(g, lat, lng);
  return rowIn === fullIn ? null : `row containsPoint ${rowIn}, fence ${fullIn}`;
}

function checkCell(g: FenceGeometry, cell: string, marginM: number, numRuns: number): RowShape {
  const shape = rowShape(g, cell, marginM);
  fc.assert(
    fc.property(pointInCell(cell, fenceEdgesIn(g, cell)), accuracy(marginM), (p, acc) => {
      const a = accuracyAt(acc, g, p.lat, p.lng, marginM);
      expect(mismatch(g, shape, p.lat, p.lng, a)).toBeNull();
    }),
    { numRuns },
  );
  return shape;
}

function ringsOf(g: FenceGeometry): Position[][] {
  if (g.type === 'Circle') return [];
  return g.type === 'Polygon' ? g.coordinates : g.coordinates.flat();
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

describe('rowShape: the guarantee on every cell of the index', () => {
  for (const c of cases) {
    it(`${c.name}: every point of every cell, every accuracy up to 1,000 m, is decided as by the whole fence`, () => {
      expect(validateGeometry(c.g)).toEqual([]);
      const cells = [...planIndex(c.g).cells, ...(c.extraCells ?? [])];
      const kinds = { inside: 0, geometry: 0, none: 0 };
      for (const cell of cells) {
        const shape = checkCell(c.g, cell, 1000, 20);
        kinds[shape.kind]++;
        if (shape.kind === 'geometry' && shape.geometry.type !== 'Circle') {
          // Rings the measuring functions accept: closed, at least 4 positions, [lng, lat] numbers.
          for (const r of ringsOf(shape.geometry)) {
            expect(r.length).toBeGreaterThanOrEqual(4);
            expect(r[r.length - 1]).toEqual(r[0]);
            for (const p of r) expect(p.every(Number.isFinite)).toBe(true);
          }
        }
      }
      expect(kinds.geometry).toBeGreaterThan(0);
    });
  }

  it('random star-shaped fences, with and without a hole, anywhere up to 84°', () => {
    const fence = fc
      .record({
        lat: fc.double({ min: -84, max: 84, noNaN: true }),
        lng: fc.double({ min: -170, max: 170, noNaN: true }),
        r: fc.double({ min: 300, max: 20_000, noNaN: true }),
        n: fc.integer({ min: 70, max: 400 }),
        wobble: fc.double({ min: 0, max: 0.6, noNaN: true }),
        hole: fc.boolean(),
      })
      .map(({ lat, lng, r, n, wobble, hole }): FenceGeometry => {
        const star = (radius: number, count: number, reverse: boolean) => {
          const ring = Array.from({ length: count }, (_, i) => {
            const p = destination(lat, lng, radius * (1 - wobble * (0.5 + 0.5 * Math.sin(i * 1.7))), (360 * i) / count);
            return [p.lng, p.lat] as Position;
          });
          if (reverse) ring.reverse();
          ring.push(ring[0]);
          return ring;
        };
        const shell = star(r, n, false);
        return { type: 'Polygon', coordinates: hole ? [shell, star(r * 0.3 * (1 - wobble), 40, true)] : [shell] };
      });
    fc.assert(
      fc.property(fence, fc.array(unit, { minLength: 3, maxLength: 3 }), (g, picks) => {
        expect(validateGeometry(g)).toEqual([]);
        const { cells } = planIndex(g);
        for (const u of picks) checkCell(g, cells[Math.floor(u * cells.length) % cells.length], 1000, 8);
      }),
      { numRuns: 25 },
    );
  });

  it('a smaller margin carries less and still decides every accuracy up to it', () => {
    const cells = planIndex(benchEllipse).cells;
    let wide = 0;
    let narrow = 0;
    for (const cell of cells) {
      wide += rowVertexCount(rowShape(benchEllipse, cell));
      narrow += rowVertexCount(checkCell(benchEllipse, cell, 200, 20));
    }
    expect(narrow).toBeLessThan(wide * 0.7);
  });
});

describe('rowShape: what rows carry', () => {
  it('rows of the 2,000-vertex ellipse carry far fewer vertices than the fence', () => {
    const { resolution, cells } = planIndex(benchEllipse);
    expect(resolution).toBe(8);
    const shapes = cells.map((c) => rowShape(benchEllipse, c));
    const counts = shapes.filter((s) => s.kind === 'geometry').map(rowVertexCount);
    // Measured: 46 rows (one cell needs none), at most 749 and a median of 478 vertices. The fence is 3.3 km
    // across and a res-8 cell with its 1 km reach about 3 km, so a row holds a good part of the fence.
    expect(counts.length).toBeGreaterThanOrEqual(40);
    expect(Math.max(...counts)).toBeLessThanOrEqual(800);
    expect(median(counts)).toBeLessThanOrEqual(520);
  });

  it('a row carries every fence vertex within 1 km of its cell', () => {
    const ring = ringsOf(benchEllipse)[0].slice(0, -1);
    for (const cell of planIndex(benchEllipse).cells) {
      const s = rowShape(benchEllipse, cell);
      const cellPolygon: FenceGeometry = { type: 'Polygon', coordinates: [cellToBoundary(cell, true) as Position[]] };
      const near = ring.filter(([lng, lat]) => distanceToFenceM(cellPolygon, lat, lng) <= 1000);
      if (s.kind !== 'geometry') {
        expect(near).toEqual([]);
        continue;
      }
      const carried = new Set(ringsOf(s.geometry).flatMap((r) => r.map((p) => p[0] * 1e3 + p[1])));
      expect(near.filter((p) => !carried.has(p[0] * 1e3 + p[1]))).toEqual([]);
      // And not much more: the reach polygon hugs the widened cell.
      expect(rowVertexCount(s)).toBeLessThanOrEqual(near.length * 1.1 + 100);
    }
  });

  it('a large fence has interior cells that need no geometry at all', () => {
    const shapes = planIndex(square30km).cells.map((c) => rowShape(square30km, c));
    const inside = shapes.filter((s) => s.kind === 'inside').length;
    expect(inside).toBeGreaterThanOrEqual(5);
    // The boundary rows carry a small part of the 2,000 vertices.
    const counts = shapes.filter((s) => s.kind === 'geometry').map(rowVertexCount);
    expect(Math.max(...counts)).toBeLessThan(400);
    // A res-8 cell at the middle of the 10 km square is 'inside' too.
    expect(rowShape(square10km, latLngToCell(LAT, LNG, 8))).toEqual({ kind: 'inside' });
  });

  it("a cell deep in a hole or far from the fence is 'none'", () => {
    expect(rowShape(withHole, latLngToCell(LAT, LNG, 8))).toEqual({ kind: 'none' });
    expect(rowShape(benchEllipse, latLngToCell(LAT + 0.1, LNG, 8))).toEqual({ kind: 'none' });
  });

  it("clipped rows keep the fence's own vertices, and fewer of them", () => {
    const own = new Set(ringsOf(benchEllipse)[0].map((p) => p[0] * 1e3 + p[1]));
    for (const cell of planIndex(benchEllipse).cells) {
      const s = rowShape(benchEllipse, cell);
      if (s.kind !== 'geometry') continue;
      const rings = ringsOf(s.geometry);
      expect(rings.flat().every((p) => own.has(p[0] * 1e3 + p[1]))).toBe(true);
      expect(rowVertexCount(s)).toBeLessThan(1999);
    }
  });

  it('circles are carried as they are', () => {
    for (const cell of planIndex(circle50km).cells) {
      const s = rowShape(circle50km, cell);
      expect(s).toEqual({ kind: 'geometry', geometry: circle50km });
      expect(s.kind === 'geometry' && s.geometry).toBe(circle50km);
      expect(rowVertexCount(s)).toBe(1);
    }
  });

  it(`polygons of at most ${ROW_UNCLIPPED_MAX_VERTICES} vertices are carried unchanged, but may still be 'inside' or 'none'`, () => {
    const small: FenceGeometry = { type: 'Polygon', coordinates: [square(LNG, LAT, 30_000, ROW_UNCLIPPED_MAX_VERTICES)] };
    expect(rowVertexCount({ kind: 'geometry', geometry: small })).toBe(ROW_UNCLIPPED_MAX_VERTICES);
    const shapes = planIndex(small).cells.map((c) => rowShape(small, c));
    for (const s of shapes) if (s.kind === 'geometry') expect(s.geometry).toBe(small);
    expect(shapes.some((s) => s.kind === 'inside')).toBe(true);
    expect(shapes.some((s) => s.kind === 'geometry')).toBe(true);
    // One vertex more and the boundary rows are clipped.
    const large: FenceGeometry = { type: 'Polygon', coordinates: [square(LNG, LAT, 30_000, ROW_UNCLIPPED_MAX_VERTICES + 4)] };
    const clipped = planIndex(large).cells.map((c) => rowShape(large, c));
    expect(clipped.some((s) => s.kind === 'geometry' && s.geometry !== large)).toBe(true);
  });

  it('fences across the antimeridian are carried unchanged, and still decided exactly', () => {
    const g: FenceGeometry = {
      type: 'Polygon',
      // Corners unwrapped (180.02 is -179.98), vertices folded back into [-180, 180].
      coordinates: [
        densified(
          [
            [179.98, -16.02],
            [180.02, -16.02],
            [180.02, -15.98],
            [179.98, -15.98],
          ],
          200,
        ).map(([lng, lat]): Position => [lng > 180 ? lng - 360 : lng, lat]),
      ],
    };
    expect(validateGeometry(g)).toEqual([]);
    for (const cell of planIndex(g).cells) {
      const s = checkCell(g, cell, 1000, 10);
      if (s.kind === 'geometry') expect(s.geometry).toBe(g);
    }
  });

  it('rowVertexCount counts ring vertices without the closing position', () => {
    expect(rowVertexCount({ kind: 'inside' })).toBe(0);
    expect(rowVertexCount({ kind: 'none' })).toBe(0);
    expect(rowVertexCount({ kind: 'geometry', geometry: benchEllipse })).toBe(1999);
    expect(rowVertexCount({ kind: 'geometry', geometry: withHole })).toBe(2000);
    expect(rowVertexCount({ kind: 'geometry', geometry: { type: 'Polygon', coordinates: [rect(0, 0, 1, 1)] } })).toBe(4);
  });

  it('refuses a bad cell or margin', () => {
    expect(() => rowShape(benchEllipse, 'not-a-cell')).toThrow(RangeError);
    expect(() => rowShape(benchEllipse, latLngToCell(LAT, LNG, 8), -1)).toThrow(RangeError);
    expect(() => rowShape(benchEllipse, latLngToCell(LAT, LNG, 8), Number.NaN)).toThrow(RangeError);
  });
});
