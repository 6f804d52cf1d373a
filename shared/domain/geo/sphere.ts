/**
 * Spherical helpers. Every distance in this module is a great-circle distance
 * on a sphere of the mean Earth radius (the radius Turf uses), in metres.
 */

export const EARTH_RADIUS_M = 6_371_008.8;
export const DEG = Math.PI / 180;
/** Metres in one degree of latitude (and of longitude at the equator). */
export const METRES_PER_DEGREE = EARTH_RADIUS_M * DEG;

/** Great-circle (haversine) distance in metres. Longitudes may be unwrapped (any multiple of 360 apart). */
export function haversineM(lat1: number, lng1: number, lat2: number, lng2: number): number {
  const sinDLat = Math.sin(((lat2 - lat1) * DEG) / 2);
  const sinDLng = Math.sin(((lng2 - lng1) * DEG) / 2);
  const h = sinDLat * sinDLat + Math.cos(lat1 * DEG) * Math.cos(lat2 * DEG) * sinDLng * sinDLng;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.sqrt(Math.min(1, Math.max(0, h))));
}

/** Longitude folded into [-180, 180). */
export function normalizeLng(lng: number): number {
  if (lng >= -180 && lng < 180) return lng; // already folded: returned exactly, not rounded by the arithmetic below
  const x = ((((lng + 180) % 360) + 360) % 360) - 180;
  return x === 180 ? -180 : x;
}

/** A longitude difference folded into (-180, 180]: the short way round. */
export function wrapDelta(d: number): number {
  let x = d % 360;
  if (x > 180) x -= 360;
  else if (x <= -180) x += 360;
  return x;
}

/** The point `distanceM` from (lat, lng) along the initial bearing `bearingDeg` (clockwise from north). */
export function destination(lat: number, lng: number, distanceM: number, bearingDeg: number): { lat: number; lng: number } {
  const d = distanceM / EARTH_RADIUS_M;
  const b = bearingDeg * DEG;
  const p1 = lat * DEG;
  const l1 = lng * DEG;
  const p2 = Math.asin(Math.sin(p1) * Math.cos(d) + Math.cos(p1) * Math.sin(d) * Math.cos(b));
  const l2 = l1 + Math.atan2(Math.sin(b) * Math.sin(d) * Math.cos(p1), Math.cos(d) - Math.sin(p1) * Math.sin(p2));
  return { lat: p2 / DEG, lng: normalizeLng(l2 / DEG) };
}

/**
 * A lower bound, in metres, of the distance from (lat, lng) to any point of the
 * box [minX, maxX] x [minY, maxY] (longitudes may be unwrapped; the box is at
 * most 360 degrees wide). Uses hav(d) >= hav(dLat) + cos^2(maxAbsLat) hav(dLng).
 */
export function boxLowerBoundM(lat: number, lng: number, minX: number, maxX: number, minY: number, maxY: number): number {
  const dLat = lat < minY ? minY - lat : lat > maxY ? lat - maxY : 0;
  const half = (maxX - minX) / 2;
  const off = Math.abs(wrapDelta(lng - (minX + half)));
  const dLng = Math.max(0, off - half);
  const maxAbsLat = Math.max(Math.abs(lat), Math.abs(minY), Math.abs(maxY));
  const c = Math.cos(Math.min(90, maxAbsLat) * DEG);
  const s1 = Math.sin((dLat * DEG) / 2);
  const s2 = Math.sin((Math.min(180, dLng) * DEG) / 2);
  const h = s1 * s1 + c * c * s2 * s2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.sqrt(Math.min(1, h)));
}
