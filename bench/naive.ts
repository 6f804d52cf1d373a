/**
 * The naive matcher the index is measured against (benchmark code only, not
 * the product): read every geofence of the tenant, page by page, and test
 * the point against each fence's exact geometry.
 */
import { containsPoint } from '../shared/domain/geo/index.js';
import { listGeofencesPage } from '../shared/store/geofences.js';

/** DynamoDB returns at most 1 MB per page whatever the limit; this asks for as much as it gives. */
const PAGE = 1000;

export async function naiveMatch(tenantId: string, lat: number, lng: number): Promise<{ ids: string[]; read: number }> {
  const ids: string[] = [];
  let read = 0;
  let cursor: string | undefined;
  do {
    const page = await listGeofencesPage(tenantId, PAGE, cursor);
    read += page.items.length;
    for (const f of page.items) if (f.enabled && containsPoint(f.geometry, lat, lng)) ids.push(f.id);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return { ids, read };
}
