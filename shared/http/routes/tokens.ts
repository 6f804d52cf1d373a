import * as z from 'zod';
import {
  TOKEN_AUDIENCE,
  TOKEN_CLOCK_TOLERANCE_S,
  TOKEN_KEY_CACHE_TTL_S,
  TOKEN_KEYS_MAX,
  TOKEN_TTL_DEFAULT_S,
  TOKEN_TTL_MAX_S,
  TOKEN_TTL_MIN_S,
} from '../../auth/shopper-token.js';
import { IdSchema } from '../../domain/values/id.js';
import { route } from '../route.js';
import { listOf } from './common.js';

/** Shopper tokens (API v1.1): the tenant's signing keys, and tokens minted by the API. */

export const TokenKeySchema = z.object({
  kid: z.string().describe('The key id: the `kid` header of every token signed with this key.'),
  createdAt: z.string(),
});

export const TokenKeyCreatedSchema = TokenKeySchema.extend({
  secret: z
    .string()
    .describe('The HS256 key: sign with the UTF-8 bytes of this string exactly as returned. Shown once, stored encrypted.'),
});

export const ShopperTokenCreateSchema = z
  .object({
    shopperId: IdSchema.describe('The shopper the token acts for (its `sub`).'),
    expiresInSeconds: z
      .number()
      .int()
      .min(TOKEN_TTL_MIN_S)
      .max(TOKEN_TTL_MAX_S)
      .optional()
      .describe(`Lifetime, ${TOKEN_TTL_MIN_S}-${TOKEN_TTL_MAX_S} s (default ${TOKEN_TTL_DEFAULT_S}).`),
  })
  .strict();

export const ShopperTokenSchema = z.object({
  token: z.string().describe('The JWT to send as the Shopper-Token header beside the publishable key.'),
  shopperId: z.string(),
  expiresAt: z.string(),
});

const TOKEN_FORMAT =
  `Tokens are JWTs (RFC 7519) signed with HS256: header \`{alg:"HS256", kid}\`, claims \`sub\` (the shopper id), \`iat\`, ` +
  `\`exp\` (at most 24 h after iat) and \`aud: "${TOKEN_AUDIENCE}"\`; ${TOKEN_CLOCK_TOLERANCE_S} s of clock skew are accepted.`;

export const tokenRoutes = [
  route({
    id: 'createShopperTokenKey',
    method: 'POST',
    path: '/v1/shopper-token-keys',
    fn: 'keys',
    auth: 'keys:write',
    summary: 'Create a shopper-token signing key (the secret is shown once)',
    description:
      `For a tenant server that signs shopper tokens itself. ${TOKEN_FORMAT} At most ${TOKEN_KEYS_MAX} keys per tenant (409 beyond). ` +
      'Not idempotent: a replay would have to keep the secret readable; a retried creation makes another key, which can be deleted. ' +
      'Store-restricted keys get 403 (tokens act for every store).',
    tags: ['shopper tokens'],
    response: TokenKeyCreatedSchema,
    successStatus: 201,
    extraErrors: [409],
  }),
  route({
    id: 'listShopperTokenKeys',
    method: 'GET',
    path: '/v1/shopper-token-keys',
    fn: 'keys',
    auth: 'keys:write',
    summary: 'List shopper-token signing keys (never their secrets), newest first',
    description: `One page: a tenant holds at most ${TOKEN_KEYS_MAX}.`,
    tags: ['shopper tokens'],
    response: listOf(TokenKeySchema),
  }),
  route({
    id: 'deleteShopperTokenKey',
    method: 'DELETE',
    path: '/v1/shopper-token-keys/{kid}',
    fn: 'keys',
    auth: 'keys:write',
    summary: 'Delete a shopper-token signing key',
    description:
      `Every token signed with it is refused (401) from then on: at once locally, within ${TOKEN_KEY_CACHE_TTL_S} s on AWS ` +
      '(warm containers keep signing keys that long).',
    tags: ['shopper tokens'],
    successStatus: 204,
  }),
  route({
    id: 'createShopperToken',
    method: 'POST',
    path: '/v1/shopper-tokens',
    fn: 'keys',
    auth: 'tokens:write',
    summary: 'Mint a shopper token for one shopper',
    description:
      `For the tenant's server, after it has signed the shopper in: the app sends the token as \`Shopper-Token\` with its ` +
      `publishable key. Signed with the tenant's newest signing key (one is created if it has none). ${TOKEN_FORMAT} ` +
      'Not idempotent: minting again is harmless and gives a fresh token. Secret keys only; store-restricted keys get 403.',
    tags: ['shopper tokens'],
    body: ShopperTokenCreateSchema,
    response: ShopperTokenSchema,
    successStatus: 201,
  }),
] as const;
