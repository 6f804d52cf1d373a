/**
 * # The H3 cell index of geofences
 *
 * A lookup reads exactly one DynamoDB partition per ladder resolution — the
 * partition of the shopper's cell at that resolution — and must find every
 * fence the shopper could match, including fences merely touched by an
 * accuracy circle of up to 1,000 m (confidence 'low'). So a fence is written
 * under every cell, at its one chosen resolution, that contains any point
 * within 1,000 m of the fence.
 *
 * ## The ladder: INDEX_RESOLUTIONS = [8, 6, 4], at most 128 cells per fence
 *
 * Average H3 cells (edge / area): res 8 531 m / 0.74 km², res 6 3.7 km /
 * 36 km², res 4 26 km / 1,770 km². Each step is 7² = 49x in area. Because
 * every fence is dilated by the 1,000 m maximum accuracy, resolutions finer
 * than 8 buy nothing: a 10 m circle needs 47 res-9 cells against 11–14 at
 * res 8. The coarse end is set by the largest circle (50 km radius): it
 * needs 280–349 res-6 cells but only 11–14 at res 4. Measured with this
 * planner (cells for a circle, over latitudes 0°, 45° and 70°):
 *
 * | fence          | res 8         | res 6   | res 4 |
 * |----------------|---------------|---------|-------|
 * | 10 m circle    | 11–14         | 1–3     | 1–2   |
 * | 1 km circle    | 30–35         | 2–4     | 1–2   |
 * | 2.5 km circle  | 76–94         | 5–6     | 2–3   |
 * | 5 km circle    | 195–247       | 8–12    | 2–3   |
 * | 20 km circle   | 2,124–2,679   | 58–71   | 4     |
 * | 50 km circle   | 12,166–15,338 | 280–349 | 11–14 |
 *
 * With GEO_LIMITS.maxIndexCells = 128, circles up to 3.2–3.7 km radius
 * (depending on latitude) are indexed at res 8, up to 29–32 km at res 6, and
 * the rest at res 4; polygons go the same way by their dilated area and
 * perimeter. At res 4, 128 cells hold a square of up to about 365 km a side
 * (410 km at 45°); larger fences are refused (GeometryTooLargeError).
 *
 * Why these numbers: 128 cells keep a fence's index write small (128 small
 * items) while keeping typical store catchments (up to ~3 km) at res 8,
 * where a partition is 0.74 km² and holds only fences near the shopper. The
 * step of 49x between levels means a fence that just misses a level needs
 * only a handful of cells at the next. Three levels cover 10 m to 50 km
 * circles and city-region polygons; a lookup always costs exactly 3 queries,
 * whatever the number of fences. A 4-level ladder (e.g. [8, 7, 6, 5]) would
 * index mid-size fences a little tighter but costs a 4th query per lookup
 * and cannot hold a fence larger than ~140 km across.
 *
 * ## Why the cover never misses a point
 *
 * The cover is built cell by cell, by a breadth-first walk over H3
 * neighbours, starting from the cell of one vertex of every polygon (the
 * centre of a circle). A cell is kept when its centre c satisfies
 *
 *     distance(c, fence) <= (1000 m + r) * 1.005 + 5 m
 *
 * where r is the cell's circumradius: the largest great-circle distance from
 * c to one of its vertices (cellToBoundary), computed for that very cell —
 * no global minimum edge length or distortion table is involved.
 *
 * - Every H3 cell is bounded by great-circle arcs between the vertices that
 *   cellToBoundary returns (gnomonic projection per icosahedron face), so
 *   the whole cell lies in the spherical cap of radius r around its centre.
 * - Take a shopper p with distance(p, fence) <= 1000 m, and C the cell of p.
 *   Then distance(c, p) <= r, and by the triangle inequality
 *   distance(c, fence) <= 1000 + r. The distance function never returns less
 *   than the true distance and overshoots it by well under a millimetre
 *   (measure.ts); the 0.5 % + 5 m margin absorbs that and floating-point
 *   rounding many times over. So C passes the test.
 * - Every cell meeting the fence dilated by 1 km passes the test, and those
 *   cells form one edge-connected group per polygon (three hexagons meet at
 *   every vertex, and they are pairwise neighbours), which contains the seed
 *   cell of that polygon. A walk through passing cells therefore reaches C.
 *
 * Circles use the exact haversine distance, so no polygon approximation of
 * the circle (inscribed or circumscribed) is involved. The walk works on the
 * sphere (H3 neighbours), so the antimeridian and high latitudes need no
 * special case; fences are limited to latitudes within ±85°
 * (GEO_LIMITS.maxAbsLatitude), so a dilated fence never reaches a pole.
 * polygonToCells is not used: its default keeps a cell only when the cell's
 * centre is inside (a 200 m circle at res 7 gets no cell at all), and its
 * overlapping mode tests cells as lng/lat-straight polygons, which differ
 * from the true great-circle cells by up to ~200 m on res-4 cells near 85°.
 *
 * Cost: one neighbour query, one cell boundary and one distance test per
 * visited cell (kept cells and one ring around them), and the walk stops at
 * the first resolution whose cover stays within 128 cells; a level that
 * overflows is abandoned as soon as cell 129 is kept.
 */

import { cellToBoundary, cellToLatLng, getHexagonAreaAvg, gridDisk, latLngToCell } from 'h3-js';
import { preparedWithinM } from './measure.js';
import { prepare, type PreparedFence } from './prepared.js';
import { haversineM, normalizeLng } from './sphere.js';
import { GEO_LIMITS, GeometryError, GeometryTooLargeError, InvalidGeometryError, type FenceGeometry } from './types.js';
import { validateGeometry } from './validate.js';

/** The fixed ladder of index resolutions, finest first. A lookup reads one partition per entry. */
export const INDEX_RESOLUTIONS: readonly number[] = Object.freeze([8, 6, 4]);

/** Relative and absolute slack added to the 1 km dilation (see the module comment). */
const MARGIN_REL = 0.005;
const MARGIN_ABS_M = 5;

export interface FenceIndex {
  /** The one ladder resolution the fence is indexed at. */
  resolution: number;
  /** Every cell at that resolution containing a point within 1,000 m of the fence, sorted. */
  cells: string[];
}

function seedPoints(f: PreparedFence): { lat: number; lng: number }[] {
  if (f.kind === 'circle') return [{ lat: f.lat, lng: normalizeLng(f.lng) }];
  return f.polygons.map((p) => ({ lat: p.rings[0].ys[0], lng: normalizeLng(p.rings[0].xs[0]) }));
}

/** Centre and circumradius (metres) of a cell. */
function cellCap(cell: string): { lat: number; lng: number; radiusM: number } {
  const [lat, lng] = cellToLatLng(cell);
  let radiusM = 0;
  for (const [vlat, vlng] of cellToBoundary(cell)) {
    radiusM = Math.max(radiusM, haversineM(lat, lng, vlat, vlng));
  }
  return { lat, lng, radiusM };
}

/** The cover of the fence at `res`, or null as soon as it exceeds `maxCells`. */
function coverAt(f: PreparedFence, res: number, maxCells: number): string[] | null {
  const kept: string[] = [];
  const seen = new Set<string>();
  const queue: string[] = [];
  for (const s of seedPoints(f)) {
    const c = latLngToCell(s.lat, s.lng, res);
    if (!seen.has(c)) {
      seen.add(c);
      queue.push(c);
    }
  }
  for (let head = 0; head < queue.length; head++) {
    const cell = queue[head];
    const cap = cellCap(cell);
    const threshold = (GEO_LIMITS.maxAccuracyM + cap.radiusM) * (1 + MARGIN_REL) + MARGIN_ABS_M;
    if (!preparedWithinM(f, cap.lat, cap.lng, threshold)) continue;
    kept.push(cell);
    if (kept.length > maxCells) return null;
    for (const n of gridDisk(cell, 1)) {
      if (!seen.has(n)) {
        seen.add(n);
        queue.push(n);
      }
    }
  }
  return kept;
}

function tooLarge(): GeometryTooLargeError {
  const coarsest = INDEX_RESOLUTIONS[INDEX_RESOLUTIONS.length - 1];
  const km2 = Math.round(getHexagonAreaAvg(coarsest, 'km2'));
  return new GeometryTooLargeError([
    {
      path: 'geometry',
      message: `geofence is too large: with its 1 km matching margin it needs more than ${GEO_LIMITS.maxIndexCells} index cells even at H3 resolution ${coarsest} (cells of about ${km2.toLocaleString('en-US')} km²); split it into smaller geofences`,
    },
  ]);
}

/**
 * The cells that index the fence: the finest ladder resolution whose cover
 * (every cell containing a point within 1,000 m of the fence) has at most
 * GEO_LIMITS.maxIndexCells cells. Throws InvalidGeometryError for an invalid
 * geometry and GeometryTooLargeError (issue at path 'geometry') when even
 * the coarsest resolution needs more cells.
 */
export function planIndex(g: FenceGeometry): FenceIndex {
  const issues = validateGeometry(g);
  if (issues.length > 0) throw new InvalidGeometryError(issues);
  let f: PreparedFence;
  try {
    f = prepare(g);
    for (const res of INDEX_RESOLUTIONS) {
      const cells = coverAt(f, res, GEO_LIMITS.maxIndexCells);
      if (cells) return { resolution: res, cells: cells.sort() };
    }
  } catch (err) {
    if (err instanceof GeometryError) throw err;
    // h3-js throws plain Errors with a numeric code; they never leave this module as such.
    throw new GeometryTooLargeError([{ path: 'geometry', message: 'geofence could not be indexed' }]);
  }
  throw tooLarge();
}

/**
 * The cells a lookup reads: the shopper's cell at each ladder resolution,
 * finest first. Longitudes are folded into [-180, 180) first, so lng and
 * lng ± 360 give the same cells. Returns [] for a non-finite point or a
 * latitude outside [-90, 90].
 */
export function lookupCells(lat: number, lng: number): { resolution: number; cell: string }[] {
  if (!Number.isFinite(lat) || !Number.isFinite(lng) || lat < -90 || lat > 90) return [];
  const x = normalizeLng(lng);
  try {
    return INDEX_RESOLUTIONS.map((resolution) => ({ resolution, cell: latLngToCell(lat, x, resolution) }));
  } catch {
    return [];
  }
}

/**
 * The cover of the fence at any resolution (every cell containing a point
 * within 1,000 m of it), or null when it would exceed `maxCells`. planIndex
 * uses the same cover along the ladder; exported for diagnostics and tests.
 */
export function indexCellsAt(g: FenceGeometry, resolution: number, maxCells = 10_000): string[] | null {
  const issues = validateGeometry(g);
  if (issues.length > 0) throw new InvalidGeometryError(issues);
  try {
    const cells = coverAt(prepare(g), resolution, maxCells);
    return cells ? cells.sort() : null;
  } catch (err) {
    if (err instanceof GeometryError) throw err;
    throw new GeometryTooLargeError([{ path: 'geometry', message: `geofence could not be indexed at resolution ${resolution}` }]);
  }
}

/** Whether a lookup at (lat, lng) reads a partition the fence's index writes to. */
export function indexCoversPoint(index: FenceIndex, lat: number, lng: number): boolean {
  const cell = lookupCells(lat, lng).find((c) => c.resolution === index.resolution)?.cell;
  return cell !== undefined && index.cells.includes(cell);
}
