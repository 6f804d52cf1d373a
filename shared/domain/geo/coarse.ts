import { latLngToCell } from 'h3-js';

/** The only location the product keeps about a shopper: an H3 cell at resolution 8 (~0.7 km²), never coordinates. */
export const COARSE_RESOLUTION = 8;

export function coarseCell(lat: number, lng: number): string {
  return latLngToCell(lat, lng, COARSE_RESOLUTION);
}
