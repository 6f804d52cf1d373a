import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  containsPoint,
  indexCoversPoint,
  planIndex,
  validateGeometry,
  type FenceGeometry,
  type GeoIssue,
} from '../../../../shared/domain/geo/index.js';

interface FixtureIn {
  description: string;
  geometry: unknown;
  points: { name: string; lat: number; lng: number }[];
}
interface FixtureOut {
  issues: GeoIssue[];
  /** containsPoint for each input point, in order; null when the geometry is invalid. */
  contains: boolean[] | null;
}

const root = fileURLToPath(new URL('../../../fixtures/geofences/', import.meta.url));
const names = readdirSync(`${root}in`)
  .filter((f) => f.endsWith('.json'))
  .sort();
const read = <T>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T;

describe('geofence fixtures (test/fixtures/geofences/in → out)', () => {
  it('has an expected output next to every input', () => {
    const outs = readdirSync(`${root}out`)
      .filter((f) => f.endsWith('.json'))
      .sort();
    expect(outs).toEqual(names);
    expect(names).toEqual(
      expect.arrayContaining([
        'mall-with-courtyard.json',
        'campus-multipolygon.json',
        'antimeridian-fence.json',
        'bow-tie.json',
        'unclosed-ring.json',
      ]),
    );
  });

  for (const name of names) {
    describe(name.replace(/\.json$/, ''), () => {
      const input = read<FixtureIn>(`${root}in/${name}`);
      const expected = read<FixtureOut>(`${root}out/${name}`);

      it('validates to the expected issues', () => {
        expect(validateGeometry(input.geometry)).toEqual(expected.issues);
      });

      if (expected.contains === null) {
        it('is invalid, so no point is evaluated', () => {
          expect(expected.issues.length).toBeGreaterThan(0);
          expect(input.points).toEqual([]);
        });
      } else {
        const contains = expected.contains;
        it('contains exactly the expected points', () => {
          const g = input.geometry as FenceGeometry;
          expect(input.points.map((p) => containsPoint(g, p.lat, p.lng))).toEqual(contains);
        });

        it('gives the same answers for longitudes shifted by ±360°', () => {
          const g = input.geometry as FenceGeometry;
          expect(input.points.map((p) => containsPoint(g, p.lat, p.lng + 360))).toEqual(contains);
          expect(input.points.map((p) => containsPoint(g, p.lat, p.lng - 360))).toEqual(contains);
        });

        it('indexes every contained point', () => {
          const g = input.geometry as FenceGeometry;
          const index = planIndex(g);
          const inside = input.points.filter((_, i) => contains[i]);
          expect(inside.map((p) => indexCoversPoint(index, p.lat, p.lng))).toEqual(inside.map(() => true));
        });
      }
    });
  }
});
