import { hashKey, parseKey, sameHash } from './apikey.js';
import type { Principal } from './principal.js';
import { DEFAULT_RATE_LIMITS } from './principal.js';
import { tooManyRequests, unauthorized } from '../platform/errors.js';
import { getApiKeyByHash } from '../store/apikeys.js';
import { takeToken } from '../store/ratelimit.js';

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
 * The one decision every request goes through, locally and on AWS (the Lambda
 * authorizer calls this): a well-formed key with a valid checksum, known by its
 * SHA-256, neither revoked nor expired, within its rate limit.
 * Throws unauthorized or rate-limited domain errors; dependency errors propagate (503 upstream).
 * The clock is read at each step: a request slowed down between the key read
 * and the rate-limit write must not judge the bucket by a stale time (under
 * load that refused requests well within their burst).
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
  const rec = await getApiKeyByHash(hash);
  if (!rec || !sameHash(rec.hash, hash) || rec.kind !== kind) throw unauthorized('Unknown API key.');
  if (rec.revokedAt) throw unauthorized('This API key was revoked.');
  if (rec.expiresAt && Date.parse(rec.expiresAt) <= clock()) throw unauthorized('This API key has expired.');
  const wait = await takeToken(rec.id, rec.rateLimit ?? DEFAULT_RATE_LIMITS[kind], clock());
  if (wait > 0) throw tooManyRequests(wait);
  return { kind, keyId: rec.id, tenantId: rec.tenantId, scopes: rec.scopes, storeIds: rec.storeIds };
}
