import type { Principal } from '../auth/principal.js';
import { type Retention, withDefaults } from '../domain/values/retention.js';
import { forbidden, unavailable } from '../platform/errors.js';
import { nowIso } from '../store/db.js';
import { getTenantSettings, putTenantSettings } from '../store/settings.js';
import { auditItem } from './audit.js';
import { forgetTenantRetention } from './offer-config.js';

/**
 * Tenant settings (GET|PATCH /v1/settings): today, how long each kind of item
 * about a shopper is kept. A shorter retention applies at once on every read
 * (the shopper reads and deliveries read it fresh; the offer path, redemption,
 * conversions and stats counting within CONFIG_CACHE_TTL_S) and the background sweep (services/retention-sweep.ts)
 * deletes what it hides.
 */

/** Tries of a settings write that lost a race with another. */
const WRITE_TRIES = 3;

export interface SettingsPatch {
  retention?: Partial<Retention>;
}

function tenantWide(p: Principal) {
  if (p.storeIds.length) throw forbidden("The tenant's settings cover every store, and this key is restricted to some stores.");
}

const view = (s: { retention: Retention }) => ({ retention: s.retention });

export async function getSettings(p: Principal) {
  tenantWide(p);
  return view(await getTenantSettings(p.tenantId));
}

/** Change some knobs (the others keep their values); recorded as `settings.update` in the same transaction. */
export async function updateSettings(p: Principal, patch: SettingsPatch) {
  tenantWide(p);
  for (let i = 0; i < WRITE_TRIES; i++) {
    const current = await getTenantSettings(p.tenantId);
    const next = { retention: withDefaults({ ...current.retention, ...(patch.retention ?? {}) }), updatedAt: nowIso() };
    const written = await putTenantSettings(p.tenantId, next, current.version, [auditItem(p, 'settings.update', 'settings')]);
    if (written.ok) {
      forgetTenantRetention(p.tenantId);
      return view(next);
    }
  }
  throw unavailable(1);
}

/** The tenant's retention, read now (the store's; named here for the services that read shopper items). */
export { readTenantRetention as currentRetention } from '../store/settings.js';
