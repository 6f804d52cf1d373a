import { generateKey } from '../auth/apikey.js';
import {
  DEFAULT_RATE_LIMITS,
  PUBLISHABLE_SCOPES,
  SCOPES,
  type Principal,
  type RateLimit,
  type Scope,
} from '../auth/principal.js';
import { forbidden, notFound, unprocessable, type FieldError } from '../platform/errors.js';
import { newId } from '../platform/ids.js';
import { getTenantApiKey, listApiKeys, putApiKey, revokeApiKey, type ApiKeyRecord } from '../store/apikeys.js';
import { nowIso } from '../store/db.js';
import { getStoresByIds } from '../store/stores.js';
import { auditItem } from './audit.js';

export interface KeyInput {
  name: string;
  kind: 'secret' | 'publishable';
  scopes?: Scope[];
  storeIds?: string[];
  expiresAt?: string;
  rateLimit?: RateLimit;
  /** Publishable keys only: the `attributes.<name>` its app may send inline (at most DEVICE_ATTRIBUTES_MAX). */
  deviceAttributes?: string[];
}

/** Public view of a key: never its value or hash. */
export function keyView(r: ApiKeyRecord) {
  return {
    id: r.id,
    name: r.name,
    kind: r.kind as 'secret' | 'publishable',
    scopes: r.scopes,
    storeIds: r.storeIds,
    prefix: r.prefix,
    createdAt: r.createdAt,
    expiresAt: r.expiresAt,
    revokedAt: r.revokedAt,
    rateLimit: r.rateLimit,
    deviceAttributes: r.deviceAttributes ?? [],
  };
}

/** A new key record and its value (the value is returned once and never stored). */
export function mintKey(tenantId: string, input: KeyInput): { record: ApiKeyRecord; key: string } {
  const { key, hash, prefix } = generateKey(input.kind);
  const scopes = input.scopes ?? (input.kind === 'publishable' ? [...PUBLISHABLE_SCOPES] : [...SCOPES]);
  return {
    key,
    record: {
      id: newId('key'),
      tenantId,
      name: input.name,
      kind: input.kind,
      scopes: [...new Set(scopes)],
      storeIds: [...new Set(input.storeIds ?? [])],
      prefix,
      hash,
      createdAt: nowIso(),
      expiresAt: input.expiresAt ? new Date(input.expiresAt).toISOString() : null,
      revokedAt: null,
      rateLimit: input.rateLimit ?? DEFAULT_RATE_LIMITS[input.kind],
      deviceAttributes: input.kind === 'publishable' ? [...new Set(input.deviceAttributes ?? [])] : [],
    },
  };
}

export async function createKey(caller: Principal, input: KeyInput) {
  const errors: FieldError[] = [];
  if (input.kind === 'publishable') {
    (input.scopes ?? []).forEach((s, i) => {
      if (!PUBLISHABLE_SCOPES.includes(s))
        errors.push({ path: `scopes[${i}]`, message: 'A publishable key may only hold offers:write and offers:redeem.' });
    });
  }
  // Only an app sends attributes inline; a secret key's server sends whole profiles (PUT /v1/shoppers/{shopperId}).
  if (input.kind !== 'publishable' && input.deviceAttributes?.length)
    errors.push({ path: 'deviceAttributes', message: 'Only publishable keys carry deviceAttributes.' });
  if (input.expiresAt && Date.parse(input.expiresAt) <= Date.now())
    errors.push({ path: 'expiresAt', message: 'Must be in the future.' });
  if (input.rateLimit && input.rateLimit.burst < input.rateLimit.rps)
    errors.push({ path: 'rateLimit.burst', message: 'Must be at least rps.' });
  if (errors.length) throw unprocessable(errors);
  // A key cannot mint a key more powerful than itself.
  const scopes = input.scopes ?? (input.kind === 'publishable' ? [...PUBLISHABLE_SCOPES] : caller.scopes);
  const beyond = scopes.filter((s) => !caller.scopes.includes(s));
  if (beyond.length) throw forbidden(`This key cannot grant scopes it does not hold: ${beyond.join(', ')}.`);
  if (caller.storeIds.length) {
    const storeIds = input.storeIds ?? [];
    if (!storeIds.length || storeIds.some((s) => !caller.storeIds.includes(s)))
      throw forbidden('A store-restricted key can only create keys restricted to its own stores.');
  }
  const storeIds = [...new Set(input.storeIds ?? [])];
  if (storeIds.length) {
    const found = new Set((await getStoresByIds(caller.tenantId, storeIds)).map((s) => s.id));
    const missing = (input.storeIds ?? []).map((s, i) => ({ s, i })).filter(({ s }) => !found.has(s));
    if (missing.length) throw unprocessable(missing.map(({ i }) => ({ path: `storeIds[${i}]`, message: 'No such store.' })));
  }
  const { record, key } = mintKey(caller.tenantId, { ...input, scopes });
  // One transaction: the key's items and its audit entry.
  await putApiKey(record, [auditItem(caller, 'key.create', record.id)]);
  return { ...keyView(record), key };
}

/** A store-restricted caller manages only keys restricted to (a subset of) its own stores. */
function manages(caller: Principal, rec: ApiKeyRecord): boolean {
  if (!caller.storeIds.length) return true;
  return rec.storeIds.length > 0 && rec.storeIds.every((s) => caller.storeIds.includes(s));
}

export async function listKeys(caller: Principal, limit: number, cursor?: string) {
  const page = await listApiKeys(caller.tenantId, limit, cursor);
  return { items: page.items.filter((k) => manages(caller, k)).map(keyView), nextCursor: page.nextCursor };
}

export async function revokeKey(caller: Principal, keyId: string) {
  const rec = await getTenantApiKey(caller.tenantId, keyId);
  if (!rec) throw notFound('API key');
  if (!manages(caller, rec)) throw forbidden('A store-restricted key can only revoke keys restricted to its own stores.');
  // One transaction: the revocation and its audit entry (a key already revoked writes neither).
  if (!(await revokeApiKey(caller.tenantId, keyId, [auditItem(caller, 'key.revoke', keyId)]))) throw notFound('API key');
}
