import { describe, expect, it } from 'vitest';
import {
  boundaryDistanceM,
  containsPoint,
  destination,
  distanceToAnchorM,
  distanceToFenceM,
  fenceAnchor,
  haversineM,
  matchConfidence,
  type CircleGeometry,
  type MultiPolygonGeometry,
  type PolygonGeometry,
  type Position,
} from '../../../../shared/domain/geo/index.js';
import { rect } from '../../../support/geo.js';

const store: CircleGeometry = { type: 'Circle', coordinates: [2.17, 41.38], radiusM: 100 };
const at = (bearing: number, metres: number, from = { lat: 41.38, lng: 2.17 }) =>
  destination(from.lat, from.lng, metres, bearing);

// A mall 0.003° x 0.002° (about 250 m x 220 m) with a courtyard hole 0.001° x 0.0006°.
const mall: PolygonGeometry = {
  type: 'Polygon',
  coordinates: [rect(2.215, 41.4085, 2.218, 41.4105), rect(2.216, 41.4092, 2.217, 41.4098)],
};
const metresPerDegLat = haversineM(0, 0, 1, 0);

/** Reference distance to a polygon's boundary by dense sampling of every lng/lat-straight edge. */
function sampledBoundaryDistance(rings: Position[][], lat: number, lng: number, samplesPerEdge = 4000): number {
  let best = Infinity;
  for (const ring of rings) {
    for (let i = 0; i + 1 < ring.length; i++) {
      const [ax, ay] = ring[i];
      let [bx, by] = ring[i + 1];
      if (bx - ax > 180) bx -= 360;
      if (bx - ax < -180) bx += 360;
      for (let k = 0; k <= samplesPerEdge; k++) {
        const t = k / samplesPerEdge;
        best = Math.min(best, haversineM(lat, lng, ay + t * (by - ay), ax + t * (bx - ax)));
      }
    }
  }
  return best;
}

describe('circle geofence', () => {
  it('contains points up to its radius, measured on the great circle', () => {
    const inside = at(37, 99.9);
    const outside = at(37, 100.1);
    expect(containsPoint(store, inside.lat, inside.lng)).toBe(true);
    expect(containsPoint(store, outside.lat, outside.lng)).toBe(false);
  });

  it('measures the distance to its edge, 0 inside', () => {
    const p = at(200, 350);
    expect(distanceToFenceM(store, p.lat, p.lng)).toBeCloseTo(250, 3);
    expect(distanceToFenceM(store, 41.38, 2.17)).toBe(0);
    expect(boundaryDistanceM(store, 41.38, 2.17)).toBeCloseTo(100, 6);
  });

  it('handles a circle across the antimeridian', () => {
    const fiji: CircleGeometry = { type: 'Circle', coordinates: [179.99, -16.8], radiusM: 5000 };
    expect(containsPoint(fiji, -16.8, -179.98)).toBe(true);
    expect(containsPoint(fiji, -16.8, 180.02)).toBe(true);
    expect(containsPoint(fiji, -16.8, 0)).toBe(false);
    expect(distanceToFenceM(fiji, -16.8, -179.9)).toBeCloseTo(haversineM(-16.8, 179.99, -16.8, -179.9) - 5000, 3);
  });
});

describe('polygon geofence', () => {
  it('contains the building but not the courtyard or the street', () => {
    expect(containsPoint(mall, 41.4088, 2.2155)).toBe(true);
    expect(containsPoint(mall, 41.4095, 2.2165)).toBe(false);
    expect(containsPoint(mall, 41.411, 2.2165)).toBe(false);
  });

  it('measures 0 inside, and to the nearest wall outside (hole walls included)', () => {
    expect(distanceToFenceM(mall, 41.4088, 2.2155)).toBe(0);
    // 0.0005° north of the north wall.
    expect(distanceToFenceM(mall, 41.411, 2.2165)).toBeCloseTo(0.0005 * metresPerDegLat, 1);
    // Courtyard centre: 0.0003° from the south and north hole walls, 0.0005° of longitude from the others.
    expect(distanceToFenceM(mall, 41.4095, 2.2165)).toBeCloseTo(0.0003 * metresPerDegLat, 1);
  });

  it('agrees with a dense-sampling reference within 0.1 %', () => {
    const ring: Position[] = [
      [20, 69.5],
      [21.5, 70.2],
      [20.4, 70.8],
      [19.2, 70.1],
      [20, 69.5],
    ];
    const fence: PolygonGeometry = { type: 'Polygon', coordinates: [ring] };
    const probes = [
      [69.4, 20.2],
      [70.5, 21.6],
      [70.95, 20.3],
      [70.0, 18.9],
      [69.9, 21.2],
      [70.3, 19.0],
    ];
    for (const [lat, lng] of probes) {
      const d = distanceToFenceM(fence, lat, lng);
      const ref = sampledBoundaryDistance([ring], lat, lng);
      expect(d).toBeGreaterThan(0);
      expect(Math.abs(d - ref) / ref).toBeLessThan(0.001);
      // The reference samples every ~25 m, so it overshoots the true distance by a few centimetres at most.
      expect(d).toBeGreaterThan(ref - 0.05);
    }
  });

  it('measures along lng/lat-straight edges, not great circles, at high latitude', () => {
    // A long east-west edge at 70° N: the great circle between its ends bulges ~1 km north of it.
    const strip: PolygonGeometry = { type: 'Polygon', coordinates: [rect(10, 69.9, 14, 70)] };
    const north = 70 + 300 / metresPerDegLat;
    expect(distanceToFenceM(strip, north, 12)).toBeCloseTo(300, 0);
    expect(containsPoint(strip, north, 12)).toBe(false);
  });

  it('handles a polygon across the antimeridian at lng and lng ± 360', () => {
    const fence: PolygonGeometry = {
      type: 'Polygon',
      coordinates: [
        [
          [179.8, -16.9],
          [-179.8, -16.9],
          [-179.8, -16.7],
          [179.8, -16.7],
          [179.8, -16.9],
        ],
      ],
    };
    for (const lng of [179.9, -179.9, 179.9 + 360, -179.9 - 360, 180, -180]) expect(containsPoint(fence, -16.8, lng)).toBe(true);
    for (const lng of [0, 360, 179.7, -179.7]) expect(containsPoint(fence, -16.8, lng)).toBe(false);
    const east = haversineM(-16.8, -179.8, -16.8, -179.7);
    expect(distanceToFenceM(fence, -16.8, -179.7)).toBeCloseTo(east, -1);
    expect(distanceToFenceM(fence, -16.8, -179.7 + 360)).toBeCloseTo(east, -1);
    expect(distanceToFenceM(fence, -16.8, 0)).toBeGreaterThan(16_000_000);
  });

  it('reports NaN distances and no containment for an invalid point', () => {
    expect(containsPoint(mall, Number.NaN, 2)).toBe(false);
    expect(containsPoint(mall, 91, 2)).toBe(false);
    expect(distanceToFenceM(mall, Number.NaN, 2)).toBeNaN();
    expect(distanceToAnchorM(mall, 41, Number.POSITIVE_INFINITY)).toBeNaN();
  });
});

describe('multipolygon geofence', () => {
  const campus: MultiPolygonGeometry = {
    type: 'MultiPolygon',
    coordinates: [[rect(2, 41, 2.001, 41.001)], [rect(2.003, 41, 2.004, 41.001)]],
  };

  it('contains points of any part, and measures to the nearest part', () => {
    expect(containsPoint(campus, 41.0005, 2.0005)).toBe(true);
    expect(containsPoint(campus, 41.0005, 2.0035)).toBe(true);
    expect(containsPoint(campus, 41.0005, 2.002)).toBe(false);
    const gap = haversineM(41.0005, 2.001, 41.0005, 2.002);
    expect(distanceToFenceM(campus, 41.0005, 2.002)).toBeCloseTo(gap, 1);
  });
});

describe('match confidence', () => {
  it('is high when the whole accuracy circle is inside', () => {
    expect(matchConfidence(store, 41.38, 2.17, 50)).toBe('high');
    expect(matchConfidence(store, 41.38, 2.17, 100)).toBe('high');
  });

  it('is high for a point inside when no accuracy is given', () => {
    const p = at(90, 99);
    expect(matchConfidence(store, p.lat, p.lng)).toBe('high');
  });

  it('is medium when the point is inside but the circle pokes out', () => {
    const p = at(90, 80);
    expect(matchConfidence(store, p.lat, p.lng, 50)).toBe('medium');
    expect(matchConfidence(store, 41.38, 2.17, 101)).toBe('medium');
  });

  it('is low when only the accuracy circle touches the fence', () => {
    const p = at(90, 130);
    expect(matchConfidence(store, p.lat, p.lng, 50)).toBe('low');
    const far = at(90, 1099);
    expect(matchConfidence(store, far.lat, far.lng, 1000)).toBe('low');
  });

  it('is null when nothing touches', () => {
    const p = at(90, 200);
    expect(matchConfidence(store, p.lat, p.lng, 50)).toBeNull();
    expect(matchConfidence(store, p.lat, p.lng)).toBeNull();
  });

  it('is null when the accuracy is worse than 1,000 m, even at the centre', () => {
    expect(matchConfidence(store, 41.38, 2.17, 1000)).toBe('medium');
    expect(matchConfidence(store, 41.38, 2.17, 1000.5)).toBeNull();
  });

  it('is null for a negative or non-finite accuracy', () => {
    expect(matchConfidence(store, 41.38, 2.17, -1)).toBeNull();
    expect(matchConfidence(store, 41.38, 2.17, Number.NaN)).toBeNull();
  });

  it('treats a courtyard as outside: low near its walls, high deep inside the building', () => {
    // Courtyard centre is ~33 m from the nearest courtyard wall.
    expect(matchConfidence(mall, 41.4095, 2.2165, 40)).toBe('low');
    expect(matchConfidence(mall, 41.4095, 2.2165, 20)).toBeNull();
    // South wing: 0.0003° (~33 m) from the south wall.
    expect(matchConfidence(mall, 41.4088, 2.2155, 20)).toBe('high');
    expect(matchConfidence(mall, 41.4088, 2.2155, 40)).toBe('medium');
  });
});

describe('distance to the anchor', () => {
  it('is the rounded distance to a circle centre', () => {
    const p = at(45, 1234.4);
    expect(distanceToAnchorM(store, p.lat, p.lng)).toBe(1234);
    expect(distanceToAnchorM(store, 41.38, 2.17)).toBe(0);
  });

  it('uses the centroid of a convex polygon', () => {
    const square: PolygonGeometry = { type: 'Polygon', coordinates: [rect(2, 41, 2.002, 41.002)] };
    const a = fenceAnchor(square);
    expect(a.lat).toBeCloseTo(41.001, 9);
    expect(a.lng).toBeCloseTo(2.001, 9);
    expect(distanceToAnchorM(square, 41.001, 2.001)).toBe(0);
  });

  it('picks a point inside the fence when the centroid falls in a hole or outside', () => {
    const ring: PolygonGeometry = {
      type: 'Polygon',
      coordinates: [rect(2, 41, 2.01, 41.01), rect(2.002, 41.002, 2.008, 41.008)],
    };
    const u: PolygonGeometry = {
      type: 'Polygon',
      coordinates: [
        [
          [0, 0],
          [3, 0],
          [3, 3],
          [2, 3],
          [2, 1],
          [1, 1],
          [1, 3],
          [0, 3],
          [0, 0],
        ],
      ],
    };
    for (const g of [ring, u]) {
      const a = fenceAnchor(g);
      expect(containsPoint(g, a.lat, a.lng)).toBe(true);
    }
  });

  it('anchors a multipolygon on its largest part, with a longitude in [-180, 180)', () => {
    const fence: MultiPolygonGeometry = {
      type: 'MultiPolygon',
      coordinates: [
        [rect(10, 50, 10.001, 50.001)],
        [
          [
            [179.8, -16.9],
            [-179.8, -16.9],
            [-179.8, -16.7],
            [179.8, -16.7],
            [179.8, -16.9],
          ],
        ],
      ],
    };
    const a = fenceAnchor(fence);
    expect(a.lat).toBeCloseTo(-16.8, 9);
    expect(Math.abs(a.lng)).toBeCloseTo(180, 9);
    expect(a.lng).toBeGreaterThanOrEqual(-180);
    expect(a.lng).toBeLessThan(180);
    expect(distanceToAnchorM(fence, -16.8, 179.9)).toBe(Math.round(haversineM(-16.8, 179.9, -16.8, 180)));
  });
});
