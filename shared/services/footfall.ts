import type { Principal } from '../auth/principal.js';
import { footfallReport } from '../domain/visits/footfall.js';
import { unprocessable } from '../platform/errors.js';
import { queryFootfall } from '../store/footfall.js';
import { loadGeofence } from './geo.js';

const DAY_MS = 86_400_000;

/**
 * GET /v1/geofences/{id}/visits: the fence's footfall over local dates `from`..`to` (both inclusive, at most
 * `maxDays`; default the 30 days up to today), for a key that may see the fence (404 another tenant's, 403 outside a
 * store-restricted key's stores).
 */
export async function geofenceVisits(
  p: Principal,
  id: string,
  q: { from?: string; to?: string },
  maxDays: number,
  now = new Date(),
) {
  const to = q.to ?? now.toISOString().slice(0, 10);
  const from = q.from ?? new Date(Date.parse(`${to}T00:00:00Z`) - 29 * DAY_MS).toISOString().slice(0, 10);
  const days = (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS + 1;
  if (days < 1) throw unprocessable([{ path: 'from', message: 'from must not be after to.' }]);
  if (days > maxDays)
    throw unprocessable([{ path: 'from', message: `At most ${maxDays} days per report (from ${from} to ${to} is ${days}).` }]);
  await loadGeofence(p, id);
  const { entries, dwells } = await queryFootfall(p.tenantId, id, from, to);
  return footfallReport(entries, dwells);
}
