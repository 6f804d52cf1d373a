import { boxLowerBoundM } from './sphere.js';
import type { FenceGeometry, Position } from './types.js';

/**
 * Bounding boxes for candidate filtering on the lookup path. Longitudes are
 * unwrapped (a box crossing the antimeridian has maxX > 180), so a box is
 * always minX <= maxX.
 */
export type BBox = [minX: number, minY: number, maxX: number, maxY: number];

const M_PER_DEG = 111_195; // metres per degree of latitude (mean Earth radius)

function ringBox(ring: readonly Position[], box: BBox): void {
  let prev: number | undefined;
  for (const [lng, lat] of ring) {
    let x = lng;
    if (prev !== undefined) {
      while (x - prev > 180) x -= 360;
      while (prev - x > 180) x += 360;
    }
    prev = x;
    box[0] = Math.min(box[0], x);
    box[2] = Math.max(box[2], x);
    box[1] = Math.min(box[1], lat);
    box[3] = Math.max(box[3], lat);
  }
}

/** The box of a fence. */
export function fenceBBox(g: FenceGeometry): BBox {
  if (g.type === 'Circle') {
    const [lng, lat] = g.coordinates;
    const dLat = g.radiusM / M_PER_DEG;
    const cos = Math.cos((Math.min(89.9, Math.abs(lat) + dLat) * Math.PI) / 180);
    const dLng = Math.min(180, g.radiusM / (M_PER_DEG * Math.max(cos, 1e-6)));
    return [lng - dLng, Math.max(-90, lat - dLat), lng + dLng, Math.min(90, lat + dLat)];
  }
  const box: BBox = [Infinity, Infinity, -Infinity, -Infinity];
  const polys = g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
  for (const poly of polys) if (poly[0]) ringBox(poly[0] as Position[], box);
  // Keep boxes anchored in [-180, 180) on their west edge.
  if (box[0] >= 180) {
    box[0] -= 360;
    box[2] -= 360;
  } else if (box[0] < -180) {
    box[0] += 360;
    box[2] += 360;
  }
  return box;
}

/**
 * A lower bound of the distance in metres from a point to a box (0 inside):
 * never more than the true great-circle distance, so filtering with it never
 * drops a fence that is within reach.
 */
export function bboxLowerBoundM(box: BBox, lat: number, lng: number): number {
  const [minX, minY, maxX, maxY] = box;
  return boxLowerBoundM(lat, lng, minX, maxX, minY, maxY);
}
