import { hashKey, parseKey, sameHash } from './apikey.js';
import { TtlCache } from './cache.js';
import type { Principal } from './principal.js';
import { DEFAULT_RATE_LIMITS } from './principal.js';
import { UNKNOWN_KEY_SOURCE_LIMIT, unknownKeyLimiter } from './rate-limit.js';
import { SHOPPER_TOKEN_HEADER, verifyShopperToken } from './shopper-token.js';
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

/** The value of one header, whatever the case of its name (undefined when absent). */
export function headerValue(headers: Record<string, string | undefined> | null | undefined, name: string): string | undefined {
  if (!headers) return undefined;
  for (const [n, value] of Object.entries(headers)) if (n.toLowerCase() === name) return value;
  return undefined;
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

/** What the gateway knows of where a request came from. */
export interface RequestSource {
  /** The client's address (API Gateway's `requestContext.identity.sourceIp`; the local gateway's socket address). */
  sourceIp?: string;
}

const refusedUnknown = (waitMs: number) =>
  tooManyRequests(waitMs / 1000, 'Too many requests with unknown API keys from this address.');

/**
 * The one decision every request with a key goes through, inside each
 * function, locally and on AWS: a well-formed key with a valid checksum, known
 * by its SHA-256 (read at most once per KEY_CACHE_TTL_S per container, found
 * or not), neither revoked nor expired; for a publishable key, a valid shopper
 * token (shopper-token.ts), whose `sub` becomes `principal.shopperId`, on
 * every route (so that every function serving keyed routes may open the
 * tenants' token signing keys: infra/aws/functions.ts).
 * Unknown keys (well formed, no such key) are limited per source address
 * (UNKNOWN_KEY_SOURCE_LIMIT): past it they are 429, and a key this container
 * knows nothing of is then refused without a read, so forged keys cost at
 * most that many DynamoDB reads per source. Requests whose source is not known
 * share one bucket. A Shopper-Token sent with a secret key is ignored (secret
 * keys act for any shopper of their tenant).
 * The key's own rate limit is not taken here but once the route is known
 * (shared/http/pipeline/authorize.ts), after the per-shopper limit.
 * Throws unauthorized or rate-limited domain errors; dependency errors
 * propagate (503 upstream) and are not cached.
 * The clock is read at each step: a request slowed down by the key read must
 * not judge by a stale time.
 */
export async function authorize(
  headers: Record<string, string | undefined> | null | undefined,
  clock: () => number = Date.now,
  source: RequestSource = {},
): Promise<Principal> {
  const key = extractKey(headers);
  if (!key) throw unauthorized('Missing API key: send Authorization: Bearer <key> or x-api-key.');
  const kind = parseKey(key);
  if (!kind) throw unauthorized('Malformed API key.');
  const hash = hashKey(key);
  const from = source.sourceIp ?? '';
  // A source past its budget of unknown keys reads no key this container knows nothing of.
  if (!keys.knows(hash, clock())) {
    const waitMs = unknownKeyLimiter.wouldWait(from, UNKNOWN_KEY_SOURCE_LIMIT, clock());
    if (waitMs > 0) throw refusedUnknown(waitMs);
  }
  // One read can serve concurrent requests of the key: it runs outside the deadline of the one that started it.
  const rec = await keys.get(hash, clock(), (h) => outsideRequest(() => getApiKeyByHash(h)));
  if (!rec || !sameHash(rec.hash, hash) || rec.kind !== kind) {
    const waitMs = unknownKeyLimiter.take(from, UNKNOWN_KEY_SOURCE_LIMIT, clock());
    if (waitMs > 0) throw refusedUnknown(waitMs);
    throw unauthorized('Unknown API key.');
  }
  if (rec.revokedAt) throw unauthorized('This API key was revoked.');
  if (rec.expiresAt && Date.parse(rec.expiresAt) <= clock()) throw unauthorized('This API key has expired.');
  const principal: Principal = {
    kind,
    keyId: rec.id,
    tenantId: rec.tenantId,
    scopes: [...rec.scopes],
    storeIds: [...rec.storeIds],
    rateLimit: rec.rateLimit ?? DEFAULT_RATE_LIMITS[kind],
  };
  if (kind !== 'publishable') return principal;
  principal.deviceAttributes = [...(rec.deviceAttributes ?? [])];
  principal.shopperId = await verifyShopperToken(rec.tenantId, headerValue(headers, SHOPPER_TOKEN_HEADER), clock());
  return principal;
}
