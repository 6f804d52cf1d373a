import { createHmac, randomBytes } from 'node:crypto';

/**
 * Webhook signatures per the Standard Webhooks specification
 * (standardwebhooks.com), so that its published verifier libraries accept
 * them as they are:
 *   webhook-id         the message id, the same on every retry (receivers drop duplicates by it)
 *   webhook-timestamp  unix seconds of this attempt (receivers refuse one too far from their clock)
 *   webhook-signature  `v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">`, one per secret,
 *                      space-separated (two or more during a secret rotation)
 * The HMAC key is the secret's bytes: the base64 after the `whsec_` prefix.
 */

export const WEBHOOK_SECRET_PREFIX = 'whsec_';

/** Random bytes of a new secret (Standard Webhooks asks for 24 to 64). */
export const WEBHOOK_SECRET_BYTES = 32;

/** A new webhook signing secret: `whsec_` and 32 random bytes in base64 (standard alphabet, padded). */
export function newWebhookSecret(): string {
  return `${WEBHOOK_SECRET_PREFIX}${randomBytes(WEBHOOK_SECRET_BYTES).toString('base64')}`;
}

/**
 * The HMAC key of a secret: the bytes its base64 part encodes. Secrets made
 * before Standard Webhooks signing (`whsec_` + base64url, unpadded) decode to
 * their same 32 bytes. Throws for a value that is not a secret.
 */
export function secretBytes(secret: string): Buffer {
  if (!secret.startsWith(WEBHOOK_SECRET_PREFIX)) throw new Error('not a webhook secret');
  const encoded = secret.slice(WEBHOOK_SECRET_PREFIX.length);
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(encoded)) throw new Error('not a webhook secret');
  const key = Buffer.from(encoded, 'base64');
  if (key.length < 16) throw new Error('webhook secret too short');
  return key;
}

/**
 * The form of a secret that receivers pass to a Standard Webhooks library:
 * `whsec_` + standard, padded base64 of its bytes. A secret made by this
 * version is returned unchanged; one made before (base64url) is returned in
 * this form, with the same bytes.
 */
export function canonicalSecret(secret: string): string {
  return `${WEBHOOK_SECRET_PREFIX}${secretBytes(secret).toString('base64')}`;
}

/** One signature: `v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">` keyed with the secret's bytes. */
export function signWebhook(secret: string, webhookId: string, timestamp: number, body: string): string {
  const mac = createHmac('sha256', secretBytes(secret)).update(`${webhookId}.${timestamp}.${body}`).digest('base64');
  return `v1,${mac}`;
}

/**
 * The headers of one delivery attempt: its id, its timestamp (now unless
 * given), and one signature per secret (the current one first; the previous
 * ones while their rotation overlap lasts), space-separated.
 */
export function signatureHeaders(
  secrets: readonly string[],
  webhookId: string,
  body: string,
  timestamp: number = Math.floor(Date.now() / 1000),
): Record<string, string> {
  if (!secrets.length) throw new Error('no webhook secret to sign with');
  return {
    'webhook-id': webhookId,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': secrets.map((s) => signWebhook(s, webhookId, timestamp, body)).join(' '),
  };
}

/** The `webhook-id` of an offer's delivery: the same on every retry. */
export const offerWebhookId = (offerId: string) => `whk_${offerId}`;

/** The `webhook-id` of a geofence event's delivery: the event's own id (`evt_…`), the same on every retry. */
export const visitEventWebhookId = (eventId: string) => eventId;
