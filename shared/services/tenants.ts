import { SCOPES } from '../auth/principal.js';
import { newId } from '../platform/ids.js';
import { nowIso } from '../store/db.js';
import { putTenantWithKey } from '../store/tenants.js';
import { mintKey } from './keys.js';

/** Create a tenant with its admin key (a secret key with every scope), atomically. */
export async function createTenant(name: string) {
  const tenant = { id: newId('ten'), name, createdAt: nowIso() };
  const { record, key } = mintKey(tenant.id, { name: 'admin', kind: 'secret', scopes: [...SCOPES] });
  await putTenantWithKey(tenant, record);
  return { tenant, adminKey: key };
}
