/**
 * Planar segment predicates on unwrapped [lng, lat] coordinates, and a
 * sort-and-sweep search for contacts between the edges of a polygon's rings.
 * Edges are straight lines in lng/lat, as RFC 7946 defines them.
 */

export interface Seg {
  ring: number;
  /** Index of the edge within its ring (edge i joins vertex i and i + 1). */
  index: number;
  ax: number;
  ay: number;
  bx: number;
  by: number;
}

export interface Contact {
  a: Seg;
  b: Seg;
}

function orient(px: number, py: number, qx: number, qy: number, rx: number, ry: number): number {
  const v = (qx - px) * (ry - py) - (qy - py) * (rx - px);
  return v > 0 ? 1 : v < 0 ? -1 : 0;
}

/** r lies within the bounding box of p–q (used once r is known to be collinear). */
function within(px: number, py: number, qx: number, qy: number, rx: number, ry: number): boolean {
  return Math.min(px, qx) <= rx && rx <= Math.max(px, qx) && Math.min(py, qy) <= ry && ry <= Math.max(py, qy);
}

/** Whether two closed segments share at least one point (crossing, touching or overlapping). */
export function segmentsTouch(s: Seg, t: Seg): boolean {
  const d1 = orient(t.ax, t.ay, t.bx, t.by, s.ax, s.ay);
  const d2 = orient(t.ax, t.ay, t.bx, t.by, s.bx, s.by);
  const d3 = orient(s.ax, s.ay, s.bx, s.by, t.ax, t.ay);
  const d4 = orient(s.ax, s.ay, s.bx, s.by, t.bx, t.by);
  if (d1 * d2 < 0 && d3 * d4 < 0) return true;
  if (d1 === 0 && within(t.ax, t.ay, t.bx, t.by, s.ax, s.ay)) return true;
  if (d2 === 0 && within(t.ax, t.ay, t.bx, t.by, s.bx, s.by)) return true;
  if (d3 === 0 && within(s.ax, s.ay, s.bx, s.by, t.ax, t.ay)) return true;
  if (d4 === 0 && within(s.ax, s.ay, s.bx, s.by, t.bx, t.by)) return true;
  return false;
}

/**
 * Two consecutive edges of a ring share their middle vertex v; they are fine
 * unless they fold back over each other (collinear, pointing the same way from v).
 */
export function consecutiveEdgesOverlap(ax: number, ay: number, vx: number, vy: number, cx: number, cy: number): boolean {
  if (orient(ax, ay, vx, vy, cx, cy) !== 0) return false;
  return (ax - vx) * (cx - vx) + (ay - vy) * (cy - vy) > 0;
}

/**
 * Every pair of segments whose bounding boxes overlap and which `isContact`
 * accepts, found by sorting on min x and sweeping. `limit` stops the search
 * early. Cost is O(n log n + candidate pairs).
 */
export function findContacts(segs: Seg[], isContact: (a: Seg, b: Seg) => boolean, limit = Infinity): Contact[] {
  const items = segs.map((s) => ({
    s,
    minX: Math.min(s.ax, s.bx),
    maxX: Math.max(s.ax, s.bx),
    minY: Math.min(s.ay, s.by),
    maxY: Math.max(s.ay, s.by),
  }));
  items.sort((p, q) => p.minX - q.minX);
  const out: Contact[] = [];
  for (let i = 0; i < items.length; i++) {
    const p = items[i];
    for (let j = i + 1; j < items.length; j++) {
      const q = items[j];
      if (q.minX > p.maxX) break;
      if (q.minY > p.maxY || q.maxY < p.minY) continue;
      if (isContact(p.s, q.s)) {
        out.push({ a: p.s, b: q.s });
        if (out.length >= limit) return out;
      }
    }
  }
  return out;
}

/** A point shared by two touching segments (their crossing, or an endpoint lying on the other). */
export function contactPoint(s: Seg, t: Seg): [number, number] {
  const rx = s.bx - s.ax;
  const ry = s.by - s.ay;
  const qx = t.bx - t.ax;
  const qy = t.by - t.ay;
  const den = rx * qy - ry * qx;
  if (den !== 0) {
    const u = ((t.ax - s.ax) * qy - (t.ay - s.ay) * qx) / den;
    const c = u < 0 ? 0 : Math.min(u, 1);
    return [s.ax + c * rx, s.ay + c * ry];
  }
  if (within(t.ax, t.ay, t.bx, t.by, s.ax, s.ay)) return [s.ax, s.ay];
  if (within(t.ax, t.ay, t.bx, t.by, s.bx, s.by)) return [s.bx, s.by];
  return [t.ax, t.ay];
}
