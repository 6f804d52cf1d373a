import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  consecutiveEdgesOverlap,
  contactPoint,
  findContacts,
  segmentsTouch,
  type Seg,
} from '../../../../shared/domain/geo/segments.js';

const seg = (ax: number, ay: number, bx: number, by: number, index = 0, ring = 0): Seg => ({ ring, index, ax, ay, bx, by });
const reversed = (s: Seg): Seg => ({ ...s, ax: s.bx, ay: s.by, bx: s.ax, by: s.ay });
const shifted = (s: Seg, dx: number, dy: number): Seg => ({ ...s, ax: s.ax + dx, ay: s.ay + dy, bx: s.bx + dx, by: s.by + dy });

/** Segments with small integer ends: exact arithmetic, and many collinear and touching cases. */
const coord = fc.integer({ min: -6, max: 6 });
const gridSeg = fc.tuple(coord, coord, coord, coord).map(([ax, ay, bx, by]) => seg(ax, ay, bx, by));

/** Distance between two closed segments: 0 when they cross, else the distance from one of the four ends to the other segment. */
function segDistance(s: Seg, t: Seg): number {
  const rx = s.bx - s.ax;
  const ry = s.by - s.ay;
  const qx = t.bx - t.ax;
  const qy = t.by - t.ay;
  const den = rx * qy - ry * qx;
  if (den !== 0) {
    const u = ((t.ax - s.ax) * qy - (t.ay - s.ay) * qx) / den;
    const v = ((t.ax - s.ax) * ry - (t.ay - s.ay) * rx) / den;
    if (u >= 0 && u <= 1 && v >= 0 && v <= 1) return 0;
  }
  return Math.min(distToSeg(t, s.ax, s.ay), distToSeg(t, s.bx, s.by), distToSeg(s, t.ax, t.ay), distToSeg(s, t.bx, t.by));
}

/** Distance from (x, y) to the closed segment s. */
function distToSeg(s: Seg, x: number, y: number): number {
  const dx = s.bx - s.ax;
  const dy = s.by - s.ay;
  const len2 = dx * dx + dy * dy;
  const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((x - s.ax) * dx + (y - s.ay) * dy) / len2));
  return Math.hypot(x - (s.ax + t * dx), y - (s.ay + t * dy));
}

describe('segment contact', () => {
  it('sees two segments that cross', () => {
    expect(segmentsTouch(seg(0, 0, 2, 2), seg(0, 2, 2, 0))).toBe(true);
  });

  it('sees an end lying on the other segment, and a shared end', () => {
    expect(segmentsTouch(seg(0, 0, 2, 0), seg(1, 0, 1, 5))).toBe(true);
    expect(segmentsTouch(seg(0, 0, 2, 0), seg(2, 0, 3, 4))).toBe(true);
  });

  it('sees collinear segments that overlap, but not collinear ones with a gap', () => {
    expect(segmentsTouch(seg(0, 0, 2, 0), seg(1, 0, 3, 0))).toBe(true);
    expect(segmentsTouch(seg(0, 0, 4, 0), seg(1, 0, 2, 0))).toBe(true);
    expect(segmentsTouch(seg(0, 0, 1, 0), seg(2, 0, 3, 0))).toBe(false);
  });

  it('does not see parallel segments, or a segment that would reach the other only if extended', () => {
    expect(segmentsTouch(seg(0, 0, 2, 0), seg(0, 1, 2, 1))).toBe(false);
    expect(segmentsTouch(seg(0, 0, 2, 0), seg(3, -1, 3, 1))).toBe(false);
    expect(segmentsTouch(seg(0, 0, 2, 2), seg(0, 3, 1, 2.5))).toBe(false);
  });

  it('works on unwrapped longitudes past 180', () => {
    expect(segmentsTouch(seg(179.9, 0, 180.3, 0.4), seg(179.9, 0.4, 180.3, 0))).toBe(true);
    expect(segmentsTouch(seg(179.9, 0, 180.3, 0.4), seg(-180.1, 0.4, -179.7, 0))).toBe(false);
  });

  it('is the same whichever segment comes first and whichever way each runs', () => {
    fc.assert(
      fc.property(gridSeg, gridSeg, (s, t) => {
        const touch = segmentsTouch(s, t);
        expect(segmentsTouch(t, s)).toBe(touch);
        expect(segmentsTouch(reversed(s), t)).toBe(touch);
        expect(segmentsTouch(s, reversed(t))).toBe(touch);
        expect(segmentsTouch(shifted(s, 7, -3), shifted(t, 7, -3))).toBe(touch);
      }),
      { numRuns: 1000 },
    );
  });

  it('agrees with the distance between the segments being 0, and names a point they share', () => {
    fc.assert(
      fc.property(gridSeg, gridSeg, (s, t) => {
        // On this grid, segments that do not touch are at least 1/17 apart: anything under 1e-12 is rounding of 0.
        const touching = segDistance(s, t) < 1e-12;
        expect(segmentsTouch(s, t)).toBe(touching);
        if (touching) {
          const [x, y] = contactPoint(s, t);
          expect(distToSeg(s, x, y)).toBeLessThan(1e-9);
          expect(distToSeg(t, x, y)).toBeLessThan(1e-9);
        }
      }),
      { numRuns: 1000 },
    );
  });
});

describe('consecutive edges', () => {
  it('are fine when they turn, or go straight on', () => {
    expect(consecutiveEdgesOverlap(0, 0, 1, 0, 1, 1)).toBe(false);
    expect(consecutiveEdgesOverlap(0, 0, 1, 0, 2, 0)).toBe(false);
    expect(consecutiveEdgesOverlap(0, 0, 1, 0, 0.5, -0.0001)).toBe(false);
  });

  it('overlap when the second folds back along the first', () => {
    expect(consecutiveEdgesOverlap(0, 0, 1, 0, 0.5, 0)).toBe(true);
    expect(consecutiveEdgesOverlap(0, 0, 1, 0, -1, 0)).toBe(true);
    expect(consecutiveEdgesOverlap(0, 0, 2, 2, 1, 1)).toBe(true);
  });
});

describe('contact point', () => {
  it('is the crossing of two crossing segments', () => {
    expect(contactPoint(seg(0, 0, 2, 2), seg(0, 2, 2, 0))).toEqual([1, 1]);
    expect(contactPoint(seg(0, 0, 4, 0), seg(1, -1, 1, 3))).toEqual([1, 0]);
  });

  it('is the end that lies on the other segment when they touch end to side', () => {
    expect(contactPoint(seg(1, 0, 1, 5), seg(0, 0, 2, 0))).toEqual([1, 0]);
  });

  it('is a point of the overlap when collinear segments overlap', () => {
    expect(contactPoint(seg(0, 0, 2, 0), seg(1, 0, 3, 0))).toEqual([2, 0]);
    expect(contactPoint(seg(1, 0, 3, 0), seg(0, 0, 2, 0))).toEqual([1, 0]);
    expect(contactPoint(seg(0, 0, 4, 0), seg(1, 0, 2, 0))).toEqual([1, 0]);
  });
});

describe('contact search', () => {
  /** Every pair (i < j, by input order) that a brute-force search finds. */
  function bruteForce(segs: Seg[], isContact: (a: Seg, b: Seg) => boolean): string[] {
    const out: string[] = [];
    for (let i = 0; i < segs.length; i++)
      for (let j = i + 1; j < segs.length; j++) if (isContact(segs[i], segs[j])) out.push(`${i}-${j}`);
    return out.sort();
  }
  const pairs = (contacts: { a: Seg; b: Seg }[]) =>
    contacts.map(({ a, b }) => (a.index < b.index ? `${a.index}-${b.index}` : `${b.index}-${a.index}`)).sort();

  it('finds the same touching pairs as comparing every pair', () => {
    fc.assert(
      fc.property(fc.array(gridSeg, { maxLength: 40 }), (raw) => {
        const segs = raw.map((s, i) => ({ ...s, index: i }));
        expect(pairs(findContacts(segs, segmentsTouch))).toEqual(bruteForce(segs, segmentsTouch));
      }),
      { numRuns: 300 },
    );
  });

  it('finds the crossings of a bow tie and skips the edges that only share a vertex', () => {
    // The ring (0,0) → (2,2) → (2,0) → (0,2) → (0,0): edges 0 and 2 cross at (1, 1).
    const ring = [
      [0, 0],
      [2, 2],
      [2, 0],
      [0, 2],
      [0, 0],
    ];
    const segs = ring.slice(0, -1).map(([ax, ay], i) => seg(ax, ay, ring[i + 1][0], ring[i + 1][1], i));
    const n = segs.length;
    const adjacent = (a: Seg, b: Seg) => Math.abs(a.index - b.index) === 1 || Math.abs(a.index - b.index) === n - 1;
    const contacts = findContacts(segs, (a, b) => !adjacent(a, b) && segmentsTouch(a, b));
    expect(pairs(contacts)).toEqual(['0-2']);
    expect(contactPoint(contacts[0].a, contacts[0].b)).toEqual([1, 1]);
  });

  it('stops at the limit', () => {
    const comb = Array.from({ length: 6 }, (_, i) => seg(i, -1, i, 1, i));
    const bar = seg(-1, 0, 7, 0, 99);
    expect(findContacts([...comb, bar], segmentsTouch)).toHaveLength(6);
    expect(findContacts([...comb, bar], segmentsTouch, 2)).toHaveLength(2);
    expect(findContacts([], segmentsTouch)).toEqual([]);
  });
});
