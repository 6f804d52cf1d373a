/**
 * # What a fence's index row carries
 *
 * A lookup reads the index row of the shopper's cell and must decide the
 * match from that row alone. `rowShape(geometry, cell)` says what the row of
 * one cell carries: just enough of the fence to decide every point of that
 * cell exactly, for every accuracy up to `marginM` (default 1,000 m):
 *
 * - `{kind: 'none'}`: no part of the fence is within `marginM` of the cell;
 *   every point of the cell gets `null`, so the cell needs no row;
 * - `{kind: 'inside'}`: the cell, widened by `marginM`, lies inside the fence
 *   with no boundary near it; every point of the cell gets `'high'`;
 * - `{kind: 'geometry', geometry}`: a geometry on which `matchConfidence` and
 *   `containsPoint` give, for every point of the cell, exactly the answers
 *   they give on the whole fence. Circles are carried as they are; polygons
 *   of at most ROW_UNCLIPPED_MAX_VERTICES vertices in all are carried
 *   unchanged; larger ones are clipped to the cell's reach (below).
 *
 * ## The reach
 *
 * The region a row covers is the cell widened by `reach = marginM * 1.01 +
 * 10 m`, enclosed in a convex polygon of REACH_SIDES half-planes of lng/lat.
 * Take the flat frame X = lng · cos φmax, Y = lat (degrees), where φmax is
 * the most poleward latitude within reach of the cell. Along any path of
 * length s, ds² = R²(dφ² + cos²φ dλ²) ≥ R²(dY² + dX²), so a point Q within
 * `reach` of a point P of the cell is within reach / (metres per degree) of
 * P in that frame. The cell's edges are great-circle arcs (cellToBoundary);
 * taking points of them at most 500 m apart (an arc departs from the lng/lat
 * line between two such points by under 0.3 m below 89° of latitude, inside
 * the 10 m), each half-plane is u · (X, Y) ≤ max over those points of
 * u · (X, Y) + reach, for REACH_SIDES unit directions u spread round the
 * circle. Their intersection holds every Q within `marginM * 1.01` of every
 * point of the cell; so every point outside it is farther than `marginM` from
 * the whole cell. Directions 0°, 90°, 180° and 270° give the region's
 * bounding box: the lng/lat box of the cell widened by reach / (metres per
 * degree) in latitude and that divided by cos φmax in longitude. Twelve sides
 * follow the widened hexagon closely: on the benchmark's 2,000-vertex ellipse
 * the largest row carries 749 vertices against 1,154 for the box alone (the
 * fence has 719 vertices within 1 km of that cell).
 *
 * ## The clip keeps the edges that matter bit for bit
 *
 * Each ring is clipped against the reach's half-planes in turn, but unlike
 * Sutherland–Hodgman no new vertex is made: of a run of consecutive vertices
 * strictly outside the half-plane only the first and the last are kept, and
 * they are joined by a straight "connector". So
 *
 * - every original edge with a point in the reach is kept whole, with its
 *   original endpoints (it has an endpoint in every one of the half-planes,
 *   so it never joins two dropped vertices): for a point of the cell the
 *   distance to such an edge is computed from the very same numbers as on
 *   the full fence;
 * - every edge that is dropped, and every connector, lies strictly outside
 *   one of the half-planes (a half-plane is convex), hence outside the
 *   reach, hence farther than `marginM` from every point of the cell.
 *
 * Why the answers are identical, not merely close. For a point P,
 * matchConfidence needs (1) whether P is inside, (2) whether some edge is
 * within the accuracy a ≤ marginM of P and, only when one is, (3) whether
 * the smallest distance is still ≥ a. (2) is decided edge by edge
 * (measure.ts stops at the first edge within a; its chunk pruning uses lower
 * bounds, so it never skips such an edge), and (3) is the minimum over the
 * edges of each edge's refined distance, whatever order the edges are
 * visited in; both are settled by the edges within marginM of P, which are
 * carried unchanged, while every edge that differs between the row and the
 * fence is farther than marginM. (1): a dropped run and the connector that
 * replaces it form a closed loop strictly outside a half-plane that contains
 * P, so the loop winds zero times round P: the winding of each ring round
 * every point of the reach is unchanged, and so is the crossing parity the
 * point-in-polygon test counts (edges over 1 km away are classified exactly
 * by its robust orientation test; a point on a carried edge is found on it
 * as before). Holes are clipped like shells.
 *
 * A ring that ends up with no vertex in one of the half-planes lies outside
 * it, so it has no point in the reach and winds zero times round it: it is
 * dropped (a shell with its holes). A ring that surrounds the reach without
 * meeting it becomes the reach's bounding box, whose edges lie on four of
 * the half-planes' lines, farther than marginM from the cell. The clipped
 * rings may self-intersect or double back outside the reach (zero-area
 * slivers, connectors crossing other parts of the ring): all of that is
 * farther than marginM from the cell, so no answer for a point of the cell
 * depends on it, and the measuring functions accept such rings (closed,
 * ≥ 4 positions: a ring meeting the reach keeps an edge with both its
 * endpoints and at least one more vertex on its way back).
 *
 * Carried unchanged (always exact, just not smaller): circles; polygons of at
 * most ROW_UNCLIPPED_MAX_VERTICES vertices; fences with an edge crossing the
 * antimeridian; a cell whose reach crosses the antimeridian, reaches beyond
 * ±89° of latitude or is wider than 90° of longitude; fences wider than 90°
 * of longitude. 'none' and 'inside' are decided for every polygon,
 * small ones included.
 *
 * Expects a valid geometry (validateGeometry returned []), like measure.ts.
 */

import { cellToBoundary, cellToLatLng, isValidCell } from 'h3-js';
import { DEG, EARTH_RADIUS_M, METRES_PER_DEGREE } from './sphere.js';
import { GEO_LIMITS, type FenceGeometry, type Position } from './types.js';

/** Polygons with at most this many vertices in all are carried unchanged in a row (when a row is needed). */
export const ROW_UNCLIPPED_MAX_VERTICES = 64;

export type RowShape =
  /** Every point within marginM of the cell lies inside the fence, and no boundary is within marginM of the cell. */
  | { kind: 'inside' }
  /** A geometry that decides every point of the cell exactly (see the module comment). */
  | { kind: 'geometry'; geometry: FenceGeometry }
  /** No part of the fence is within marginM of the cell: such a cell needs no row. */
  | { kind: 'none' };

/** Relative and absolute widening of the reach beyond marginM (see the module comment). */
const REACH_REL = 0.01;
const REACH_ABS_M = 10;
/** Sides of the convex polygon the reach is clipped to (a multiple of 4: it includes the bounding box's four). */
const REACH_SIDES = 12;
/** Greatest spacing, metres, of the points taken along the cell's edges for its reach. */
const SAMPLE_STEP_M = 500;
/** Cells whose reach goes beyond this latitude are not clipped. */
const MAX_REACH_LAT = 89;
/** Fences or reaches wider than this (degrees of longitude) are not clipped. */
const MAX_WIDTH_DEG = 90;

interface Box {
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
}

/** A closed half-plane of lng/lat: a·lng + b·lat ≤ c. */
interface HalfPlane {
  a: number;
  b: number;
  c: number;
}

/** The cell's reach: a convex polygon of half-planes, its bounding box, and the cell's centre as [lng, lat]. */
interface Reach {
  planes: HalfPlane[];
  box: Box;
  centre: Pt;
}

/** A vertex: the fence's own position (read, never copied until the row is built). */
type Pt = readonly number[];

function unitVector(lat: number, lng: number): [number, number, number] {
  const c = Math.cos(lat * DEG);
  return [c * Math.cos(lng * DEG), c * Math.sin(lng * DEG), Math.sin(lat * DEG)];
}

/** Points of the cell's boundary arcs, at most SAMPLE_STEP_M apart, as [lng, lat]. */
function cellOutline(cell: string): Pt[] {
  const boundary = cellToBoundary(cell);
  const out: Pt[] = [];
  for (let i = 0; i < boundary.length; i++) {
    const [alat, alng] = boundary[i];
    const [blat, blng] = boundary[(i + 1) % boundary.length];
    const a = unitVector(alat, alng);
    const b = unitVector(blat, blng);
    const angle = Math.acos(Math.min(1, a[0] * b[0] + a[1] * b[1] + a[2] * b[2]));
    const pieces = Math.max(1, Math.ceil((angle * EARTH_RADIUS_M) / SAMPLE_STEP_M));
    out.push([alng, alat]);
    for (let k = 1; k < pieces; k++) {
      // Points of the great-circle arc a–b (the normalised chord point lies on the arc).
      const t = k / pieces;
      const x = a[0] + t * (b[0] - a[0]);
      const y = a[1] + t * (b[1] - a[1]);
      const z = a[2] + t * (b[2] - a[2]);
      out.push([Math.atan2(y, x) / DEG, Math.atan2(z, Math.hypot(x, y)) / DEG]);
    }
  }
  return out;
}

/** The cell's reach, or null when the cell is not clipped (antimeridian, poles, huge cells). */
function reachOf(cell: string, marginM: number): Reach | null {
  const outline = cellOutline(cell);
  let minLng = Infinity;
  let maxLng = -Infinity;
  let minLat = Infinity;
  let maxLat = -Infinity;
  for (const [lng, lat] of outline) {
    minLng = Math.min(minLng, lng);
    maxLng = Math.max(maxLng, lng);
    minLat = Math.min(minLat, lat);
    maxLat = Math.max(maxLat, lat);
  }
  if (maxLng - minLng > 180) return null; // the cell straddles the antimeridian
  // The reach in degrees of latitude, which is also its size in the flat frame (lng · cos φmax, lat).
  const r = (marginM * (1 + REACH_REL) + REACH_ABS_M) / METRES_PER_DEGREE;
  const poleward = Math.max(Math.abs(minLat - r), Math.abs(maxLat + r));
  if (poleward > MAX_REACH_LAT) return null;
  const k = Math.cos(poleward * DEG);
  const planes: HalfPlane[] = [];
  // Opposite sides first: each pass then has fewer vertices left to look at.
  const half = REACH_SIDES / 2;
  for (let j = 0; j < REACH_SIDES; j++) {
    const i = (j >> 1) + (j & 1) * half;
    // Outward direction u in the flat frame; the half-plane u · (k lng, lat) ≤ max over the outline + r.
    const theta = (2 * Math.PI * i) / REACH_SIDES;
    const a = Math.cos(theta) * k;
    const b = Math.sin(theta);
    let c = -Infinity;
    for (const [lng, lat] of outline) c = Math.max(c, a * lng + b * lat);
    planes.push({ a, b, c: c + r });
  }
  // The half-planes at 0, 1/4, 1/2 and 3/4 of a turn bound this box.
  const box: Box = { minX: minLng - r / k, maxX: maxLng + r / k, minY: minLat - r, maxY: maxLat + r };
  if (box.minX < -180 || box.maxX > 180 || box.maxX - box.minX > MAX_WIDTH_DEG) return null;
  const centre = cellToLatLng(cell);
  return { planes, box, centre: [centre[1], centre[0]] };
}

/**
 * One half-plane step on an open ring (no closing vertex): vertices inside
 * are kept; of each run of vertices outside, the first and the last are kept
 * (joined by a connector outside the half-plane). Empty when no vertex is
 * inside.
 */
function clipToHalfPlane(ring: Pt[], h: HalfPlane): Pt[] {
  const n = ring.length;
  const { a, b, c } = h;
  const ins = new Uint8Array(n);
  let start = -1;
  for (let i = 0; i < n; i++) {
    if (a * ring[i][0] + b * ring[i][1] <= c) {
      ins[i] = 1;
      if (start < 0) start = i;
    }
  }
  if (start < 0) return [];
  const out: Pt[] = [];
  for (let i = 0; i < n; ) {
    const k = (start + i) % n;
    const first = ring[k];
    out.push(first);
    if (ins[k]) {
      i++;
      continue;
    }
    let j = i;
    while (j + 1 < n && !ins[(start + j + 1) % n]) j++;
    const last = ring[(start + j) % n];
    if (j > i && (last[0] !== first[0] || last[1] !== first[1])) out.push(last);
    i = j + 1;
  }
  return out;
}

/** Whether the closed segment p–q has a point in the convex region (Cyrus–Beck). */
function segmentMeetsReach(p: Pt, q: Pt, planes: HalfPlane[]): boolean {
  const dx = q[0] - p[0];
  const dy = q[1] - p[1];
  let t0 = 0;
  let t1 = 1;
  for (const { a, b, c } of planes) {
    // The segment's point at t is inside when slope · t ≤ room.
    const slope = a * dx + b * dy;
    const room = c - (a * p[0] + b * p[1]);
    if (slope === 0) {
      if (room < 0) return false;
    } else {
      const t = room / slope;
      if (slope < 0) {
        if (t > t1) return false;
        if (t > t0) t0 = t;
      } else {
        if (t < t0) return false;
        if (t < t1) t1 = t;
      }
    }
  }
  return t0 <= t1;
}

/** Even-odd test of a point far from every edge of an open ring. */
function ringContains(ring: Pt[], x: number, y: number): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i];
    const [xj, yj] = ring[j];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

type RingPart = { kind: 'meets'; ring: Pt[] } | { kind: 'surrounds' } | { kind: 'apart' };

/** How one ring (GeoJSON positions, closed) stands to the reach, with its clipped form when it meets it. */
function clipRing(positions: readonly Position[], reach: Reach): RingPart {
  let ring: Pt[] = positions.slice(0, -1);
  for (const h of reach.planes) {
    ring = clipToHalfPlane(ring, h);
    if (ring.length === 0) return { kind: 'apart' };
  }
  // Only original edges can meet the reach (connectors lie outside it), and every one that does is still here.
  const meets = ring.some((p, i) => segmentMeetsReach(p, ring[(i + 1) % ring.length], reach.planes));
  if (!meets) {
    const inside = ring.length >= 3 && ringContains(ring, reach.centre[0], reach.centre[1]);
    return inside ? { kind: 'surrounds' } : { kind: 'apart' };
  }
  // Fewer than 3 vertices cannot happen for a valid ring; carry such a ring whole.
  return { kind: 'meets', ring: ring.length >= 3 ? ring : positions.slice(0, -1) };
}

function boxRing(box: Box): Pt[] {
  return [
    [box.minX, box.minY],
    [box.maxX, box.minY],
    [box.maxX, box.maxY],
    [box.minX, box.maxY],
  ];
}

/** A closed GeoJSON ring of fresh `[lng, lat]` positions (any altitude dropped). */
function close(ring: Pt[]): Position[] {
  const out: Position[] = ring.map((p) => [p[0], p[1]]);
  out.push([ring[0][0], ring[0][1]]);
  return out;
}

type PolygonPart = { kind: 'rings'; rings: Pt[][] } | { kind: 'covers' } | { kind: 'apart' };

/** One polygon against the reach: its clipped rings, or that it covers the reach, or that it is nowhere near. */
function clipPolygon(rings: readonly Position[][], reach: Reach): PolygonPart {
  const out: Pt[][] = [];
  let meets = false;
  let inHole = false;
  for (let j = 0; j < rings.length; j++) {
    const part = clipRing(rings[j], reach);
    if (part.kind === 'meets') {
      meets = true;
      out.push(part.ring);
    } else if (part.kind === 'surrounds') {
      out.push(boxRing(reach.box));
      if (j > 0) inHole = true;
    } else if (j === 0) {
      return { kind: 'apart' }; // holes lie inside the shell
    }
  }
  if (meets) return { kind: 'rings', rings: out };
  return inHole ? { kind: 'apart' } : { kind: 'covers' };
}

function polygonsOf(g: FenceGeometry): readonly Position[][][] {
  if (g.type === 'Polygon') return [g.coordinates];
  if (g.type === 'MultiPolygon') return g.coordinates;
  return [];
}

function vertexCount(polygons: readonly Position[][][]): number {
  let n = 0;
  for (const p of polygons) for (const r of p) n += r.length - 1;
  return n;
}

/** Whether the fence is clipped at all: no edge crosses the antimeridian and no polygon is wider than 90°. */
function clippable(polygons: readonly Position[][][]): boolean {
  for (const p of polygons) {
    let minX = Infinity;
    let maxX = -Infinity;
    for (const r of p) {
      for (let i = 0; i < r.length; i++) {
        const x = r[i][0];
        if (i > 0 && Math.abs(x - r[i - 1][0]) > 180) return false;
        if (x < minX) minX = x;
        if (x > maxX) maxX = x;
      }
    }
    if (maxX - minX > MAX_WIDTH_DEG) return false;
  }
  return true;
}

/**
 * What the index row of `cell` carries for the fence: see the module
 * comment for the guarantee and its argument. For every point P of the cell
 * (boundary included) and accuracy a in [0, marginM]: on a 'geometry' shape
 * matchConfidence and containsPoint answer as on the whole fence; 'inside'
 * means matchConfidence is 'high'; 'none' means it is null.
 */
export function rowShape(geometry: FenceGeometry, cell: string, marginM: number = GEO_LIMITS.maxAccuracyM): RowShape {
  if (!Number.isFinite(marginM) || marginM < 0) throw new RangeError('marginM must be a finite number >= 0');
  if (!isValidCell(cell)) throw new RangeError(`not an H3 cell: ${cell}`);
  if (geometry.type === 'Circle') return { kind: 'geometry', geometry };
  const polygons = polygonsOf(geometry);
  const unchanged: RowShape = { kind: 'geometry', geometry };
  if (!clippable(polygons)) return unchanged;
  const reach = reachOf(cell, marginM);
  if (!reach) return unchanged;
  const parts = polygons.map((p) => clipPolygon(p, reach));
  if (!parts.some((p) => p.kind === 'rings')) {
    return parts.some((p) => p.kind === 'covers') ? { kind: 'inside' } : { kind: 'none' };
  }
  if (vertexCount(polygons) <= ROW_UNCLIPPED_MAX_VERTICES) return unchanged;
  const kept: Position[][][] = [];
  for (const p of parts) {
    if (p.kind === 'rings') kept.push(p.rings.map(close));
    else if (p.kind === 'covers') kept.push([close(boxRing(reach.box))]);
  }
  return {
    kind: 'geometry',
    geometry: kept.length === 1 ? { type: 'Polygon', coordinates: kept[0] } : { type: 'MultiPolygon', coordinates: kept },
  };
}

/** Vertices a row carries: ring positions other than the closing one; a circle counts 1 (its centre); 'inside' and 'none' 0. */
export function rowVertexCount(shape: RowShape): number {
  if (shape.kind !== 'geometry') return 0;
  if (shape.geometry.type === 'Circle') return 1;
  return vertexCount(polygonsOf(shape.geometry));
}
