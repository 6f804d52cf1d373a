import { describe, expect, it } from 'vitest';
import { KID_PATTERN, TOKEN_MAX_CHARS, verifyShopperToken } from '../../../shared/auth/shopper-token.js';
import { DomainError } from '../../../shared/platform/errors.js';

/**
 * What a shopper token is refused for before any signing key is looked up (no
 * I/O): these never cost a read, whatever a client sends. The checks that need
 * the key (signature, expiry, audience, kid of another tenant, deleted kid)
 * run against the local stack in test/int/shopper-tokens.test.ts.
 */

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
const NOW = Date.parse('2026-12-01T12:00:00Z');
const CLAIMS = b64({ sub: 'ana', aud: 'geo-offers', iat: NOW / 1000, exp: NOW / 1000 + 600 });
const KID = 'tk_01jdz8m0c3v9k2q7w5x4y6z8ab';

async function refusal(token: string | undefined): Promise<string> {
  try {
    await verifyShopperToken('t_1', token, NOW);
    return 'accepted';
  } catch (err) {
    if (!(err instanceof DomainError)) throw err;
    return `${err.kind}: ${err.message}`;
  }
}

describe('verifyShopperToken before any key is read', () => {
  it('refuses a missing or blank token, naming the header to send', async () => {
    for (const token of [undefined, '', '   '])
      expect(await refusal(token)).toMatch(/^unauthorized: Missing shopper token: .*Shopper-Token/);
  });

  it('refuses what is not a compact JWS', async () => {
    for (const token of ['abc', 'a.b', 'a.b.c.d', 'a.b.c', `${b64({ alg: 'HS256', kid: KID })}.${CLAIMS}`, '..'])
      expect(await refusal(token)).toBe('unauthorized: Invalid shopper token: it is not a well-formed JWT.');
    expect(await refusal(`${b64({ alg: 'HS256', kid: KID })}.${'x'.repeat(TOKEN_MAX_CHARS)}.sig`)).toBe(
      'unauthorized: Invalid shopper token: it is not a well-formed JWT.',
    );
  });

  it('accepts only HS256: alg none, asymmetric and other HMAC algorithms are refused', async () => {
    for (const alg of ['none', 'RS256', 'ES256', 'HS384', 'HS512', 'hs256'])
      expect(await refusal(`${b64({ alg, kid: KID })}.${CLAIMS}.sig`)).toBe(
        'unauthorized: Invalid shopper token: only HS256 is accepted.',
      );
  });

  it('needs a kid of the form the API issues, so no other kid reaches the table', async () => {
    for (const kid of [undefined, 42, '', 'tk_', 'tk_ABC', `${KID}x`, '../tk', { a: 1 }, '__proto__'])
      expect(await refusal(`${b64({ alg: 'HS256', kid })}.${CLAIMS}.sig`)).toBe(
        'unauthorized: Invalid shopper token: its header has no kid of a signing key (tk_…).',
      );
    expect(KID_PATTERN.test(KID)).toBe(true);
  });
});
