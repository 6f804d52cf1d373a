/**
 * Validation of an untrusted geofence geometry: structure and semantics, one
 * issue per problem, each naming the bad part. Never throws.
 *
 * Order matters for cost: the vertex budget is checked first, on array
 * lengths only, so a payload with a million positions is refused without
 * looking at them; self-intersection is a sort-and-sweep over edges
 * (O(n log n) for ordinary rings).
 */

import { booleanPointInPolygon } from '@turf/boolean-point-in-polygon';
import type { Polygon } from 'geojson';
import { unwrapRing } from './antimeridian.js';
import { consecutiveEdgesOverlap, contactPoint, findContacts, segmentsTouch, type Seg } from './segments.js';
import { METRES_PER_DEGREE } from './sphere.js';
import { GEO_LIMITS, type GeoIssue } from './types.js';

/** At most this many issues are reported; the last one says so. */
const MAX_ISSUES = 50;
/** A ring needs at least 3 vertices, so no valid geometry has more rings than this. */
const MAX_RINGS = Math.floor(GEO_LIMITS.maxVertices / 3);

class Issues {
  readonly items: GeoIssue[] = [];
  get full(): boolean {
    return this.items.length >= MAX_ISSUES;
  }
  add(path: string, message: string): void {
    if (this.items.length < MAX_ISSUES - 1) this.items.push({ path, message });
    else if (this.items.length === MAX_ISSUES - 1) this.items.push({ path, message: `${message} (further problems not listed)` });
  }
}

function join(base: string, key: string): string {
  return base ? `${base}.${key}` : key;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isFiniteNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

function fmt(n: number): string {
  return String(Math.round(n * 1e6) / 1e6);
}

/** Returns the problem with a position, or undefined when it is a valid [lng, lat(, alt)]. */
function positionProblem(p: unknown): string | undefined {
  if (!Array.isArray(p) || (p.length !== 2 && p.length !== 3)) {
    return 'must be a position [lng, lat] (an optional third number, altitude, is ignored)';
  }
  for (let i = 0; i < p.length; i++) {
    if (!isFiniteNumber(p[i])) return 'must contain only finite numbers';
  }
  const [lng, lat] = p as number[];
  if (lng < -180 || lng > 180) return `longitude ${fmt(lng)} is outside [-180, 180]`;
  if (lat < -90 || lat > 90) return `latitude ${fmt(lat)} is outside [-90, 90]`;
  if (Math.abs(lat) > GEO_LIMITS.maxAbsLatitude) {
    return `latitude ${fmt(lat)} is beyond ±${GEO_LIMITS.maxAbsLatitude}°, outside the area geofences may cover`;
  }
  return undefined;
}

/**
 * Validates an untrusted value as a fence geometry (Circle, Polygon or
 * MultiPolygon). Returns [] when valid. Paths start at `basePath`
 * (default 'geometry'): 'geometry.radiusM', 'geometry.coordinates[0]' (ring 0
 * of a Polygon), 'geometry.coordinates[1][0]' (ring 0 of MultiPolygon part 1),
 * 'geometry.coordinates[0][3]' (position 3 of ring 0 of a Polygon).
 */
export function validateGeometry(value: unknown, basePath = 'geometry'): GeoIssue[] {
  const issues = new Issues();
  try {
    validateInto(value, basePath, issues);
  } catch {
    // Exotic inputs (throwing getters, proxies): report instead of throwing.
    issues.add(basePath, 'could not be read as a geometry');
  }
  return issues.items;
}

function validateInto(value: unknown, base: string, issues: Issues): void {
  if (!isRecord(value)) {
    issues.add(base, 'must be an object with "type" and "coordinates"');
    return;
  }
  const type = value.type;
  if (type !== 'Circle' && type !== 'Polygon' && type !== 'MultiPolygon') {
    issues.add(join(base, 'type'), 'must be "Circle", "Polygon" or "MultiPolygon"');
    return;
  }
  const coordsPath = join(base, 'coordinates');
  const coords = value.coordinates;
  if (type === 'Circle') {
    validateCircle(coords, value.radiusM, base, issues);
    return;
  }
  if (!Array.isArray(coords)) {
    issues.add(coordsPath, type === 'Polygon' ? 'must be an array of linear rings' : 'must be an array of polygons');
    return;
  }
  const polygons: unknown[] = type === 'Polygon' ? [coords] : coords;
  if (type === 'MultiPolygon' && polygons.length === 0) {
    issues.add(coordsPath, 'must contain at least one polygon');
    return;
  }
  if (!withinBudget(polygons, coordsPath, issues)) return;
  for (let i = 0; i < polygons.length && !issues.full; i++) {
    validatePolygon(polygons[i], type === 'Polygon' ? coordsPath : `${coordsPath}[${i}]`, issues);
  }
}

function validateCircle(coords: unknown, radius: unknown, base: string, issues: Issues): void {
  const coordsPath = join(base, 'coordinates');
  const radiusPath = join(base, 'radiusM');
  const problem = positionProblem(coords);
  if (problem) issues.add(coordsPath, problem);
  let radiusOk = false;
  if (!isFiniteNumber(radius)) {
    issues.add(radiusPath, 'must be a finite number of metres');
  } else if (radius < GEO_LIMITS.minRadiusM) {
    issues.add(radiusPath, `must be at least ${GEO_LIMITS.minRadiusM} m`);
  } else if (radius > GEO_LIMITS.maxRadiusM) {
    issues.add(radiusPath, `must be at most ${GEO_LIMITS.maxRadiusM} m (50 km)`);
  } else {
    radiusOk = true;
  }
  if (!problem && radiusOk) {
    const lat = (coords as number[])[1];
    const reach = Math.abs(lat) + (radius as number) / METRES_PER_DEGREE;
    if (reach > GEO_LIMITS.maxAbsLatitude) {
      issues.add(
        coordsPath,
        `the circle reaches latitude ${fmt(reach)}°, beyond ±${GEO_LIMITS.maxAbsLatitude}°, outside the area geofences may cover`,
      );
    }
  }
}

/** Vertex and ring budget, from array lengths only. Returns false (with an issue) when over. */
function withinBudget(polygons: unknown[], coordsPath: string, issues: Issues): boolean {
  let vertices = 0;
  let rings = 0;
  for (const poly of polygons) {
    if (!Array.isArray(poly)) {
      rings++;
    } else {
      rings += poly.length;
      for (const ring of poly) {
        if (Array.isArray(ring)) vertices += Math.max(0, ring.length - 1);
        if (vertices > GEO_LIMITS.maxVertices) break;
      }
    }
    if (vertices > GEO_LIMITS.maxVertices || rings > MAX_RINGS) break;
  }
  if (vertices > GEO_LIMITS.maxVertices) {
    issues.add(
      coordsPath,
      `has more than ${GEO_LIMITS.maxVertices} vertices; at most ${GEO_LIMITS.maxVertices} are allowed in all`,
    );
    return false;
  }
  if (rings > MAX_RINGS) {
    issues.add(
      coordsPath,
      `has more than ${MAX_RINGS} rings; a ring needs at least 3 vertices, so no more fit in ${GEO_LIMITS.maxVertices} vertices`,
    );
    return false;
  }
  return true;
}

interface RingInfo {
  path: string;
  /** Unwrapped distinct vertices (no closing repeat). */
  xs: number[];
  ys: number[];
  /** Input position index where the edge leaving each distinct vertex starts. */
  from: number[];
  /** Signed area is exactly 0 (reported only if no self-intersection explains it, e.g. a symmetric bow-tie). */
  zeroArea: boolean;
}

function validatePolygon(rings: unknown, polyPath: string, issues: Issues): void {
  if (!Array.isArray(rings)) {
    issues.add(polyPath, 'must be an array of linear rings');
    return;
  }
  if (rings.length === 0) {
    issues.add(polyPath, 'must have at least one linear ring (the outer shell)');
    return;
  }
  let structureOk = true;
  for (let j = 0; j < rings.length && !issues.full; j++) {
    const ringPath = `${polyPath}[${j}]`;
    const ring: unknown = rings[j];
    if (!Array.isArray(ring)) {
      issues.add(ringPath, 'must be an array of positions (a linear ring)');
      structureOk = false;
      continue;
    }
    let positionsOk = true;
    for (let k = 0; k < ring.length && !issues.full; k++) {
      const problem = positionProblem(ring[k]);
      if (problem) {
        issues.add(`${ringPath}[${k}]`, problem);
        positionsOk = false;
      }
    }
    if (!positionsOk) {
      structureOk = false;
      continue;
    }
    if (ring.length < 4) {
      issues.add(ringPath, `has ${ring.length} positions; a linear ring needs at least 4 (closed, first = last)`);
      structureOk = false;
      continue;
    }
    const first = ring[0] as number[];
    const last = ring[ring.length - 1] as number[];
    if (first[0] !== last[0] || first[1] !== last[1]) {
      issues.add(ringPath, 'is not closed: the first and last positions must be equal');
      structureOk = false;
    }
  }
  if (!structureOk || issues.full) return;
  validatePolygonSemantics(rings as number[][][], polyPath, issues);
}

function validatePolygonSemantics(rings: number[][][], polyPath: string, issues: Issues): void {
  const infos: RingInfo[] = [];
  let ok = true;
  let shellCentre = 0;
  for (let j = 0; j < rings.length; j++) {
    const path = `${polyPath}[${j}]`;
    // Holes are unwrapped onto their shell (the shell comes first).
    const u = unwrapRing(rings[j], j === 0 ? undefined : shellCentre);
    if (u.ambiguousAt >= 0) {
      issues.add(
        path,
        `the edge ending at position ${u.ambiguousAt} spans exactly 180° of longitude, so its direction is ambiguous; add a vertex`,
      );
      ok = false;
      continue;
    }
    if (u.closureShift !== 0) {
      issues.add(path, 'winds around a pole; geofences may not contain a pole');
      ok = false;
      continue;
    }
    // Distinct vertices: drop the closing repeat and consecutive duplicates.
    // `from[k]` is the input position where the edge leaving distinct vertex k starts.
    const xs: number[] = [];
    const ys: number[] = [];
    const from: number[] = [];
    for (let i = 0; i < u.xs.length - 1; i++) {
      const n = xs.length;
      if (n > 0 && xs[n - 1] === u.xs[i] && ys[n - 1] === u.ys[i]) {
        from[n - 1] = i;
        continue;
      }
      xs.push(u.xs[i]);
      ys.push(u.ys[i]);
      from.push(i);
    }
    while (xs.length > 1 && xs[xs.length - 1] === xs[0] && ys[ys.length - 1] === ys[0]) {
      xs.pop();
      ys.pop();
      from.pop();
    }
    if (xs.length < 3) {
      issues.add(path, 'is degenerate: it has fewer than 3 distinct positions');
      ok = false;
      continue;
    }
    let twiceArea = 0;
    for (let i = 0; i < xs.length; i++) {
      const k = (i + 1) % xs.length;
      twiceArea += xs[i] * ys[k] - xs[k] * ys[i];
    }
    if (j === 0) {
      const minX = Math.min(...xs);
      const maxX = Math.max(...xs);
      if (maxX - minX > 180) {
        issues.add(path, `spans ${fmt(maxX - minX)}° of longitude; a polygon may span at most 180°`);
        ok = false;
        continue;
      }
      shellCentre = (minX + maxX) / 2;
    }
    infos.push({ path, xs, ys, from, zeroArea: twiceArea === 0 });
  }
  if (!ok || issues.full) return;

  const segs: Seg[] = [];
  infos.forEach((r, ringIdx) => {
    const m = r.xs.length;
    for (let i = 0; i < m; i++) {
      const k = (i + 1) % m;
      segs.push({ ring: ringIdx, index: i, ax: r.xs[i], ay: r.ys[i], bx: r.xs[k], by: r.ys[k] });
    }
  });
  const reported = new Set<string>();
  const contacts = findContacts(
    segs,
    (a, b) => {
      if (a.ring === b.ring) {
        const m = infos[a.ring].xs.length;
        const lo = Math.min(a.index, b.index);
        const hi = Math.max(a.index, b.index);
        if (hi === lo + 1) {
          const r = infos[a.ring];
          return consecutiveEdgesOverlap(r.xs[lo], r.ys[lo], r.xs[hi], r.ys[hi], r.xs[(hi + 1) % m], r.ys[(hi + 1) % m]);
        }
        if (lo === 0 && hi === m - 1) {
          const r = infos[a.ring];
          return consecutiveEdgesOverlap(r.xs[hi], r.ys[hi], r.xs[0], r.ys[0], r.xs[1], r.ys[1]);
        }
      }
      return segmentsTouch(a, b);
    },
    10_000,
  );
  const crossedHoles = new Set<number>();
  for (const { a, b } of contacts) {
    if (a.ring === b.ring) {
      const key = `self:${a.ring}`;
      if (reported.has(key)) continue;
      reported.add(key);
      const [x, y] = contactPoint(a, b);
      const r = infos[a.ring];
      const [e1, e2] = [r.from[a.index], r.from[b.index]].sort((p, q) => p - q);
      issues.add(
        r.path,
        `self-intersects: edges ${e1} and ${e2} meet at [${fmt(wrapLng(x))}, ${fmt(y)}]; a ring may touch itself only where consecutive edges share a vertex`,
      );
    } else {
      const lo = Math.min(a.ring, b.ring);
      const hi = Math.max(a.ring, b.ring);
      const key = `pair:${lo}:${hi}`;
      if (reported.has(key)) continue;
      reported.add(key);
      crossedHoles.add(hi);
      issues.add(
        infos[hi].path,
        lo === 0
          ? 'hole touches or crosses its shell; a hole must lie strictly inside the shell'
          : `hole touches or crosses the hole at ${infos[lo].path}`,
      );
    }
  }
  infos.forEach((r, j) => {
    if (r.zeroArea && !reported.has(`self:${j}`)) issues.add(r.path, 'is degenerate: it encloses no area');
  });
  if (issues.full || infos.length < 2) return;
  const shell: Polygon = { type: 'Polygon', coordinates: [closeRing(infos[0])] };
  for (let j = 1; j < infos.length; j++) {
    if (crossedHoles.has(j)) continue;
    const h = infos[j];
    if (!booleanPointInPolygon([h.xs[0], h.ys[0]], shell, { ignoreBoundary: true })) {
      issues.add(h.path, 'hole is not inside its shell');
    }
  }
}

function closeRing(r: RingInfo): number[][] {
  const out = r.xs.map((x, i) => [x, r.ys[i]]);
  out.push([r.xs[0], r.ys[0]]);
  return out;
}

function wrapLng(x: number): number {
  return x > 180 ? x - 360 : x < -180 ? x + 360 : x;
}
