import { generateKey, hashKey, parseKey } from '../../shared/auth/apikey.js';
import { DEFAULT_RATE_LIMITS } from '../../shared/auth/principal.js';
import { newId } from '../../shared/platform/ids.js';
import { getApiKeyByHash, putApiKey } from '../../shared/store/apikeys.js';
import { nowIso } from '../../shared/store/db.js';

/**
 * Local mode's operator key. An existing key file is reused (and registered
 * again if the table was wiped); otherwise a new key is minted. On AWS the
 * operator key is created with `npm run operator-key` (see README).
 */
export async function ensureOperatorKey(existing: string | undefined): Promise<{ key: string; created: boolean }> {
  if (existing && parseKey(existing) === 'operator') {
    if (!(await getApiKeyByHash(hashKey(existing)))) await registerOperatorKey(existing);
    return { key: existing, created: false };
  }
  const { key } = generateKey('operator');
  await registerOperatorKey(key);
  return { key, created: true };
}

export async function registerOperatorKey(key: string): Promise<void> {
  await putApiKey({
    id: newId('key'),
    tenantId: '',
    name: 'operator',
    kind: 'operator',
    scopes: [],
    storeIds: [],
    prefix: key.slice(0, 12),
    hash: hashKey(key),
    createdAt: nowIso(),
    expiresAt: null,
    revokedAt: null,
    rateLimit: DEFAULT_RATE_LIMITS.operator,
  });
}
