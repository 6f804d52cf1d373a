import type { Position } from '../../shared/domain/geo/index.js';

/** A closed axis-aligned rectangle ring, counter-clockwise. */
export function rect(lng0: number, lat0: number, lng1: number, lat1: number): Position[] {
  return [
    [lng0, lat0],
    [lng1, lat0],
    [lng1, lat1],
    [lng0, lat1],
    [lng0, lat0],
  ];
}
