import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { containsPoint, destination, distanceToFenceM, type FenceGeometry } from '../../shared/domain/geo/index.js';
import { createGeofence, findFences } from '../../shared/services/geo.js';
import { createTenant } from '../../shared/services/tenants.js';
import { adminPrincipal } from '../support/principal.js';

type Pt = { lat: number; lng: number };

const square = (c: Pt, halfM: number): [number, number][] => {
  const ring = [45, 135, 225, 315].map((b) => {
    const p = destination(c.lat, c.lng, halfM * Math.SQRT2, b);
    return [p.lng, p.lat] as [number, number];
  });
  ring.push(ring[0]);
  return ring.reverse();
};

/** Fences of every kind the product accepts, at ordinary places, at 70° and across the antimeridian. */
const fenceArb: fc.Arbitrary<{ g: FenceGeometry; centre: Pt; reachM: number }> = fc
  .record({
    kind: fc.constantFrom('circle10', 'circle50k', 'holed', 'multi', 'circle'),
    // (values the HTTP edge would accept: it stores numbers under 1e-100 as 0, see storableNumbers)
    lat: fc
      .oneof(fc.double({ min: -55, max: 55, noNaN: true }), fc.constantFrom(70, -70))
      .map((x) => (Math.abs(x) < 1e-9 ? 0 : x)),
    lng: fc
      .oneof(fc.double({ min: -170, max: 170, noNaN: true }), fc.constantFrom(179.999, -179.999))
      .map((x) => (Math.abs(x) < 1e-9 ? 0 : x)),
    size: fc.double({ min: 30, max: 3000, noNaN: true }),
  })
  .map(({ kind, lat, lng, size }) => {
    const centre = { lat, lng };
    if (kind === 'circle10') return { g: { type: 'Circle', coordinates: [lng, lat], radiusM: 10 }, centre, reachM: 10 };
    if (kind === 'circle50k') return { g: { type: 'Circle', coordinates: [lng, lat], radiusM: 50_000 }, centre, reachM: 50_000 };
    if (kind === 'circle') return { g: { type: 'Circle', coordinates: [lng, lat], radiusM: size }, centre, reachM: size };
    if (kind === 'holed')
      return {
        g: { type: 'Polygon', coordinates: [square(centre, size), square(centre, size / 3).reverse()] },
        centre,
        reachM: size * 1.5,
      };
    const east = destination(lat, lng, size * 4, 90);
    return {
      g: { type: 'MultiPolygon', coordinates: [[square(centre, size)], [square(east, size / 2)]] },
      centre,
      reachM: size * 5,
    };
  }) as never;

describe('lookup through the DynamoDB index (property)', () => {
  it('finds every point inside a fence and never returns a point more than 1 m outside', async () => {
    await fc.assert(
      fc.asyncProperty(
        fenceArb,
        fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 360, noNaN: true })), {
          minLength: 12,
          maxLength: 12,
        }),
        async ({ g, centre, reachM }, samples) => {
          // a fresh tenant per case, so cases never see each other's fences
          const { tenant } = await createTenant('property');
          const p = adminPrincipal(tenant.id);
          const fence = await createGeofence(p, { name: 'prop', geometry: g });
          for (const [u, bearing] of samples) {
            // points from the centre out to 1.3 x the fence's reach: inside, in holes, and outside
            const q = destination(centre.lat, centre.lng, u * reachM * 1.3, bearing);
            const inside = containsPoint(g, q.lat, q.lng);
            const found = (await findFences(tenant.id, q.lat, q.lng)).some((m) => m.fence.id === fence.id);
            if (inside) expect(found).toBe(true);
            if (distanceToFenceM(g, q.lat, q.lng) > 1) expect(found).toBe(false);
          }
        },
      ),
      { numRuns: 25, endOnFailure: true },
    );
  }, 120_000);
});
