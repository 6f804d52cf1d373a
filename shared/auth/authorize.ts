import { hashKey, parseKey, sameHash } from './apikey.js';
import { TtlCache } from './cache.js';
import type { Principal } from './principal.js';
import { DEFAULT_RATE_LIMITS } from './principal.js';
import { rateLimiter } from './rate-limit.js';
import { outsideRequest } from '../platform/deadline.js';
import { tooManyRequests, unauthorized } from '../platform/errors.js';
import { type ApiKeyRecord, getApiKeyByHash, onApiKeyWritten } from '../store/apikeys.js';

/** The API key a request carries: `Authorization: Bearer <key>`, or `x-api-key: <key>`. */
export function extractKey(headers: Record<string, string | undefined> | null | undefined): string | undefined {
  if (!headers) return undefined;
  let auth: string | undefined;
  let xApiKey: string | undefined;
  for (const [name, value] of Object.entries(headers)) {
    const n = name.toLowerCase();
    if (n === 'authorization') auth = value;
    else if (n === 'x-api-key') xApiKey = value;
  }
  if (auth) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    return m ? m[1] : undefined;
  }
  return xApiKey?.trim() || undefined;
}

/**
 * How long a container trusts a key record it read (found or not found): a
 * key revoked elsewhere is refused within this many seconds by a warm
 * container. Expiry is checked against the clock on every request.
 */
export const KEY_CACHE_TTL_S = 30;
/** Key records a container keeps (and, apart, as many hashes known to match no key). */
export const KEY_CACHE_SIZE = 10_000;

const keys = new TtlCache<ApiKeyRecord>(KEY_CACHE_TTL_S * 1000, KEY_CACHE_SIZE);
// A key created or revoked by this container is read afresh at once (locally, one process serves every function).
onApiKeyWritten((hash) => keys.forget(hash));

/** Forget every cached key record (tests). */
export function clearKeyCache(): void {
  keys.clear();
}

/**
 * The one decision every request with a key goes through, inside each
 * function, locally and on AWS: a well-formed key with a valid checksum, known
 * by its SHA-256 (read at most once per KEY_CACHE_TTL_S per container), neither
 * revoked nor expired, within its rate limit (rate-limit.ts: no DynamoDB call
 * on the request's path).
 * Throws unauthorized or rate-limited domain errors; dependency errors
 * propagate (503 upstream) and are not cached.
 * The clock is read at each step: a request slowed down by the key read must
 * not judge the bucket by a stale time.
 */
export async function authorize(
  headers: Record<string, string | undefined> | null | undefined,
  clock: () => number = Date.now,
): Promise<Principal> {
  const key = extractKey(headers);
  if (!key) throw unauthorized('Missing API key: send Authorization: Bearer <key> or x-api-key.');
  const kind = parseKey(key);
  if (!kind) throw unauthorized('Malformed API key.');
  const hash = hashKey(key);
  // One read can serve concurrent requests of the key: it runs outside the deadline of the one that started it.
  const rec = await keys.get(hash, clock(), (h) => outsideRequest(() => getApiKeyByHash(h)));
  if (!rec || !sameHash(rec.hash, hash) || rec.kind !== kind) throw unauthorized('Unknown API key.');
  if (rec.revokedAt) throw unauthorized('This API key was revoked.');
  if (rec.expiresAt && Date.parse(rec.expiresAt) <= clock()) throw unauthorized('This API key has expired.');
  const waitMs = rateLimiter.take(rec.id, rec.rateLimit ?? DEFAULT_RATE_LIMITS[kind], clock());
  if (waitMs > 0) throw tooManyRequests(waitMs / 1000);
  return { kind, keyId: rec.id, tenantId: rec.tenantId, scopes: [...rec.scopes], storeIds: [...rec.storeIds] };
}
