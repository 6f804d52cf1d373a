import fc from 'fast-check';
import { cellArea, cellToBoundary, cellToLatLng, getResolution, isValidCell, latLngToCell } from 'h3-js';
import { describe, expect, it } from 'vitest';
import { COARSE_RESOLUTION, coarseCell } from '../../../../shared/domain/geo/coarse.js';
import { destination, haversineM } from '../../../../shared/domain/geo/sphere.js';

const lat = fc.double({ min: -89.9, max: 89.9, noNaN: true });
const lng = fc.double({ min: -180, max: 180, noNaN: true });

/** Largest distance from a cell's centre to its corners: every point of the cell is within it. */
function circumradiusM(cell: string): number {
  const [cLat, cLng] = cellToLatLng(cell);
  return Math.max(...cellToBoundary(cell).map(([bLat, bLng]) => haversineM(cLat, cLng, bLat, bLng)));
}

describe('coarse shopper location', () => {
  it('is an H3 cell at resolution 8, the finest the privacy rule allows', () => {
    expect(COARSE_RESOLUTION).toBe(8);
    const cell = coarseCell(41.38, 2.17);
    expect(isValidCell(cell)).toBe(true);
    expect(getResolution(cell)).toBe(8);
    expect(cell).toBe(latLngToCell(41.38, 2.17, 8));
  });

  it('keeps a cell of about 0.7 km², not a point', () => {
    const km2 = cellArea(coarseCell(41.38, 2.17), 'km2');
    expect(km2).toBeGreaterThan(0.4);
    expect(km2).toBeLessThan(1.2);
  });

  it('is an opaque cell id that carries none of the coordinates it came from', () => {
    const cell = coarseCell(41.387_654, 2.170_123);
    expect(cell).toMatch(/^8[0-9a-f]{14}$/);
    expect(cell).not.toContain('41387');
    expect(cell).not.toContain('170123');
  });

  it('always returns a resolution 8 cell that holds the point', () => {
    fc.assert(
      fc.property(lat, lng, (a, b) => {
        const cell = coarseCell(a, b);
        expect(getResolution(cell)).toBe(COARSE_RESOLUTION);
        const [cLat, cLng] = cellToLatLng(cell);
        expect(haversineM(a, b, cLat, cLng)).toBeLessThanOrEqual(circumradiusM(cell) + 1e-3);
      }),
      { numRuns: 500 },
    );
  });

  it('gives the same value for every position near the cell centre, so the position cannot be told apart', () => {
    fc.assert(
      fc.property(
        lat,
        lng,
        fc.double({ min: 0, max: 100, noNaN: true }),
        fc.double({ min: 0, max: 360, noNaN: true }),
        (a, b, metres, bearing) => {
          const cell = coarseCell(a, b);
          const [cLat, cLng] = cellToLatLng(cell);
          // Res 8 cells are at least ~300 m from centre to edge: 100 m from the centre is always the same cell.
          const p = destination(cLat, cLng, metres, bearing);
          expect(coarseCell(p.lat, p.lng)).toBe(cell);
          expect(coarseCell(cLat, cLng)).toBe(cell);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('tells apart shoppers a few kilometres apart', () => {
    const here = coarseCell(41.38, 2.17);
    const there = destination(41.38, 2.17, 3000, 45);
    expect(coarseCell(there.lat, there.lng)).not.toBe(here);
  });
});
