import { decodeProtectedHeader, errors, jwtVerify } from 'jose';
import { ID_MAX, ID_PATTERN } from '../domain/values/id.js';
import { outsideRequest } from '../platform/deadline.js';
import { isDependencyUnavailable, unauthorized } from '../platform/errors.js';
import { errorFields, log } from '../platform/log.js';
import { unseal } from '../platform/sealed.js';
import { listTokenKeys, onTokenKeyWritten } from '../store/token-keys.js';
import { TtlCache } from './cache.js';

/**
 * Shopper tokens (API v1.1): who a publishable key's request is for. A JWT
 * (RFC 7519) signed with HS256 by one of the tenant's signing keys, either by
 * the tenant's own server or by `POST /v1/shopper-tokens`:
 *   header  {alg: "HS256", kid}
 *   claims  {sub: <shopper id>, iat, exp (at most 24 h after iat), aud: "geo-offers"}
 * The HS256 key is the UTF-8 bytes of the signing key's `secret`, exactly as
 * the API returned it. Verified with jose: only HS256, the audience, `exp`
 * and `iat` within TOKEN_CLOCK_TOLERANCE_S of the clock, `sub` an id.
 *
 * The tenant's signing keys are read in one query and kept by the container
 * for at most TOKEN_KEY_CACHE_TTL_S (a key deleted elsewhere stops working
 * within that on AWS; in the container that deleted it, at once, which locally
 * is every function). A kid the cached keys do not hold makes the container
 * read them again, at most once per TOKEN_KEY_REFRESH_MS per tenant (a key
 * just created elsewhere works within that); otherwise unknown kids cost no
 * read. So verification costs no DynamoDB read per request beyond that cache.
 */

/** The request header that carries the token (HTTP header names are case-insensitive). */
export const SHOPPER_TOKEN_HEADER = 'shopper-token';
/** The `aud` every shopper token carries. */
export const TOKEN_AUDIENCE = 'geo-offers';
/** Longest a token may live: `exp` − `iat`. */
export const TOKEN_MAX_LIFETIME_S = 86_400;
/** Clock skew accepted between the signer's clock and ours, on `exp` and `iat`. */
export const TOKEN_CLOCK_TOLERANCE_S = 30;
/** How long a container keeps a tenant's signing keys: the bound on a deleted key's life elsewhere. */
export const TOKEN_KEY_CACHE_TTL_S = 60;
/** A kid the cached keys lack reloads the tenant's keys at most this often. */
export const TOKEN_KEY_REFRESH_MS = 1000;
/** Tenants whose keys a container keeps. */
export const TOKEN_KEY_CACHE_SIZE = 10_000;
/** Longer tokens are refused unread (ours are about 250 characters). */
export const TOKEN_MAX_CHARS = 4096;
/** Signing keys a tenant may hold at once (rotation needs two; a few spare for several signing servers). */
export const TOKEN_KEYS_MAX = 10;
/** Bounds and default of `expiresInSeconds` when the API mints a token (POST /v1/shopper-tokens). */
export const TOKEN_TTL_MIN_S = 60;
export const TOKEN_TTL_MAX_S = TOKEN_MAX_LIFETIME_S;
export const TOKEN_TTL_DEFAULT_S = 3600;
/** The form of a signing key's id: `tk_` and a lower-case ULID. */
export const KID_PATTERN = /^tk_[0-9a-z]{26}$/;

/** The sealing context of a tenant's signing keys. */
export const tokenKeySealContext = (tenantId: string) => ({ tenantId, purpose: 'shopper-token-key' as const });

interface TenantKeys {
  /** kid → HS256 key bytes. */
  keys: Map<string, Uint8Array>;
  /** When the read that found them started (ms). */
  readAt: number;
}

const cache = new TtlCache<TenantKeys>(TOKEN_KEY_CACHE_TTL_S * 1000, TOKEN_KEY_CACHE_SIZE);
// A key created or deleted by this container is read afresh at once (locally, one process serves every function).
onTokenKeyWritten((tenantId) => cache.forget(tenantId));

/** Forget every cached signing key (tests). */
export function clearTokenKeyCache(): void {
  cache.clear();
}

const encoder = new TextEncoder();

/** A tenant's signing keys, opened. A key that does not open is left out (and logged): its tokens are refused. */
async function loadTenantKeys(tenantId: string, readAt: number): Promise<TenantKeys> {
  const records = await listTokenKeys(tenantId);
  const keys = new Map<string, Uint8Array>();
  for (const r of records) {
    try {
      keys.set(r.kid, encoder.encode(await unseal(r.sealed, tokenKeySealContext(tenantId))));
    } catch (err) {
      // KMS down or not configured is not the key's fault: a 503 (or a 500), never a refusal kept for 60 s.
      if (isDependencyUnavailable(err) || /^No key for secrets at rest/.test((err as Error | undefined)?.message ?? ''))
        throw err;
      log('error', 'a shopper-token signing key does not open', { tenantId, kid: r.kid, ...errorFields(err) });
    }
  }
  return { keys, readAt };
}

/** The HS256 key of `kid` for this tenant, from the container's cache (read when stale, or for a kid it lacks). */
async function signingKey(tenantId: string, kid: string, now: number): Promise<Uint8Array | undefined> {
  // The load runs outside the request's deadline: concurrent requests of the tenant share it.
  const load = () => outsideRequest(() => loadTenantKeys(tenantId, now));
  let got = await cache.get(tenantId, now, load);
  if (got?.keys.has(kid)) return got.keys.get(kid);
  if (got && now - got.readAt >= 0 && now - got.readAt < TOKEN_KEY_REFRESH_MS) return undefined;
  cache.forget(tenantId);
  got = await cache.get(tenantId, now, load);
  return got?.keys.get(kid);
}

const refused = (why: string) => unauthorized(`Invalid shopper token: ${why}`);

/** The claims of a jose refusal, as a caller can act on them (never the token itself). */
function joseRefusal(err: unknown): Error {
  if (err instanceof errors.JWTExpired)
    return refused(err.claim === 'iat' ? 'it was issued more than 24 h ago.' : 'it has expired (exp).');
  if (err instanceof errors.JWSSignatureVerificationFailed) return refused('the signature does not match its key (kid).');
  if (err instanceof errors.JOSEAlgNotAllowed) return refused('only HS256 is accepted.');
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.claim === 'aud') return refused(`aud must be "${TOKEN_AUDIENCE}".`);
    if (err.reason === 'missing') return refused(`the ${err.claim} claim is missing.`);
    if (err.claim === 'iat') return refused('it was issued in the future (iat).');
    return refused(`the ${err.claim} claim is not valid.`);
  }
  if (err instanceof errors.JOSEError) return refused('it is not a well-formed JWT.');
  return err as Error;
}

/**
 * The shopper a publishable key's request is for: the `sub` of its verified
 * token. Throws 401 (unauthorized) for a missing, malformed, expired, wrongly
 * signed, other-tenant or deleted-kid token; a dependency error reading the
 * keys propagates (503) and is not cached.
 */
export async function verifyShopperToken(tenantId: string, token: string | undefined, now: number): Promise<string> {
  if (!token?.trim())
    throw unauthorized(
      'Missing shopper token: a publishable key needs a Shopper-Token header, a JWT that your server issues (POST /v1/shopper-tokens).',
    );
  const jwt = token.trim();
  if (jwt.length > TOKEN_MAX_CHARS || jwt.split('.').length !== 3) throw refused('it is not a well-formed JWT.');
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(jwt);
  } catch {
    throw refused('it is not a well-formed JWT.');
  }
  if (header.alg !== 'HS256') throw refused('only HS256 is accepted.');
  if (typeof header.kid !== 'string' || !KID_PATTERN.test(header.kid))
    throw refused('its header has no kid of a signing key (tk_…).');
  const key = await signingKey(tenantId, header.kid, now);
  if (!key) throw refused('its kid names no signing key of this tenant (deleted, or another tenant’s).');
  let claims: Awaited<ReturnType<typeof jwtVerify>>['payload'];
  try {
    ({ payload: claims } = await jwtVerify(jwt, key, {
      algorithms: ['HS256'],
      audience: TOKEN_AUDIENCE,
      clockTolerance: TOKEN_CLOCK_TOLERANCE_S,
      // Also makes iat required, and refuses one in the future (beyond the tolerance).
      maxTokenAge: TOKEN_MAX_LIFETIME_S,
      requiredClaims: ['sub', 'iat', 'exp'],
      currentDate: new Date(now),
    }));
  } catch (err) {
    throw joseRefusal(err);
  }
  const { sub, iat, exp } = claims as { sub?: unknown; iat: number; exp: number };
  if (exp - iat > TOKEN_MAX_LIFETIME_S) throw refused('it may live at most 24 h (exp − iat ≤ 86400).');
  if (typeof sub !== 'string' || sub.length > ID_MAX || !ID_PATTERN.test(sub))
    throw refused('sub is not a shopper id (1-128 of A-Z a-z 0-9 _ . : -).');
  return sub;
}
