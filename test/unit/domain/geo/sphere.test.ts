import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  boxLowerBoundM,
  DEG,
  destination,
  EARTH_RADIUS_M,
  haversineM,
  METRES_PER_DEGREE,
  normalizeLng,
  wrapDelta,
} from '../../../../shared/domain/geo/sphere.js';

const lat = fc.double({ min: -90, max: 90, noNaN: true });
const lng = fc.double({ min: -180, max: 180, noNaN: true });
const anyLng = fc.double({ min: -1080, max: 1080, noNaN: true });
const unit = fc.double({ min: 0, max: 1, noNaN: true });

/** Whether a and b differ by a whole number of turns (360°), within rounding. */
const sameModulo360 = (a: number, b: number) => {
  const turns = (a - b) / 360;
  return Math.abs(turns - Math.round(turns)) < 1e-9;
};

describe('great-circle distance', () => {
  it('is 0 from a point to itself and the same both ways', () => {
    fc.assert(
      fc.property(lat, lng, lat, lng, (a, b, c, d) => {
        expect(haversineM(a, b, a, b)).toBe(0);
        expect(haversineM(a, b, c, d)).toBeCloseTo(haversineM(c, d, a, b), 6);
      }),
    );
  });

  it('measures one degree of latitude, or of longitude on the equator, as METRES_PER_DEGREE', () => {
    expect(METRES_PER_DEGREE).toBeCloseTo((EARTH_RADIUS_M * Math.PI) / 180, 9);
    expect(haversineM(0, 0, 1, 0)).toBeCloseTo(METRES_PER_DEGREE, 6);
    expect(haversineM(0, 0, 0, 1)).toBeCloseTo(METRES_PER_DEGREE, 6);
    expect(haversineM(45, 10, 46, 10)).toBeCloseTo(METRES_PER_DEGREE, 6);
  });

  it('measures half the circumference between antipodes and pole to pole', () => {
    expect(haversineM(0, 0, 0, 180)).toBeCloseTo(Math.PI * EARTH_RADIUS_M, 3);
    expect(haversineM(90, 0, -90, 0)).toBeCloseTo(Math.PI * EARTH_RADIUS_M, 3);
    expect(haversineM(30, 20, -30, -160)).toBeCloseTo(Math.PI * EARTH_RADIUS_M, 3);
  });

  it('shrinks a degree of longitude with the cosine of the latitude', () => {
    expect(haversineM(60, 0, 60, 0.001)).toBeCloseTo(0.001 * METRES_PER_DEGREE * Math.cos(60 * DEG), 6);
  });

  it('reads unwrapped longitudes the same as their wrapped form', () => {
    fc.assert(
      fc.property(lat, lng, lat, lng, fc.integer({ min: -3, max: 3 }), (a, b, c, d, k) => {
        expect(haversineM(a, b, c, d + 360 * k)).toBeCloseTo(haversineM(a, b, c, d), 4);
      }),
    );
    expect(haversineM(-16.8, 179.99, -16.8, -179.99)).toBeCloseTo(haversineM(-16.8, 179.99, -16.8, 180.01), 6);
  });

  it('never exceeds the sum of the two legs through a third point (triangle inequality)', () => {
    fc.assert(
      fc.property(lat, lng, lat, lng, lat, lng, (a, b, c, d, e, f) => {
        const [ac, ab, bc] = [haversineM(a, b, e, f), haversineM(a, b, c, d), haversineM(c, d, e, f)];
        // Haversine is ill-conditioned near antipodes (a few centimetres of rounding there).
        const slack = Math.max(ac, ab, bc) > 19_000_000 ? 1 : 1e-6;
        expect(ac).toBeLessThanOrEqual(ab + bc + slack);
      }),
      { numRuns: 1000 },
    );
  });

  it('never exceeds half the circumference', () => {
    fc.assert(
      fc.property(lat, anyLng, lat, anyLng, (a, b, c, d) => {
        const m = haversineM(a, b, c, d);
        expect(m).toBeGreaterThanOrEqual(0);
        expect(m).toBeLessThanOrEqual(Math.PI * EARTH_RADIUS_M + 1e-6);
      }),
    );
  });
});

describe('longitude folding', () => {
  it('folds any longitude into [-180, 180), keeping it the same meridian', () => {
    fc.assert(
      fc.property(anyLng, (x) => {
        const n = normalizeLng(x);
        expect(n).toBeGreaterThanOrEqual(-180);
        expect(n).toBeLessThan(180);
        expect(sameModulo360(n, x)).toBe(true);
        expect(normalizeLng(n)).toBe(n);
      }),
    );
  });

  it('leaves [-180, 180) alone and sends 180 to -180', () => {
    expect([0, -180, 179.5, -0.25, 42].map(normalizeLng)).toEqual([0, -180, 179.5, -0.25, 42]);
    expect(normalizeLng(180)).toBe(-180);
    expect(normalizeLng(540)).toBe(-180);
    expect(normalizeLng(190)).toBeCloseTo(-170, 9);
    expect(normalizeLng(-190)).toBeCloseTo(170, 9);
    expect(normalizeLng(720.5)).toBeCloseTo(0.5, 9);
    // Exactly, not within rounding: folding an already folded longitude changes no bit.
    expect(normalizeLng(52.058168564542996)).toBe(52.058168564542996);
  });
});

describe('short-way longitude difference', () => {
  it('folds any difference into (-180, 180], keeping it the same modulo 360', () => {
    fc.assert(
      fc.property(anyLng, (d) => {
        const w = wrapDelta(d);
        expect(w).toBeGreaterThan(-180);
        expect(w).toBeLessThanOrEqual(180);
        expect(sameModulo360(w, d)).toBe(true);
      }),
    );
  });

  it('reads a step across the antimeridian as short, and half a turn as +180', () => {
    expect(wrapDelta(-179.8 - 179.8)).toBeCloseTo(0.4, 9);
    expect(wrapDelta(179.8 - -179.8)).toBeCloseTo(-0.4, 9);
    expect(wrapDelta(180)).toBe(180);
    expect(wrapDelta(-180)).toBe(180);
    expect(wrapDelta(540)).toBe(180);
    expect(wrapDelta(10)).toBe(10);
    expect(wrapDelta(-10)).toBe(-10);
  });
});

describe('destination point', () => {
  it('lands at the given great-circle distance from the start', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -85, max: 85, noNaN: true }),
        lng,
        fc.double({ min: 0, max: 1_000_000, noNaN: true }),
        fc.double({ min: 0, max: 360, noNaN: true }),
        (a, b, metres, bearing) => {
          const p = destination(a, b, metres, bearing);
          expect(Math.abs(haversineM(a, b, p.lat, p.lng) - metres)).toBeLessThan(1e-6 * Math.max(1, metres));
          expect(p.lng).toBeGreaterThanOrEqual(-180);
          expect(p.lng).toBeLessThan(180);
        },
      ),
    );
  });

  it('moves north along the meridian at bearing 0 and east along the equator at bearing 90', () => {
    const north = destination(10, 20, 2 * METRES_PER_DEGREE, 0);
    expect(north.lat).toBeCloseTo(12, 9);
    expect(north.lng).toBeCloseTo(20, 9);
    const east = destination(0, 20, 3 * METRES_PER_DEGREE, 90);
    expect(east.lat).toBeCloseTo(0, 9);
    expect(east.lng).toBeCloseTo(23, 9);
  });

  it('folds a destination across the antimeridian into [-180, 180)', () => {
    const p = destination(0, 179.9, 0.2 * METRES_PER_DEGREE, 90);
    expect(p.lng).toBeCloseTo(-179.9, 9);
  });

  it('stays put for a distance of 0', () => {
    expect(destination(41.38, 2.17, 0, 123)).toEqual({ lat: expect.closeTo(41.38, 12), lng: expect.closeTo(2.17, 12) });
  });
});

describe('distance lower bound to a box', () => {
  /** A box 0–20° wide and 0–10° tall, anywhere (its west edge may be unwrapped past ±180). */
  const box = fc
    .record({
      minX: fc.double({ min: -200, max: 200, noNaN: true }),
      w: fc.double({ min: 0, max: 20, noNaN: true }),
      minY: fc.double({ min: -85, max: 75, noNaN: true }),
      h: fc.double({ min: 0, max: 10, noNaN: true }),
    })
    .map(({ minX, w, minY, h }) => ({ minX, maxX: minX + w, minY, maxY: minY + h }));

  it('is 0 for a point inside the box', () => {
    expect(boxLowerBoundM(41.5, 5, 0, 10, 41, 42)).toBe(0);
    expect(boxLowerBoundM(41, 0, 0, 10, 41, 42)).toBe(0);
    expect(boxLowerBoundM(42, 10, 0, 10, 41, 42)).toBe(0);
    fc.assert(
      fc.property(box, unit, unit, ({ minX, maxX, minY, maxY }, u, v) => {
        const x = minX + u * (maxX - minX);
        const y = minY + v * (maxY - minY);
        // 0 within the rounding of the longitudes (a micrometre).
        expect(boxLowerBoundM(y, x, minX, maxX, minY, maxY)).toBeLessThan(1e-6);
        expect(boxLowerBoundM(y, normalizeLng(x), minX, maxX, minY, maxY)).toBeLessThan(1e-6);
      }),
    );
  });

  it('never exceeds the great-circle distance to any point of the box', () => {
    fc.assert(
      fc.property(box, unit, unit, lat, lng, ({ minX, maxX, minY, maxY }, u, v, qLat, qLng) => {
        const x = minX + u * (maxX - minX);
        const y = minY + v * (maxY - minY);
        expect(boxLowerBoundM(qLat, qLng, minX, maxX, minY, maxY)).toBeLessThanOrEqual(haversineM(qLat, qLng, y, x) + 1e-6);
      }),
      { numRuns: 500 },
    );
  });

  it('is the exact distance to a box straight north or south of the point', () => {
    expect(boxLowerBoundM(40, 5, 0, 10, 41, 42)).toBeCloseTo(METRES_PER_DEGREE, 6);
    expect(boxLowerBoundM(45, 5, 0, 10, 41, 42)).toBeCloseTo(3 * METRES_PER_DEGREE, 6);
  });

  it('measures the gap across the antimeridian the short way', () => {
    // A box from 179° to 181° (= -179°) on the equator: a point at -178.5° is 0.5° east of it, not 357° away.
    expect(boxLowerBoundM(0, -178.5, 179, 181, 0, 0)).toBeCloseTo(0.5 * METRES_PER_DEGREE, 6);
    expect(boxLowerBoundM(0, 178.5, 179, 181, 0, 0)).toBeCloseTo(0.5 * METRES_PER_DEGREE, 6);
    expect(boxLowerBoundM(0, -179.5, 179, 181, -1, 1)).toBe(0);
    expect(boxLowerBoundM(0, 180.5, 179, 181, -1, 1)).toBe(0);
    // Away from the equator the bound uses the box's highest latitude: a little under the true 0.5°.
    const bound = boxLowerBoundM(0, -178.5, 179, 181, -1, 1);
    expect(bound).toBeLessThanOrEqual(haversineM(0, -178.5, 0, -179));
    expect(bound).toBeGreaterThan(0.999 * haversineM(0, -178.5, 0, -179));
  });

  it('covers every longitude when the box is a full turn wide', () => {
    expect(boxLowerBoundM(20, 123, -180, 180, 10, 30)).toBe(0);
    expect(boxLowerBoundM(35, -40, -180, 180, 10, 30)).toBeCloseTo(5 * METRES_PER_DEGREE, 6);
  });
});
