import { createHmac, randomBytes } from 'node:crypto';

/** A new webhook signing secret: `whsec_` and 32 random bytes, base64url. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}

/** `Webhook-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "t.body">` */
export function signWebhook(secret: string, body: string, t = Math.floor(Date.now() / 1000)): string {
  const v1 = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
  return `t=${t},v1=${v1}`;
}

/** The signature headers of one delivery: a `Webhook-Id` stable across retries, and the signature. */
export function signatureHeaders(secret: string, webhookId: string, body: string, t?: number): Record<string, string> {
  return { 'Webhook-Id': webhookId, 'Webhook-Signature': signWebhook(secret, body, t) };
}
