/**
 * A fence in the shape the measuring functions want: polygons unwrapped
 * across the antimeridian (see antimeridian.ts), holes moved onto their shell,
 * edges grouped in chunks with bounding boxes so distance queries can skip
 * far-away edges. Built once per geometry object and cached (geometries are
 * treated as immutable).
 */

import type { Polygon } from 'geojson';
import { unwrapRing } from './antimeridian.js';
import { InvalidGeometryError, type FenceGeometry } from './types.js';

/** Edges per chunk: small enough to prune well, large enough to keep the chunk list short. */
const CHUNK_EDGES = 16;

export interface EdgeChunk {
  /** First edge (edge i joins vertex i and i + 1). */
  from: number;
  /** One past the last edge. */
  to: number;
  minX: number;
  maxX: number;
  minY: number;
  maxY: number;
}

export interface PreparedRing {
  /** Unwrapped longitudes, closed (last = first). */
  xs: Float64Array;
  ys: Float64Array;
  chunks: EdgeChunk[];
}

export interface PreparedPolygon {
  rings: PreparedRing[];
  minX: number;
  maxX: number;
  minY: number;
  maxY: number;
  /** The unwrapped polygon, for point-in-polygon tests. */
  geojson: Polygon;
}

export type PreparedFence =
  | { kind: 'circle'; lat: number; lng: number; radiusM: number }
  | { kind: 'polygons'; polygons: PreparedPolygon[]; minY: number; maxY: number };

const cache = new WeakMap<object, PreparedFence>();

function invalid(message: string): never {
  throw new InvalidGeometryError([{ path: 'geometry', message }]);
}

export function prepare(g: FenceGeometry): PreparedFence {
  if (typeof g !== 'object' || g === null) invalid('must be a geometry object');
  const hit = cache.get(g);
  if (hit) return hit;
  let prepared: PreparedFence;
  if (g.type === 'Circle') {
    const c = g.coordinates;
    if (!Array.isArray(c) || !Number.isFinite(c[0]) || !Number.isFinite(c[1]) || !Number.isFinite(g.radiusM)) {
      invalid('circle needs finite coordinates and radiusM');
    }
    prepared = { kind: 'circle', lng: c[0], lat: c[1], radiusM: g.radiusM };
  } else if (g.type === 'Polygon' || g.type === 'MultiPolygon') {
    const parts = g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
    if (!Array.isArray(parts) || parts.length === 0) invalid('polygon has no rings');
    const polygons = parts.map(preparePolygon);
    prepared = {
      kind: 'polygons',
      polygons,
      minY: Math.min(...polygons.map((p) => p.minY)),
      maxY: Math.max(...polygons.map((p) => p.maxY)),
    };
  } else {
    invalid('type must be "Circle", "Polygon" or "MultiPolygon"');
  }
  cache.set(g, prepared);
  return prepared;
}

function preparePolygon(rings: readonly (readonly number[])[][]): PreparedPolygon {
  if (!Array.isArray(rings) || rings.length === 0) invalid('polygon has no rings');
  const out: PreparedRing[] = [];
  let shellCentre = 0;
  let minX = Infinity;
  let maxX = -Infinity;
  let minY = Infinity;
  let maxY = -Infinity;
  rings.forEach((ring, j) => {
    if (!Array.isArray(ring) || ring.length < 4) invalid('ring needs at least 4 positions');
    for (const p of ring) {
      if (!Array.isArray(p) || !Number.isFinite(p[0]) || !Number.isFinite(p[1])) invalid('positions must be finite [lng, lat]');
    }
    // Holes are unwrapped onto their shell.
    const u = unwrapRing(ring, j === 0 ? undefined : shellCentre);
    const xs = u.xs;
    if (j === 0) shellCentre = (Math.min(...xs) + Math.max(...xs)) / 2;
    // Close exactly on the unwrapped start, whatever the input's last position.
    xs[xs.length - 1] = xs[0];
    const ys = u.ys.slice();
    ys[ys.length - 1] = ys[0];
    const pr: PreparedRing = { xs: Float64Array.from(xs), ys: Float64Array.from(ys), chunks: [] };
    const edges = xs.length - 1;
    for (let from = 0; from < edges; from += CHUNK_EDGES) {
      const to = Math.min(edges, from + CHUNK_EDGES);
      let cx0 = Infinity;
      let cx1 = -Infinity;
      let cy0 = Infinity;
      let cy1 = -Infinity;
      for (let i = from; i <= to; i++) {
        cx0 = Math.min(cx0, xs[i]);
        cx1 = Math.max(cx1, xs[i]);
        cy0 = Math.min(cy0, ys[i]);
        cy1 = Math.max(cy1, ys[i]);
      }
      pr.chunks.push({ from, to, minX: cx0, maxX: cx1, minY: cy0, maxY: cy1 });
    }
    if (j === 0) {
      for (const c of pr.chunks) {
        minX = Math.min(minX, c.minX);
        maxX = Math.max(maxX, c.maxX);
        minY = Math.min(minY, c.minY);
        maxY = Math.max(maxY, c.maxY);
      }
    }
    out.push(pr);
  });
  const geojson: Polygon = {
    type: 'Polygon',
    coordinates: out.map((r) => Array.from(r.xs, (x, i) => [x, r.ys[i]])),
  };
  return { rings: out, minX, maxX, minY, maxY, geojson };
}
