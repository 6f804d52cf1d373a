/**
 * # Antimeridian rule
 *
 * Polygons that cross the antimeridian (longitude ±180°) are accepted as they
 * are, uncut (RFC 7946 §3.1.9 recommends cutting them, but does not require
 * it, and real clients send both forms). Every edge goes the SHORT way round:
 * an edge whose longitude change |Δlng| is over 180° is read as crossing the
 * antimeridian, never as going the long way round the globe. So a ring from
 * lng 179.8 to lng -179.8 is 0.4° wide: it covers lng 179.9 and lng -179.9,
 * and does not cover lng 0.
 *
 * Implementation: each ring is "unwrapped" — walking the ring, each next
 * longitude is the previous one plus the short-way difference, so the ring
 * becomes continuous and may leave [-180, 180] (179.8 → 180.2). Holes are
 * shifted by a multiple of 360° onto their shell. Containment, distances and
 * the H3 index all work on these unwrapped rings; a point is tested at lng,
 * lng + 360 and lng - 360 (whichever falls within the polygon's unwrapped
 * extent), and distances compare longitudes with the short-way difference.
 *
 * Consequences, enforced by validation:
 * - an edge spanning exactly 180° of longitude is ambiguous and is refused;
 * - a ring whose unwrapped walk does not come back to its start (it winds
 *   round a pole) is refused;
 * - a polygon may span at most 180° of longitude.
 * A fence already cut at the antimeridian (a MultiPolygon with one part
 * ending at 180 and one starting at -180) works too: the parts touch along
 * the antimeridian and a point there is inside either of them.
 */

import { normalizeLng } from './sphere.js';

export interface UnwrappedRing {
  /** Unwrapped longitudes, same length as the input ring. */
  xs: number[];
  /** Latitudes. */
  ys: number[];
  /** Index of the first position reached by an edge spanning exactly 180° of longitude, or -1. */
  ambiguousAt: number;
  /** Unwrapped longitude of the last position minus the first's: 0 for a ring that closes, ±360·k if it winds round a pole. */
  closureShift: number;
}

/**
 * Walks a ring of `[lng, lat, …]` positions, reading every edge the short way
 * round. Each unwrapped longitude is the input longitude plus a multiple of
 * 360 (computed as `lng + 360 * k`, exactly as a query point is shifted, so a
 * point equal to a vertex lands exactly on it). `near`, when given, picks the
 * multiple of 360 for the first position (used to put a hole on its shell).
 */
export function unwrapRing(ring: readonly (readonly number[])[], near?: number): UnwrappedRing {
  const n = ring.length;
  const xs = new Array<number>(n);
  const ys = new Array<number>(n);
  let ambiguousAt = -1;
  if (n === 0) return { xs, ys, ambiguousAt, closureShift: 0 };
  const lng0 = ring[0][0];
  xs[0] = near === undefined ? lng0 : lng0 + 360 * Math.round((near - lng0) / 360);
  ys[0] = ring[0][1];
  for (let i = 1; i < n; i++) {
    const lng = ring[i][0];
    if (ambiguousAt < 0 && Math.abs(lng - ring[i - 1][0]) === 180) ambiguousAt = i;
    xs[i] = lng + 360 * Math.round((xs[i - 1] - lng) / 360);
    ys[i] = ring[i][1];
  }
  const closureShift = Math.round((xs[n - 1] - xs[0] - (ring[n - 1][0] - lng0)) / 360) * 360;
  return { xs, ys, ambiguousAt, closureShift };
}

/** A longitude as given when it is within [-180, 180], else folded into [-180, 180). */
export function pointLng(lng: number): number {
  return lng >= -180 && lng <= 180 ? lng : normalizeLng(lng);
}

/**
 * The longitudes among lng, lng + 360 and lng - 360 that fall inside the
 * unwrapped extent [minX, maxX] (at most two, and only at the very edge).
 */
export function lngCandidates(lng: number, minX: number, maxX: number): number[] {
  const out: number[] = [];
  for (const x of [lng, lng + 360, lng - 360]) {
    if (x >= minX && x <= maxX) out.push(x);
  }
  return out;
}
