import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lngCandidates, pointLng, unwrapRing } from '../../../../shared/domain/geo/antimeridian.js';
import { normalizeLng, wrapDelta } from '../../../../shared/domain/geo/sphere.js';
import { rect } from '../../../support/geo.js';

/** A fence 0.4° wide across the antimeridian, written with wrapped longitudes. */
const fiji = [
  [179.8, -17],
  [-179.8, -17],
  [-179.8, -16.6],
  [179.8, -16.6],
  [179.8, -17],
];

/**
 * A random closed ring: a start in [-180, 180] and steps of less than 180° of
 * longitude, folded back into [-180, 180] as a client would send them, and
 * closed by repeating the first position.
 */
const ring = fc
  .record({
    start: fc.double({ min: -180, max: 180, noNaN: true }),
    steps: fc.array(fc.tuple(fc.double({ min: -60, max: 60, noNaN: true }), fc.double({ min: -80, max: 80, noNaN: true })), {
      minLength: 2,
      maxLength: 30,
    }),
  })
  .map(({ start, steps }) => {
    const positions: number[][] = [];
    let x = start;
    for (const [dx, lat] of steps) {
      positions.push([normalizeLng(x), lat]);
      x += dx;
    }
    positions.push([...positions[0]]);
    return positions;
  })
  // The closing edge may span any longitude; one within a microdegree of 180° has no clear short way (rounding decides).
  .filter((r) => r.every((p, i) => i === 0 || Math.abs(Math.abs(wrapDelta(p[0] - r[i - 1][0])) - 180) > 1e-6));

describe('ring unwrapping', () => {
  it('continues a ring across the antimeridian past 180 instead of jumping back', () => {
    const u = unwrapRing(fiji);
    expect(u.xs).toEqual([179.8, 180.2, 180.2, 179.8, 179.8]);
    expect(u.ys).toEqual([-17, -17, -16.6, -16.6, -17]);
    expect(u.ambiguousAt).toBe(-1);
    expect(u.closureShift).toBe(0);
  });

  it('continues a ring written from the east side past -180', () => {
    const u = unwrapRing([
      [-179.8, -17],
      [179.8, -17],
      [179.8, -16.6],
      [-179.8, -16.6],
      [-179.8, -17],
    ]);
    expect(u.xs).toEqual([-179.8, -180.2, -180.2, -179.8, -179.8]);
    expect(u.closureShift).toBe(0);
  });

  it('leaves a ring that does not cross the antimeridian as it is', () => {
    const mall = rect(2.215, 41.4085, 2.218, 41.4105);
    const u = unwrapRing(mall);
    expect(u.xs).toEqual(mall.map((p) => p[0]));
    expect(u.ys).toEqual(mall.map((p) => p[1]));
  });

  it('shifts a ring by whole turns onto the longitude it is asked to be near', () => {
    const hole = [
      [-179.95, -16.9],
      [-179.9, -16.9],
      [-179.9, -16.8],
      [-179.95, -16.8],
      [-179.95, -16.9],
    ];
    expect(unwrapRing(hole, 180).xs).toEqual([180.05, 180.1, 180.1, 180.05, 180.05]);
    expect(unwrapRing(hole, -179.9).xs).toEqual(hole.map((p) => p[0]));
    expect(
      unwrapRing(
        [
          [10, 0],
          [11, 0],
          [11, 1],
          [10, 0],
        ],
        370,
      ).xs,
    ).toEqual([370, 371, 371, 370]);
  });

  it('marks the first edge that spans exactly 180° of longitude as ambiguous', () => {
    expect(unwrapRing(rect(0, 0, 180, 10)).ambiguousAt).toBe(1);
    expect(
      unwrapRing([
        [10, 0],
        [20, 0],
        [-160, 5],
        [20, 10],
        [10, 0],
      ]).ambiguousAt,
    ).toBe(2);
    expect(
      unwrapRing([
        [10, 0],
        [20, 0],
        [20, 10],
        [10, 0],
      ]).ambiguousAt,
    ).toBe(-1);
  });

  it('reports a ring that winds round a pole by the turns it is left open by', () => {
    // Three steps of 120° at 80° N go once round the North Pole.
    const polar = [
      [0, 80],
      [120, 80],
      [-120, 80],
      [0, 80],
    ];
    const u = unwrapRing(polar);
    expect(u.xs).toEqual([0, 120, 240, 360]);
    expect(u.closureShift).toBe(360);
    expect(unwrapRing([...polar].reverse()).closureShift).toBe(-360);
  });

  it('returns empty arrays for an empty ring', () => {
    expect(unwrapRing([])).toEqual({ xs: [], ys: [], ambiguousAt: -1, closureShift: 0 });
  });

  it('moves every position by whole turns only, and every edge the short way', () => {
    fc.assert(
      fc.property(ring, (r) => {
        const u = unwrapRing(r);
        expect(u.xs).toHaveLength(r.length);
        expect(u.ys).toEqual(r.map((p) => p[1]));
        for (let i = 0; i < r.length; i++) {
          const turns = (u.xs[i] - r[i][0]) / 360;
          expect(Math.abs(turns - Math.round(turns))).toBeLessThan(1e-9);
          if (i > 0) expect(u.xs[i] - u.xs[i - 1]).toBeCloseTo(wrapDelta(r[i][0] - r[i - 1][0]), 9);
        }
        expect(u.xs[0]).toBe(r[0][0]);
      }),
      { numRuns: 300 },
    );
  });

  it('puts each vertex of a valid ring exactly where the same longitude, shifted as a query point is, lands', () => {
    fc.assert(
      fc.property(ring, (r) => {
        // Valid polygons span at most 180° of longitude.
        let walk = 0;
        let [lo, hi] = [0, 0];
        for (let i = 1; i < r.length; i++) {
          walk += wrapDelta(r[i][0] - r[i - 1][0]);
          [lo, hi] = [Math.min(lo, walk), Math.max(hi, walk)];
        }
        fc.pre(hi - lo <= 180);
        const u = unwrapRing(r);
        const minX = Math.min(...u.xs);
        const maxX = Math.max(...u.xs);
        for (let i = 0; i < r.length; i++) expect(lngCandidates(r[i][0], minX, maxX)).toContain(u.xs[i]);
      }),
      { numRuns: 300 },
    );
  });

  it('reports the turns a ring winds round a pole as its closure shift', () => {
    fc.assert(
      fc.property(ring, (r) => {
        const u = unwrapRing(r);
        // Sum of the short-way steps: 0 for a ring that closes, ±360·k for one that winds round a pole.
        let walk = 0;
        for (let i = 1; i < r.length; i++) walk += wrapDelta(r[i][0] - r[i - 1][0]);
        // (+ 0 reads -0 as 0: both mean "closes".)
        expect(u.closureShift + 0).toBe(Math.round(walk / 360) * 360 + 0);
        expect(Number.isInteger(u.closureShift / 360)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

describe('query point longitude', () => {
  it('keeps a longitude within [-180, 180] as given, both ends included', () => {
    expect([-180, -179.9, 0, 179.9, 180].map(pointLng)).toEqual([-180, -179.9, 0, 179.9, 180]);
  });

  it('folds a longitude outside [-180, 180] into [-180, 180)', () => {
    expect(pointLng(190)).toBeCloseTo(-170, 9);
    expect(pointLng(-190)).toBeCloseTo(170, 9);
    expect(pointLng(540)).toBe(-180);
    expect(pointLng(360.5)).toBeCloseTo(0.5, 9);
  });
});

describe('query point copies within an unwrapped extent', () => {
  it('finds the copy of a wrapped longitude inside a fence unwrapped past 180', () => {
    expect(lngCandidates(-179.9, 179.8, 180.2)).toEqual([180.1]);
    expect(lngCandidates(179.9, 179.8, 180.2)).toEqual([179.9]);
    expect(lngCandidates(0, 179.8, 180.2)).toEqual([]);
    expect(lngCandidates(179.9, -180.2, -179.8)).toEqual([-180.1]);
  });

  it('finds two copies only at the very edge of a full turn', () => {
    expect(lngCandidates(180, -180, 180)).toEqual([180, -180]);
    expect(lngCandidates(-180, -180, 180)).toEqual([-180, 180]);
    expect(lngCandidates(10, -180, 180)).toEqual([10]);
  });

  it('returns exactly the copies lng + 360·k that fall inside an extent at most 180° wide', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -180, max: 180, noNaN: true }),
        fc.double({ min: -360, max: 180, noNaN: true }),
        fc.double({ min: 0, max: 180, noNaN: true }),
        (lng, minX, width) => {
          const maxX = minX + width;
          // (k = 0 is lng itself, so that -0 stays -0.)
          const expected = [-2, -1, 0, 1, 2].map((k) => (k === 0 ? lng : lng + 360 * k)).filter((x) => x >= minX && x <= maxX);
          const got = lngCandidates(lng, minX, maxX);
          expect([...got].sort((a, b) => a - b)).toEqual(expected);
          expect(got.length).toBeLessThanOrEqual(1);
        },
      ),
      { numRuns: 500 },
    );
  });
});
