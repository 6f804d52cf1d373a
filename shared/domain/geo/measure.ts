/**
 * Exact tests against a fence: containment, distance, match confidence and
 * the anchor point used in offer texts.
 *
 * Semantics: a circle is every point within `radiusM` metres of its centre
 * (great-circle distance). A polygon edge is a straight line in lng/lat (RFC
 * 7946), read the short way across the antimeridian; a point on the boundary
 * is inside. Distances are great-circle metres to the nearest point of the
 * boundary, measured on those lng/lat-straight edges (not on great-circle
 * arcs, which bend away from them by up to hundreds of metres on long edges
 * at high latitude): the nearest point of an edge is first estimated in a
 * local equirectangular frame centred on the query point (an affine map of
 * lng/lat, so edges stay straight), then refined by Newton steps on the
 * sphere, and the returned distance is the exact haversine distance to that
 * point of the edge. It is therefore never below the true distance; against
 * a dense reference it agrees to well under a millimetre, at any latitude
 * up to 85° and distances of hundreds of kilometres.
 *
 * All functions expect a valid geometry (validateGeometry returned []).
 */

import { booleanPointInPolygon } from '@turf/boolean-point-in-polygon';
import { lngCandidates, pointLng } from './antimeridian.js';
import { prepare, type EdgeChunk, type PreparedFence, type PreparedPolygon, type PreparedRing } from './prepared.js';
import { boxLowerBoundM, DEG, haversineM, normalizeLng, wrapDelta } from './sphere.js';
import { GEO_LIMITS, type FenceGeometry, type MatchConfidence } from './types.js';

function validPoint(lat: number, lng: number): boolean {
  return Number.isFinite(lat) && Number.isFinite(lng) && lat >= -90 && lat <= 90;
}

function polygonContains(p: PreparedPolygon, lat: number, lng: number): boolean {
  if (lat < p.minY || lat > p.maxY) return false;
  for (const x of lngCandidates(lng, p.minX, p.maxX)) {
    if (booleanPointInPolygon([x, lat], p.geojson)) return true;
  }
  return false;
}

function preparedContains(f: PreparedFence, lat: number, lng: number): boolean {
  if (f.kind === 'circle') return haversineM(f.lat, f.lng, lat, lng) <= f.radiusM;
  if (lat < f.minY || lat > f.maxY) return false;
  const x = pointLng(lng);
  return f.polygons.some((p) => polygonContains(p, lat, x));
}

/** Parameter (0..1) of the point of segment a–b nearest the origin, in a frame whose x is scaled by k. */
function footParam(ax: number, ay: number, bx: number, by: number, k: number): number {
  const ux = ax * k;
  const dx = bx * k - ux;
  const dy = by - ay;
  const len2 = dx * dx + dy * dy;
  if (len2 === 0) return 0;
  const t = -(ux * dx + ay * dy) / len2;
  return t <= 0 ? 0 : Math.min(t, 1);
}

/**
 * Metres from (lat, lng) to the lng/lat-straight edge (ax, ay)–(bx, by),
 * longitudes unwrapped. `best` is the smallest distance found so far: an
 * edge that cannot beat it skips the final refinement.
 */
function edgeDistanceM(
  lat: number,
  lng: number,
  cosLat: number,
  ax: number,
  ay: number,
  bx: number,
  by: number,
  best: number,
): number {
  const dxa = wrapDelta(ax - lng);
  const dxb = dxa + (bx - ax);
  const dya = ay - lat;
  const dyb = by - lat;
  let t = footParam(dxa, dya, dxb, dyb, cosLat);
  if (t > 0 && t < 1) {
    const footLat = ay + t * (by - ay);
    t = footParam(dxa, dya, dxb, dyb, Math.cos(((lat + footLat) / 2) * DEG));
  }
  const d = haversineM(lat, lng, ay + t * (by - ay), lng + dxa + t * (dxb - dxa));
  if (d > best * 1.02 + 1) return d;
  const t2 = refineFoot(lat, ay, dxa, by - ay, dxb - dxa, t);
  if (t2 === t) return d;
  return Math.min(d, haversineM(lat, lng, ay + t2 * (by - ay), lng + dxa + t2 * (dxb - dxa)));
}

/**
 * Newton steps on t for the point X(t) = (ay + t dy, lng + dxa + t dx) of the
 * edge nearest (lat, lng) on the sphere: maximises the cosine of the central
 * angle g(t) = sin(lat) sin(phi) + cos(lat) cos(phi) cos(dLambda). The
 * equirectangular estimate is already close; this removes its residual
 * error (up to ~0.3 % of the distance for long edges far from the point).
 */
function refineFoot(lat: number, ay: number, dxa: number, dy: number, dx: number, t0: number): number {
  const sp = Math.sin(lat * DEG);
  const cp = Math.cos(lat * DEG);
  const phiD = dy * DEG;
  const lamD = dx * DEG;
  let t = t0;
  for (let i = 0; i < 4; i++) {
    const phi = (ay + t * dy) * DEG;
    const lam = (dxa + t * dx) * DEG;
    const sinPhi = Math.sin(phi);
    const cosPhi = Math.cos(phi);
    const sinLam = Math.sin(lam);
    const cosLam = Math.cos(lam);
    const g1 = sp * cosPhi * phiD + cp * (-sinPhi * phiD * cosLam - cosPhi * sinLam * lamD);
    const g2 =
      -sp * sinPhi * phiD * phiD + cp * (-cosPhi * cosLam * (phiD * phiD + lamD * lamD) + 2 * sinPhi * sinLam * phiD * lamD);
    if (!(g2 < 0)) break;
    let next = t - g1 / g2;
    next = next < 0 ? 0 : Math.min(next, 1);
    if (Math.abs(next - t) < 1e-12) {
      t = next;
      break;
    }
    t = next;
  }
  return t;
}

/** Lower bound (metres) of the distance to a chunk's edges; 1 mm below the computed bound covers its rounding. */
function chunkLowerBoundM(lat: number, lng: number, c: EdgeChunk): number {
  return boxLowerBoundM(lat, lng, c.minX, c.maxX, c.minY, c.maxY) - 0.001;
}

function chunkDistanceM(
  lat: number,
  lng: number,
  cosLat: number,
  r: PreparedRing,
  c: EdgeChunk,
  best: number,
  stopAt: number,
): number {
  const { xs, ys } = r;
  for (let i = c.from; i < c.to; i++) {
    const d = edgeDistanceM(lat, lng, cosLat, xs[i], ys[i], xs[i + 1], ys[i + 1], stopAt >= 0 ? Math.min(best, stopAt) : best);
    if (d < best) {
      best = d;
      if (best <= stopAt) return best;
    }
  }
  return best;
}

/** Smallest distance from the point to any polygon edge. Chunks are visited nearest-bound first and skipped once they cannot beat the best. */
function polygonsBoundaryDistanceM(polygons: PreparedPolygon[], lat: number, lng: number): number {
  const cosLat = Math.cos(lat * DEG);
  const candidates: { lb: number; r: PreparedRing; c: EdgeChunk }[] = [];
  for (const p of polygons) {
    for (const r of p.rings) {
      for (const c of r.chunks) candidates.push({ lb: chunkLowerBoundM(lat, lng, c), r, c });
    }
  }
  candidates.sort((a, b) => a.lb - b.lb);
  let best = Infinity;
  for (const { lb, r, c } of candidates) {
    if (lb >= best) break;
    best = chunkDistanceM(lat, lng, cosLat, r, c, best, -1);
  }
  return best;
}

/** Whether some polygon edge is within `thresholdM` of the point (no sorting: stops at the first one found). */
function polygonsBoundaryWithinM(polygons: PreparedPolygon[], lat: number, lng: number, thresholdM: number): boolean {
  const cosLat = Math.cos(lat * DEG);
  for (const p of polygons) {
    for (const r of p.rings) {
      for (const c of r.chunks) {
        if (chunkLowerBoundM(lat, lng, c) > thresholdM) continue;
        if (chunkDistanceM(lat, lng, cosLat, r, c, Infinity, thresholdM) <= thresholdM) return true;
      }
    }
  }
  return false;
}

/** Exact containment test. Holes are respected, antimeridian-crossing rings handled, the boundary is inside. */
export function containsPoint(g: FenceGeometry, lat: number, lng: number): boolean {
  if (!validPoint(lat, lng)) return false;
  return preparedContains(prepare(g), lat, lng);
}

/** Distance in metres from the point to the fence: 0 inside, else to the nearest boundary point. NaN for an invalid point. */
export function distanceToFenceM(g: FenceGeometry, lat: number, lng: number): number {
  if (!validPoint(lat, lng)) return Number.NaN;
  const f = prepare(g);
  if (f.kind === 'circle') return Math.max(0, haversineM(f.lat, f.lng, lat, lng) - f.radiusM);
  if (preparedContains(f, lat, lng)) return 0;
  return polygonsBoundaryDistanceM(f.polygons, lat, lng);
}

/**
 * Distance in metres from the point to the fence's boundary, inside or out
 * (for a point inside: how far the fence extends around it in the worst
 * direction). NaN for an invalid point.
 */
export function boundaryDistanceM(g: FenceGeometry, lat: number, lng: number): number {
  if (!validPoint(lat, lng)) return Number.NaN;
  const f = prepare(g);
  if (f.kind === 'circle') return Math.abs(haversineM(f.lat, f.lng, lat, lng) - f.radiusM);
  return polygonsBoundaryDistanceM(f.polygons, lat, lng);
}

/**
 * Whether the point is within `thresholdM` metres of the fence (inside
 * counts as 0). Faster than comparing distanceToFenceM: it stops at the
 * first edge close enough.
 */
export function isWithinM(g: FenceGeometry, lat: number, lng: number, thresholdM: number): boolean {
  if (!validPoint(lat, lng)) return false;
  return preparedWithinM(prepare(g), lat, lng, thresholdM);
}

export function preparedWithinM(f: PreparedFence, lat: number, lng: number, thresholdM: number): boolean {
  if (f.kind === 'circle') return haversineM(f.lat, f.lng, lat, lng) - f.radiusM <= thresholdM;
  if (preparedContains(f, lat, lng)) return true;
  return polygonsBoundaryWithinM(f.polygons, lat, lng, thresholdM);
}

/**
 * Confidence of a match for a shopper at (lat, lng) located to within
 * `accuracyM` metres (default 0):
 * - 'high': the whole accuracy circle lies inside the fence;
 * - 'medium': the point is inside, but the circle pokes out;
 * - 'low': the point is outside, but the circle touches the fence;
 * - null: no contact, or accuracyM over 1,000 m (or not a finite, non-negative number).
 */
export function matchConfidence(g: FenceGeometry, lat: number, lng: number, accuracyM = 0): MatchConfidence | null {
  if (!Number.isFinite(accuracyM) || accuracyM < 0 || accuracyM > GEO_LIMITS.maxAccuracyM) return null;
  if (!validPoint(lat, lng)) return null;
  const f = prepare(g);
  if (preparedContains(f, lat, lng)) {
    if (f.kind === 'circle') return f.radiusM - haversineM(f.lat, f.lng, lat, lng) >= accuracyM ? 'high' : 'medium';
    // 'high' unless a wall is closer than the accuracy radius; a wall at exactly that distance still counts as inside.
    if (!polygonsBoundaryWithinM(f.polygons, lat, lng, accuracyM)) return 'high';
    return polygonsBoundaryDistanceM(f.polygons, lat, lng) >= accuracyM ? 'high' : 'medium';
  }
  return preparedWithinM(f, lat, lng, accuracyM) ? 'low' : null;
}

const anchors = new WeakMap<object, { lat: number; lng: number }>();

/**
 * The fence's anchor: a circle's centre; for polygons a representative point
 * that is always inside the fence — the shell centroid of the largest part
 * when that lies inside it (not in a hole), else the middle of the widest
 * inside stretch of the horizontal line through that centroid.
 */
export function fenceAnchor(g: FenceGeometry): { lat: number; lng: number } {
  const f = prepare(g);
  if (f.kind === 'circle') return { lat: f.lat, lng: normalizeLng(f.lng) };
  const hit = anchors.get(g);
  if (hit) return hit;
  let best = f.polygons[0];
  let bestArea = -1;
  for (const p of f.polygons) {
    const a = Math.abs(ringCentroid(p.rings[0].xs, p.rings[0].ys).area) * Math.cos(((p.minY + p.maxY) / 2) * DEG);
    if (a > bestArea) {
      bestArea = a;
      best = p;
    }
  }
  const anchor = polygonAnchor(best);
  const out = { lat: anchor.lat, lng: normalizeLng(anchor.lng) };
  anchors.set(g, out);
  return out;
}

/** Metres from the point to the fence's anchor (fenceAnchor), rounded to an integer, for offer texts ({{distanceM}}). */
export function distanceToAnchorM(g: FenceGeometry, lat: number, lng: number): number {
  if (!validPoint(lat, lng)) return Number.NaN;
  const a = fenceAnchor(g);
  return Math.round(haversineM(a.lat, a.lng, lat, lng));
}

function ringCentroid(xs: Float64Array, ys: Float64Array): { x: number; y: number; area: number } {
  // Relative to the first vertex, for precision.
  const x0 = xs[0];
  const y0 = ys[0];
  let a2 = 0;
  let cx = 0;
  let cy = 0;
  for (let i = 0; i < xs.length - 1; i++) {
    const xi = xs[i] - x0;
    const yi = ys[i] - y0;
    const xj = xs[i + 1] - x0;
    const yj = ys[i + 1] - y0;
    const cross = xi * yj - xj * yi;
    a2 += cross;
    cx += (xi + xj) * cross;
    cy += (yi + yj) * cross;
  }
  if (a2 === 0) return { x: x0, y: y0, area: 0 };
  return { x: x0 + cx / (3 * a2), y: y0 + cy / (3 * a2), area: a2 / 2 };
}

function polygonAnchor(p: PreparedPolygon): { lat: number; lng: number } {
  const c = ringCentroid(p.rings[0].xs, p.rings[0].ys);
  if (booleanPointInPolygon([c.x, c.y], p.geojson, { ignoreBoundary: true })) return { lat: c.y, lng: c.x };
  // Scanline through the centroid: the widest stretch inside the polygon.
  const y = c.y;
  const hits: number[] = [];
  for (const r of p.rings) {
    for (let i = 0; i < r.xs.length - 1; i++) {
      const ay = r.ys[i];
      const by = r.ys[i + 1];
      if ((ay <= y && y < by) || (by <= y && y < ay)) {
        hits.push(r.xs[i] + ((y - ay) * (r.xs[i + 1] - r.xs[i])) / (by - ay));
      }
    }
  }
  hits.sort((a, b) => a - b);
  let bestWidth = -1;
  let bestX = p.rings[0].xs[0];
  let bestY = p.rings[0].ys[0];
  for (let i = 0; i + 1 < hits.length; i += 2) {
    const w = hits[i + 1] - hits[i];
    if (w > bestWidth) {
      bestWidth = w;
      bestX = (hits[i] + hits[i + 1]) / 2;
      bestY = y;
    }
  }
  return { lat: bestY, lng: bestX };
}
