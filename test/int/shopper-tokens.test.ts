import { readFileSync } from 'node:fs';
import { decodeJwt, decodeProtectedHeader, SignJWT } from 'jose';
import { beforeEach, describe, expect, it } from 'vitest';
import { generateKey } from '../../shared/auth/apikey.js';
import { authorize, clearKeyCache } from '../../shared/auth/authorize.js';
import { UNKNOWN_KEY_SOURCE_LIMIT, unknownKeyLimiter } from '../../shared/auth/rate-limit.js';
import {
  clearTokenKeyCache,
  TOKEN_CLOCK_TOLERANCE_S,
  TOKEN_KEY_CACHE_TTL_S,
  TOKEN_KEY_REFRESH_MS,
  TOKEN_KEYS_MAX,
} from '../../shared/auth/shopper-token.js';
import { DomainError } from '../../shared/platform/errors.js';
import { tokenKeyKey } from '../../shared/store/token-keys.js';
import { api, type ApiResponse, expectProblem, newKey, newTenant, shopperToken } from '../support/api.js';
import { countDynamoRequests, storedItems } from '../support/principal.js';

/**
 * Shopper tokens (API v1.1) over HTTP against the local stack, and the
 * authorization decision in this process (one warm container) where reads are
 * counted. The app's requests carry a publishable key and a Shopper-Token.
 */

const PLACE = { lat: 41.3874, lng: 2.1686, accuracyM: 10 };
const nowS = () => Math.floor(Date.now() / 1000);
const te = new TextEncoder();

interface SigningKey {
  kid: string;
  secret: string;
}

/** A tenant with a publishable key and one signing key of its own. */
async function app() {
  const t = await newTenant();
  const pk = await newKey(t.adminKey, { kind: 'publishable' });
  const res = await api('POST', '/v1/shopper-token-keys', { key: t.adminKey });
  expect(res.status).toBe(201);
  return { ...t, pk: pk.key, signing: res.body as SigningKey };
}

/** A token signed as a tenant's server would, with jose; `claims` and `header` override the defaults. */
function sign(
  k: SigningKey,
  sub: string,
  opts: { iat?: number; exp?: number; aud?: string; kid?: string; secret?: string } = {},
): Promise<string> {
  const iat = opts.iat ?? nowS();
  return new SignJWT({})
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT', kid: opts.kid ?? k.kid })
    .setSubject(sub)
    .setAudience(opts.aud ?? 'geo-offers')
    .setIssuedAt(iat)
    .setExpirationTime(opts.exp ?? iat + 3600)
    .sign(te.encode(opts.secret ?? k.secret));
}

/** POST /v1/offers as an app: its publishable key, and the token when given. */
const offers = (pk: string, shopperId: string, token?: string): Promise<ApiResponse> =>
  api('POST', '/v1/offers', {
    key: pk,
    body: { shopperId, location: PLACE },
    headers: token === undefined ? {} : { 'shopper-token': token },
  });

/** The 401 detail of a refused app request. */
async function refused(res: Promise<ApiResponse>): Promise<string> {
  return expectProblem(await res, 401).detail;
}

describe('shopper-token signing keys', () => {
  it('creates a key whose secret is shown once and stored only sealed, lists it without the secret, deletes it', async () => {
    const t = await newTenant();
    const created = await api('POST', '/v1/shopper-token-keys', { key: t.adminKey });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      kid: expect.stringMatching(/^tk_[0-9a-z]{26}$/),
      secret: expect.stringMatching(/^geo_tks_[A-Za-z0-9_-]{43}$/),
      createdAt: expect.any(String),
    });
    expect(Math.abs(Date.parse(created.body.createdAt) - Date.now())).toBeLessThan(60_000);
    const second = await api('POST', '/v1/shopper-token-keys', { key: t.adminKey });
    const list = await api('GET', '/v1/shopper-token-keys', { key: t.adminKey });
    expect(list.status).toBe(200);
    // Newest first, never a secret.
    expect(list.body).toEqual({
      items: [
        { kid: second.body.kid, createdAt: second.body.createdAt },
        { kid: created.body.kid, createdAt: created.body.createdAt },
      ],
      nextCursor: null,
    });
    const [item] = await storedItems({ keys: [tokenKeyKey(t.id, created.body.kid)] });
    expect(String(item.sealed)).toMatch(/^s1\.file\./);
    expect(JSON.stringify(item)).not.toContain(created.body.secret);
    expect(JSON.stringify(item)).not.toContain(created.body.secret.slice(8, 30));

    expect((await api('DELETE', `/v1/shopper-token-keys/${created.body.kid}`, { key: t.adminKey })).status).toBe(204);
    expectProblem(await api('DELETE', `/v1/shopper-token-keys/${created.body.kid}`, { key: t.adminKey }), 404);
    const after = await api('GET', '/v1/shopper-token-keys', { key: t.adminKey });
    expect(after.body.items.map((k: { kid: string }) => k.kid)).toEqual([second.body.kid]);
  });

  it(`holds at most ${TOKEN_KEYS_MAX} keys per tenant (409 beyond), and a deletion makes room`, async () => {
    const t = await newTenant();
    const made = await Promise.all(
      Array.from({ length: TOKEN_KEYS_MAX + 3 }, () => api('POST', '/v1/shopper-token-keys', { key: t.adminKey })),
    );
    expect(made.filter((r) => r.status === 201)).toHaveLength(TOKEN_KEYS_MAX);
    const over = made.filter((r) => r.status !== 201);
    expect(over).toHaveLength(3);
    for (const r of over) expect(expectProblem(r, 409).detail).toContain(`at most ${TOKEN_KEYS_MAX}`);
    const list = await api('GET', '/v1/shopper-token-keys', { key: t.adminKey });
    expect(list.body.items).toHaveLength(TOKEN_KEYS_MAX);
    const kid = made.find((r) => r.status === 201)!.body.kid;
    expect((await api('DELETE', `/v1/shopper-token-keys/${kid}`, { key: t.adminKey })).status).toBe(204);
    expect((await api('POST', '/v1/shopper-token-keys', { key: t.adminKey })).status).toBe(201);
    expectProblem(await api('POST', '/v1/shopper-token-keys', { key: t.adminKey }), 409);
  });

  it("answers 404 for another tenant's kid, and leaves it working", async () => {
    const a = await app();
    const b = await newTenant();
    expectProblem(await api('DELETE', `/v1/shopper-token-keys/${a.signing.kid}`, { key: b.adminKey }), 404);
    expect((await api('GET', '/v1/shopper-token-keys', { key: b.adminKey })).body.items).toEqual([]);
    expect((await offers(a.pk, 'ana', await sign(a.signing, 'ana'))).status).toBe(200);
  });

  it('refuses keys without keys:write, store-restricted keys and publishable keys', async () => {
    const a = await app();
    const reader = await newKey(a.adminKey, { kind: 'secret', scopes: ['stores:read'] });
    expect(expectProblem(await api('POST', '/v1/shopper-token-keys', { key: reader.key }), 403).detail).toContain('keys:write');
    const store = await api('POST', '/v1/stores', {
      key: a.adminKey,
      body: { name: 'Gràcia', location: { lat: PLACE.lat, lng: PLACE.lng }, timezone: 'Europe/Madrid' },
    });
    expect(store.status).toBe(201);
    const manager = await newKey(a.adminKey, {
      kind: 'secret',
      scopes: ['keys:write', 'tokens:write'],
      storeIds: [store.body.id],
    });
    expect(expectProblem(await api('POST', '/v1/shopper-token-keys', { key: manager.key }), 403).detail).toMatch(
      /store-restricted/,
    );
    expectProblem(await api('GET', '/v1/shopper-token-keys', { key: manager.key }), 403);
    expectProblem(await api('POST', '/v1/shopper-tokens', { key: manager.key, body: { shopperId: 'ana' } }), 403);
    const withToken = { key: a.pk, headers: { 'shopper-token': await sign(a.signing, 'ana') } };
    expectProblem(await api('POST', '/v1/shopper-token-keys', withToken), 403);
    expectProblem(await api('POST', '/v1/shopper-tokens', { ...withToken, body: { shopperId: 'ana' } }), 403);
  });
});

describe('POST /v1/shopper-tokens', () => {
  it("mints with the tenant's newest key (creating one when it has none), in the documented format", async () => {
    const t = await newTenant();
    const pk = await newKey(t.adminKey, { kind: 'publishable' });
    const before = nowS();
    const res = await api('POST', '/v1/shopper-tokens', { key: t.adminKey, body: { shopperId: 'ana' } });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ token: expect.any(String), shopperId: 'ana', expiresAt: expect.any(String) });
    const keys = (await api('GET', '/v1/shopper-token-keys', { key: t.adminKey })).body.items;
    expect(keys).toHaveLength(1);
    expect(decodeProtectedHeader(res.body.token)).toEqual({ alg: 'HS256', typ: 'JWT', kid: keys[0].kid });
    const claims = decodeJwt(res.body.token);
    expect(claims).toEqual({ sub: 'ana', aud: 'geo-offers', iat: expect.any(Number), exp: expect.any(Number) });
    expect(claims.iat).toBeGreaterThanOrEqual(before);
    expect(claims.exp! - claims.iat!).toBe(3600);
    expect(Date.parse(res.body.expiresAt)).toBe(claims.exp! * 1000);
    expect((await offers(pk.key, 'ana', res.body.token)).status).toBe(200);

    // A newer key signs the next tokens.
    const newer = await api('POST', '/v1/shopper-token-keys', { key: t.adminKey });
    const next = await api('POST', '/v1/shopper-tokens', {
      key: t.adminKey,
      body: { shopperId: 'bob', expiresInSeconds: 60 },
    });
    expect(decodeProtectedHeader(next.body.token).kid).toBe(newer.body.kid);
    const c = decodeJwt(next.body.token);
    expect(c.exp! - c.iat!).toBe(60);
    expect((await offers(pk.key, 'bob', next.body.token)).status).toBe(200);
  });

  it('creates only one key when the first tokens of a tenant are minted at once', async () => {
    const t = await newTenant();
    const minted = await Promise.all(
      ['a', 'b', 'c', 'd'].map((s) => api('POST', '/v1/shopper-tokens', { key: t.adminKey, body: { shopperId: s } })),
    );
    expect(minted.map((r) => r.status)).toEqual([201, 201, 201, 201]);
    const keys = (await api('GET', '/v1/shopper-token-keys', { key: t.adminKey })).body.items;
    expect(keys).toHaveLength(1);
    expect(new Set(minted.map((r) => decodeProtectedHeader(r.body.token).kid))).toEqual(new Set([keys[0].kid]));
  });

  it('validates its body: 422 naming each bad field', async () => {
    const t = await newTenant();
    const bad = async (body: unknown) =>
      expectProblem(await api('POST', '/v1/shopper-tokens', { key: t.adminKey, body }), 422).errors?.map((e) => e.path);
    expect(await bad({})).toEqual(['shopperId']);
    expect(await bad({ shopperId: 'a b' })).toEqual(['shopperId']);
    expect(await bad({ shopperId: 'x'.repeat(129) })).toEqual(['shopperId']);
    expect(await bad({ shopperId: 'ana', expiresInSeconds: 59 })).toEqual(['expiresInSeconds']);
    expect(await bad({ shopperId: 'ana', expiresInSeconds: 86_401 })).toEqual(['expiresInSeconds']);
    expect(await bad({ shopperId: 'ana', expiresInSeconds: 90.5 })).toEqual(['expiresInSeconds']);
    expect(await bad({ shopperId: 'ana', expiresInSeconds: '3600' })).toEqual(['expiresInSeconds']);
    const extra = expectProblem(
      await api('POST', '/v1/shopper-tokens', { key: t.adminKey, body: { shopperId: 'ana', sub: 'bob' } }),
      422,
    );
    expect(extra.errors).toEqual([{ path: expect.any(String), message: 'Unknown field(s): sub' }]);
    const max = await api('POST', '/v1/shopper-tokens', {
      key: t.adminKey,
      body: { shopperId: 'ana', expiresInSeconds: 86_400 },
    });
    const c = decodeJwt(max.body.token);
    expect(c.exp! - c.iat!).toBe(86_400);
  });
});

describe("the README's signing example", () => {
  it('makes a token the API accepts', async () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const section = readme.slice(readme.indexOf('## Shopper tokens'));
    const code = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
    expect(code).toContain("from 'jose'");
    // The example as a function of jose's SignJWT (its import and export removed), called as a server would.
    const body = code!.replace(/^import .*$/m, '').replace(/^export /m, '');
    const run = new Function('SignJWT', `${body}\nreturn shopperToken;`)(SignJWT) as (
      shopperId: string,
      kid: string,
      secret: string,
    ) => Promise<string>;
    const a = await app();
    const token = await run('ana', a.signing.kid, a.signing.secret);
    const claims = decodeJwt(token);
    expect(claims.exp! - claims.iat!).toBe(3600);
    expect((await offers(a.pk, 'ana', token)).status).toBe(200);
  });
});

describe('a publishable key without a valid shopper token', () => {
  it('gets 401 for a missing, malformed, expired, too long-lived or wrongly signed token', async () => {
    const a = await app();
    const now = nowS();
    expect(await refused(offers(a.pk, 'ana'))).toMatch(/Missing shopper token/);
    expect(await refused(offers(a.pk, 'ana', ''))).toMatch(/Missing shopper token/);
    expect(await refused(offers(a.pk, 'ana', 'not-a-jwt'))).toMatch(/well-formed/);
    expect(await refused(offers(a.pk, 'ana', 'a.b.c'))).toMatch(/well-formed/);
    expect(await refused(offers(a.pk, 'ana', `${'x'.repeat(5000)}.y.z`))).toMatch(/well-formed/);
    // alg none (an unsigned token) and another algorithm are refused before any key is looked at.
    const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const claims = b64({ sub: 'ana', aud: 'geo-offers', iat: now, exp: now + 600 });
    expect(await refused(offers(a.pk, 'ana', `${b64({ alg: 'none', kid: a.signing.kid })}.${claims}.`))).toMatch(/HS256/);
    expect(await refused(offers(a.pk, 'ana', `${b64({ alg: 'HS512', kid: a.signing.kid })}.${claims}.sig`))).toMatch(/HS256/);
    expect(await refused(offers(a.pk, 'ana', `${b64({ alg: 'HS256' })}.${claims}.sig`))).toMatch(/kid/);
    expect(await refused(offers(a.pk, 'ana', await sign(a.signing, 'ana', { iat: now - 7200, exp: now - 60 })))).toMatch(
      /expired/,
    );
    expect(await refused(offers(a.pk, 'ana', await sign(a.signing, 'ana', { iat: now, exp: now + 86_401 })))).toMatch(/24 h/);
    expect(await refused(offers(a.pk, 'ana', await sign(a.signing, 'ana', { iat: now + 600, exp: now + 900 })))).toMatch(
      /future/,
    );
    expect(await refused(offers(a.pk, 'ana', await sign(a.signing, 'ana', { aud: 'someone-else' })))).toMatch(/aud/);
    expect(await refused(offers(a.pk, 'ana', await sign(a.signing, 'ana', { secret: `${a.signing.secret}x` })))).toMatch(
      /signature/,
    );
    expect(await refused(offers(a.pk, 'a b', await sign(a.signing, 'a b')))).toMatch(/sub/);
    // Within the clock tolerance an expiry just past is still accepted (signers' clocks drift).
    const skew = await sign(a.signing, 'ana', { iat: now - 600, exp: now - Math.floor(TOKEN_CLOCK_TOLERANCE_S / 2) });
    expect((await offers(a.pk, 'ana', skew)).status).toBe(200);
  });

  it("gets 401 for another tenant's token, and for a token of a deleted kid at once (locally)", async () => {
    const a = await app();
    const b = await app();
    expect(await refused(offers(a.pk, 'ana', await sign(b.signing, 'ana')))).toMatch(/no signing key of this tenant/);
    expect(await refused(offers(a.pk, 'ana', await shopperToken(b.adminKey, 'ana')))).toMatch(/no signing key of this tenant/);

    const token = await sign(a.signing, 'ana');
    expect((await offers(a.pk, 'ana', token)).status).toBe(200);
    expect((await api('DELETE', `/v1/shopper-token-keys/${a.signing.kid}`, { key: a.adminKey })).status).toBe(204);
    expect(await refused(offers(a.pk, 'ana', token))).toMatch(/deleted/);
    // Redemption too: every request of a publishable key needs the token.
    expectProblem(await api('POST', '/v1/offers/of_x/redeem', { key: a.pk, body: {}, headers: { 'shopper-token': token } }), 401);
  });

  it("cannot be offered as another shopper than the token's (403)", async () => {
    const a = await app();
    const res = await offers(a.pk, 'bob', await sign(a.signing, 'ana'));
    expect(expectProblem(res, 403).detail).toMatch(/Shopper-Token/);
    expect((await offers(a.pk, 'ana', await sign(a.signing, 'ana'))).status).toBe(200);
  });

  it('needs no token with a secret key, which ignores one sent anyway', async () => {
    const a = await app();
    const sk = await newKey(a.adminKey, { kind: 'secret', scopes: ['offers:write'] });
    expect((await offers(sk.key, 'ana')).status).toBe(200);
    expect((await offers(sk.key, 'ana', 'garbage')).status).toBe(200);
    expect((await offers(sk.key, 'bob', await sign(a.signing, 'ana'))).status).toBe(200);
  });
});

/** The refusal of authorize(), as kind and detail, or 'allowed'. */
async function decision(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'allowed';
  } catch (err) {
    if (err instanceof DomainError) return `${err.kind}: ${err.message}`;
    throw err;
  }
}

describe('the decision in a warm container', () => {
  beforeEach(() => {
    clearKeyCache();
    clearTokenKeyCache();
    unknownKeyLimiter.clear();
  });

  const headers = (key: string, token?: string) => ({
    Authorization: `Bearer ${key}`,
    ...(token ? { 'Shopper-Token': token } : {}),
  });

  it("names the token's shopper, and reads nothing more once the key and the signing keys are cached", async () => {
    const a = await app();
    const start = Date.now();
    const token = await sign(a.signing, 'ana');
    const first = await countDynamoRequests(() => authorize(headers(a.pk, token), () => start));
    expect(first.result).toMatchObject({ kind: 'publishable', tenantId: a.id, shopperId: 'ana' });
    expect(first.commands.filter((c) => /Get/.test(c))).toHaveLength(1);
    expect(first.commands.filter((c) => /Query/.test(c))).toHaveLength(1);
    expect(first.requests).toBe(2);
    const again = await countDynamoRequests(() => authorize(headers(a.pk, token), () => start + 1000));
    expect(again.result.shopperId).toBe('ana');
    expect(again.requests).toBe(0);
    // Another shopper's token of the same tenant: no read either.
    const bobToken = await sign(a.signing, 'bob');
    const bob = await countDynamoRequests(() => authorize(headers(a.pk, bobToken), () => start + 2000));
    expect([bob.result.shopperId, bob.requests]).toEqual(['bob', 0]);
    // And none for a refused one.
    const forgedToken = await sign(a.signing, 'bob', { secret: 'not-the-secret' });
    const wrong = await countDynamoRequests(() => decision(authorize(headers(a.pk, forgedToken), () => start + 2000)));
    expect([wrong.result, wrong.requests]).toEqual([
      'unauthorized: Invalid shopper token: the signature does not match its key (kid).',
      0,
    ]);
  });

  it(`keeps a kid deleted elsewhere for less than ${TOKEN_KEY_CACHE_TTL_S} s, then refuses it`, async () => {
    const a = await app();
    const start = Date.now();
    const token = await sign(a.signing, 'ana', { iat: nowS(), exp: nowS() + 3600 });
    expect((await authorize(headers(a.pk, token), () => start)).shopperId).toBe('ana');
    // Deleted by the stack (another process): for this container, elsewhere.
    expect((await api('DELETE', `/v1/shopper-token-keys/${a.signing.kid}`, { key: a.adminKey })).status).toBe(204);
    const stale = await countDynamoRequests(() =>
      authorize(headers(a.pk, token), () => start + TOKEN_KEY_CACHE_TTL_S * 1000 - 1),
    );
    expect(stale.result.shopperId).toBe('ana');
    expect(stale.commands.filter((c) => /Query/.test(c))).toHaveLength(0);
    const fresh = await countDynamoRequests(() =>
      decision(authorize(headers(a.pk, token), () => start + TOKEN_KEY_CACHE_TTL_S * 1000)),
    );
    expect(fresh.result).toMatch(/^unauthorized: Invalid shopper token: .*deleted/);
    expect(fresh.commands.filter((c) => /Query/.test(c))).toHaveLength(1);
  });

  it(`reads a tenant's keys again for an unknown kid at most once per ${TOKEN_KEY_REFRESH_MS} ms, and finds a new key`, async () => {
    const a = await app();
    const start = Date.now();
    expect((await authorize(headers(a.pk, await sign(a.signing, 'ana')), () => start)).shopperId).toBe('ana');
    const unknownKid = await sign(a.signing, 'ana', { kid: 'tk_0000000000000000000000zzzz' });
    const reads = async (at: number) => {
      const r = await countDynamoRequests(() => decision(authorize(headers(a.pk, unknownKid), () => at)));
      expect(r.result).toMatch(/no signing key of this tenant/);
      return r.requests;
    };
    expect(await reads(start + 1)).toBe(0);
    expect(await reads(start + TOKEN_KEY_REFRESH_MS - 1)).toBe(0);
    expect(await reads(start + TOKEN_KEY_REFRESH_MS)).toBe(1);
    expect(await reads(start + TOKEN_KEY_REFRESH_MS + 10)).toBe(0);
    // A key created elsewhere after the cache was filled works once the refresh may run.
    const created = await api('POST', '/v1/shopper-token-keys', { key: a.adminKey });
    const newer = await sign(created.body as SigningKey, 'bob');
    const later = start + 3 * TOKEN_KEY_REFRESH_MS;
    expect((await authorize(headers(a.pk, newer), () => later)).shopperId).toBe('bob');
  });

  it('reads a forged key once, then remembers it', async () => {
    const forged = generateKey('publishable').key;
    const start = Date.now();
    const reads = async () => {
      const r = await countDynamoRequests(() => decision(authorize(headers(forged), () => start, { sourceIp: '198.51.100.1' })));
      expect(r.result).toBe('unauthorized: Unknown API key.');
      return r.requests;
    };
    expect(await reads()).toBe(1);
    expect(await reads()).toBe(0);
    expect(await reads()).toBe(0);
  });

  it(`limits forged keys per source (${UNKNOWN_KEY_SOURCE_LIMIT.burst} at once, ${UNKNOWN_KEY_SOURCE_LIMIT.rps}/s): past it 429 without a read; other sources and known keys are unaffected`, async () => {
    const t = await newTenant();
    const known = await newKey(t.adminKey, { kind: 'secret', scopes: ['stores:read'] });
    const start = Date.now();
    const attacker = { sourceIp: '203.0.113.7' };
    // The admin's key, known to this container before the flood.
    expect((await authorize(headers(known.key), () => start, attacker)).keyId).toBe(known.id);
    const outcomes: { decision: string; reads: number }[] = [];
    for (let i = 0; i < 3000; i++) {
      const forged = generateKey(i % 2 ? 'secret' : 'publishable').key;
      const r = await countDynamoRequests(() => decision(authorize(headers(forged), () => start, attacker)));
      outcomes.push({ decision: r.result, reads: r.requests });
    }
    const burst = UNKNOWN_KEY_SOURCE_LIMIT.burst;
    expect(outcomes.slice(0, burst).every((o) => o.decision === 'unauthorized: Unknown API key.' && o.reads === 1)).toBe(true);
    expect(
      outcomes
        .slice(burst)
        .every((o) => o.decision.startsWith('rate_limited: Too many requests with unknown API keys') && o.reads === 0),
    ).toBe(true);
    expect(outcomes.reduce((n, o) => n + o.reads, 0)).toBe(burst);
    // A cached key from the same address still works; another address is not limited by this one.
    expect((await authorize(headers(known.key), () => start, attacker)).keyId).toBe(known.id);
    const elsewhere = await countDynamoRequests(() =>
      decision(authorize(headers(generateKey('secret').key), () => start, { sourceIp: '192.0.2.1' })),
    );
    expect([elsewhere.result, elsewhere.requests]).toEqual(['unauthorized: Unknown API key.', 1]);
    // Tokens come back at the source's rate: one every 1/rps seconds.
    const later = await countDynamoRequests(() =>
      decision(authorize(headers(generateKey('secret').key), () => start + 1000 / UNKNOWN_KEY_SOURCE_LIMIT.rps, attacker)),
    );
    expect([later.result, later.requests]).toEqual(['unauthorized: Unknown API key.', 1]);
  });
});
