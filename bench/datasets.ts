/**
 * Benchmark datasets, reproducible from a seed: fences (circles of 20–500 m
 * and star-shaped polygons of 6–40 vertices), the squares they are spread
 * over, and the points of the offer requests.
 */

export type Position = [number, number];
export type Geometry =
  | { type: 'Circle'; coordinates: Position; radiusM: number }
  | { type: 'Polygon'; coordinates: Position[][] };

/** A square on the map, centred on `centre`, `sideKm` wide. */
export interface Square {
  centre: { lat: number; lng: number };
  sideKm: number;
}

/** mulberry32: a small, fast, seeded PRNG (uniform in [0, 1)). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const KM_PER_DEG_LAT = 111.32;
const kmPerDegLng = (lat: number) => KM_PER_DEG_LAT * Math.cos((lat * Math.PI) / 180);

/** Metres to degrees of latitude / longitude at a latitude. */
export const mToDeg = (m: number, lat: number) => ({
  dLat: m / 1000 / KM_PER_DEG_LAT,
  dLng: m / 1000 / kmPerDegLng(lat),
});

/** A point uniform in the square (and, with `outside`, not in that inner square). */
export function pointIn(sq: Square, rand: () => number, outside?: Square): { lat: number; lng: number } {
  for (;;) {
    const x = (rand() - 0.5) * sq.sideKm;
    const y = (rand() - 0.5) * sq.sideKm;
    if (outside && Math.abs(x) < outside.sideKm / 2 && Math.abs(y) < outside.sideKm / 2) continue;
    return { lat: sq.centre.lat + y / KM_PER_DEG_LAT, lng: sq.centre.lng + x / kmPerDegLng(sq.centre.lat) };
  }
}

/**
 * A star-shaped polygon (simple by construction, counter-clockwise) of `n`
 * vertices around a centre, each vertex at `minShare`–100 % of the radius.
 */
export function starPolygon(
  c: { lat: number; lng: number },
  radiusM: number,
  n: number,
  rand: () => number,
  minShare = 0.6,
): Geometry {
  const angles = Array.from({ length: n }, (_, i) => ((i + 0.15 + rand() * 0.7) / n) * 2 * Math.PI);
  const { dLat, dLng } = mToDeg(radiusM, c.lat);
  const ring: Position[] = angles.map((a) => {
    const r = minShare + rand() * (1 - minShare);
    return [round(c.lng + Math.cos(a) * r * dLng), round(c.lat + Math.sin(a) * r * dLat)];
  });
  ring.push([...ring[0]] as Position);
  return { type: 'Polygon', coordinates: [ring] };
}

/** A regular polygon of `n` vertices (a circle drawn as a polygon), counter-clockwise. */
export function regularPolygon(c: { lat: number; lng: number }, radiusM: number, n: number): Geometry {
  const { dLat, dLng } = mToDeg(radiusM, c.lat);
  const ring: Position[] = Array.from({ length: n }, (_, i) => {
    const a = (i / n) * 2 * Math.PI;
    return [round(c.lng + Math.cos(a) * dLng), round(c.lat + Math.sin(a) * dLat)] as Position;
  });
  ring.push([...ring[0]] as Position);
  return { type: 'Polygon', coordinates: [ring] };
}

const round = (x: number) => Math.round(x * 1e7) / 1e7;

/** A generated fence: its geometry and a point inside it (for the 20 % of requests aimed at a fence). */
export interface GeneratedFence {
  geometry: Geometry;
  inside: { lat: number; lng: number };
}

/** Share of polygons among the fences. */
export const POLYGON_SHARE = 0.3;

/** One fence: a circle of 20–500 m, or (30 %) a polygon of 6–40 vertices within 20–500 m of its centre. */
export function fence(sq: Square, rand: () => number, outside?: Square): GeneratedFence {
  const c = pointIn(sq, rand, outside);
  const radiusM = 20 + rand() * 480;
  if (rand() < POLYGON_SHARE) {
    const n = 6 + Math.floor(rand() * 35);
    return { geometry: starPolygon(c, radiusM, n, rand), inside: c };
  }
  // A point well inside the circle: uniform over the inner 80 % of its radius.
  const a = rand() * 2 * Math.PI;
  const r = Math.sqrt(rand()) * 0.8 * radiusM;
  const { dLat, dLng } = mToDeg(r, c.lat);
  return {
    geometry: { type: 'Circle', coordinates: [round(c.lng), round(c.lat)], radiusM: Math.round(radiusM) },
    inside: { lat: c.lat + Math.sin(a) * dLat, lng: c.lng + Math.cos(a) * dLng },
  };
}

/** Squares: constant density (the side grows with N) and one metro area of 50 × 50 km. */
export const DENSITY_PER_KM2 = 4;
export const METRO_SIDE_KM = 50;
export const CENTRE = { lat: 40.4168, lng: -3.7038 };
export const constantSquare = (n: number): Square => ({ centre: CENTRE, sideKm: Math.sqrt(n / DENSITY_PER_KM2) });
export const metroSquare = (): Square => ({ centre: CENTRE, sideKm: METRO_SIDE_KM });

/** Request points: 80 % uniform in the square, 20 % inside a fence picked at random. */
export function requestPoints(
  count: number,
  sq: Square,
  fences: readonly { inside: { lat: number; lng: number } }[],
  rand: () => number,
): { lat: number; lng: number; aimed: boolean }[] {
  return Array.from({ length: count }, () => {
    if (rand() < 0.2) return { ...fences[Math.floor(rand() * fences.length)].inside, aimed: true };
    return { ...pointIn(sq, rand), aimed: false };
  });
}
