import { randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';
import type { Principal } from '../auth/principal.js';
import { TOKEN_AUDIENCE, TOKEN_KEYS_MAX, TOKEN_TTL_DEFAULT_S, tokenKeySealContext } from '../auth/shopper-token.js';
import { conflict, forbidden, notFound } from '../platform/errors.js';
import { newId } from '../platform/ids.js';
import { seal, unseal } from '../platform/sealed.js';
import { nowIso } from '../store/db.js';
import { deleteTokenKey, listTokenKeys, putTokenKey, type TokenKeyRecord } from '../store/token-keys.js';

/**
 * Shopper tokens (API v1.1): the tenant's signing keys, and tokens minted
 * with them. A signing key is an HS256 secret (`geo_tks_` + 256 random bits,
 * base64url) shown once and stored sealed; a token is a JWT its holder's app
 * sends as `Shopper-Token` beside the publishable key (verified in
 * shared/auth/shopper-token.ts).
 * Signing keys and tokens act for every store of the tenant, so a
 * store-restricted key can neither manage keys nor mint tokens (403).
 */

const SECRET_PREFIX = 'geo_tks_';

/** A signing key as listed: never its secret. */
export const tokenKeyView = (r: TokenKeyRecord) => ({ kid: r.kid, createdAt: r.createdAt });

function tenantWide(caller: Principal, what: string): void {
  if (caller.storeIds.length)
    throw forbidden(`A store-restricted key cannot ${what}: shopper tokens act for every store of the tenant.`);
}

/** A new signing key for the tenant, written if it has fewer than `fewerThan`; its secret, or undefined when it has that many. */
async function addKey(tenantId: string, fewerThan: number): Promise<{ record: TokenKeyRecord; secret: string } | undefined> {
  const secret = `${SECRET_PREFIX}${randomBytes(32).toString('base64url')}`;
  const record: TokenKeyRecord = {
    kid: newId('tk'),
    tenantId,
    sealed: await seal(secret, tokenKeySealContext(tenantId)),
    createdAt: nowIso(),
  };
  return (await putTokenKey(record, fewerThan)) ? { record, secret } : undefined;
}

/** POST /v1/shopper-token-keys: a new signing key; its secret is in this answer only. */
export async function createTokenKey(caller: Principal) {
  tenantWide(caller, 'manage shopper-token signing keys');
  const added = await addKey(caller.tenantId, TOKEN_KEYS_MAX);
  if (!added)
    throw conflict(
      'token-key-limit',
      `A tenant holds at most ${TOKEN_KEYS_MAX} shopper-token signing keys; delete one (DELETE /v1/shopper-token-keys/{kid}) first.`,
    );
  return { ...tokenKeyView(added.record), secret: added.secret };
}

/** GET /v1/shopper-token-keys: the tenant's signing keys, newest first (at most TOKEN_KEYS_MAX: one page). */
export async function listTokenKeysOf(caller: Principal) {
  tenantWide(caller, 'manage shopper-token signing keys');
  return { items: (await listTokenKeys(caller.tenantId)).map(tokenKeyView), nextCursor: null };
}

/** DELETE /v1/shopper-token-keys/{kid}: every token signed with it is refused from then on (within 60 s on AWS). */
export async function deleteTokenKeyOf(caller: Principal, kid: string) {
  tenantWide(caller, 'manage shopper-token signing keys');
  if (!(await deleteTokenKey(caller.tenantId, kid))) throw notFound('Shopper-token signing key');
}

export interface MintInput {
  shopperId: string;
  expiresInSeconds?: number;
}

/**
 * POST /v1/shopper-tokens: a token for one shopper, signed with the tenant's
 * newest signing key (one is created when the tenant has none; of two
 * concurrent first mints, one creates it and the other uses it).
 */
export async function mintShopperToken(caller: Principal, input: MintInput, now = Date.now()) {
  tenantWide(caller, 'mint shopper tokens');
  let newest = (await listTokenKeys(caller.tenantId))[0];
  let secret: string | undefined;
  if (!newest) {
    const added = await addKey(caller.tenantId, 1);
    if (added) ({ record: newest, secret } = added);
    else newest = (await listTokenKeys(caller.tenantId))[0];
    if (!newest) throw conflict('token-key-race', 'The signing keys changed while minting; retry.');
  }
  secret ??= await unseal(newest.sealed, tokenKeySealContext(caller.tenantId));
  const iat = Math.floor(now / 1000);
  const exp = iat + (input.expiresInSeconds ?? TOKEN_TTL_DEFAULT_S);
  const token = await new SignJWT({})
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT', kid: newest.kid })
    .setSubject(input.shopperId)
    .setAudience(TOKEN_AUDIENCE)
    .setIssuedAt(iat)
    .setExpirationTime(exp)
    .sign(new TextEncoder().encode(secret));
  return { token, shopperId: input.shopperId, expiresAt: new Date(exp * 1000).toISOString() };
}
