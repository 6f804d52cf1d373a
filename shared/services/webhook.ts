import { canUseStore, type Principal } from '../auth/principal.js';
import { canonicalSecret, newWebhookSecret, signatureHeaders } from '../delivery/signing.js';
import { checkWebhookUrl, postJson, WebhookFailure } from '../delivery/webhook-client.js';
import { getConfig } from '../platform/config.js';
import { requestSignal } from '../platform/deadline.js';
import { conflict, forbidden, notFound } from '../platform/errors.js';
import { newId } from '../platform/ids.js';
import { nowIso } from '../store/db.js';
import { getOfferById, type StoredOffer } from '../store/offers.js';
import { currentRetention } from './settings.js';
import {
  DEFAULT_WEBHOOK_EVENTS,
  getWebhook,
  MAX_PREVIOUS_SECRETS,
  SECRET_OVERLAP_MS,
  saveWebhook,
  type Webhook,
  type WebhookEvent,
} from '../store/webhooks.js';
import { auditItem } from './audit.js';
import { offerView } from './shoppers.js';

/** How often a write that lost a race with another (same tenant, same moment) is tried again. */
const WRITE_TRIES = 3;

function tenantWide(p: Principal, what: string) {
  if (p.storeIds.length) throw forbidden(`The webhook is tenant-wide; a store-restricted key cannot ${what}.`);
}

async function requireWebhook(tenantId: string): Promise<Webhook> {
  const hook = await getWebhook(tenantId);
  if (!hook) throw notFound('Webhook (none is set: PUT /v1/webhook first)');
  return hook;
}

/**
 * Read, change, write under the stored version: a write that lost a race is
 * done again on what won, so that the secret answered is the one stored. The
 * write and its audit entry (`action` by `p`) are one transaction: a lost
 * race records nothing.
 */
async function updateWebhook(
  p: Principal,
  action: 'webhook.set' | 'webhook.rotate',
  change: (current: Webhook | undefined) => Webhook,
): Promise<Webhook> {
  for (let i = 0; i < WRITE_TRIES; i++) {
    const current = await getWebhook(p.tenantId);
    const next = change(current);
    if (await saveWebhook(p.tenantId, next, current?.version, [auditItem(p, action, 'webhook')]))
      return { ...next, version: (current?.version ?? 0) + 1 };
  }
  throw conflict('concurrent-update', 'The webhook was changed by another request at the same time; try again.');
}

/**
 * Set the tenant's webhook: its URL (checked against the SSRF rules) and the
 * events it takes (default offer.created). The signing secret is created on
 * the first PUT and kept on later ones (as are retired secrets still in their
 * overlap); a secret stored in the clear by an older version is sealed by
 * this write.
 */
export async function setWebhook(p: Principal, url: string, events?: WebhookEvent[]) {
  tenantWide(p, 'change it');
  const checked = await checkWebhookUrl(url, getConfig().localMode);
  const subscribed = events ? [...new Set(events)] : [...DEFAULT_WEBHOOK_EVENTS];
  const hook = await updateWebhook(p, 'webhook.set', (current) => {
    const at = nowIso();
    return {
      url: checked.toString(),
      events: subscribed,
      secret: current ? canonicalSecret(current.secret) : newWebhookSecret(),
      previousSecrets: current?.previousSecrets ?? [],
      createdAt: current?.createdAt ?? at,
      updatedAt: at,
      // A new URL is a new receiver: a pause after the old one's timeouts does not carry over.
      ...(current?.pausedUntil !== undefined && current.url === checked.toString() ? { pausedUntil: current.pausedUntil } : {}),
      version: current?.version ?? 0,
    };
  });
  return { url: hook.url, events: hook.events, secret: hook.secret };
}

/**
 * A new signing secret. The one it replaces keeps signing every delivery
 * for 24 h (both signatures in `webhook-signature`), so receivers can move to
 * the new one at their pace. Rotating again within 24 h keeps the earlier
 * retired secrets signing until their own expiry (at most 4 at once).
 */
export async function rotateWebhookSecret(p: Principal) {
  tenantWide(p, 'rotate its secret');
  await requireWebhook(p.tenantId);
  const now = Date.now();
  const expiresAt = new Date(now + SECRET_OVERLAP_MS).toISOString();
  const hook = await updateWebhook(p, 'webhook.rotate', (current) => {
    if (!current) throw notFound('Webhook (none is set: PUT /v1/webhook first)');
    return {
      ...current,
      secret: newWebhookSecret(),
      previousSecrets: [{ secret: canonicalSecret(current.secret), expiresAt }, ...current.previousSecrets].slice(
        0,
        MAX_PREVIOUS_SECRETS,
      ),
      updatedAt: new Date(now).toISOString(),
    };
  });
  return { secret: hook.secret, previousSecretExpiresAt: expiresAt };
}

/**
 * Send a `webhook.test` event to the webhook now, signed like every delivery
 * (with every secret in use), under the same URL rules as deliveries
 * (checked at connect time too), and say how it went. It is not queued and
 * not retried; a receiver that does not answer within the delivery timeout
 * is `delivered: false`.
 */
export async function testWebhook(p: Principal) {
  tenantWide(p, 'test it');
  const hook = await requireWebhook(p.tenantId);
  const cfg = getConfig();
  const id = newId('whk_test');
  const body = JSON.stringify({ type: 'webhook.test', id, sentAt: nowIso() });
  const headers = signatureHeaders([hook.secret, ...hook.previousSecrets.map((s) => s.secret)], id, body);
  const started = Date.now();
  try {
    const status = await postJson(hook.url, body, headers, cfg.webhookTimeoutMs, cfg.localMode, requestSignal());
    const delivered = status >= 200 && status < 300;
    return { delivered, status, ms: Date.now() - started, ...(delivered ? {} : { error: `HTTP ${status}` }) };
  } catch (err) {
    if (!(err instanceof WebhookFailure)) throw err;
    return { delivered: false, status: null, ms: Date.now() - started, error: err.message };
  }
}

/** The delivery of an offer as GET /v1/offers/{id} shows it: its status and its attempts at the webhook, oldest first. */
function deliveryView(o: StoredOffer) {
  return {
    status: o.deliveryStatus,
    ...(o.deliveredAt ? { deliveredAt: o.deliveredAt } : {}),
    attempts: (o.deliveryLog ?? []).map((a) => ({
      at: a.at,
      ...(a.status !== undefined ? { status: a.status } : {}),
      ms: a.ms,
      ...(a.error ? { error: a.error } : {}),
    })),
  };
}

/**
 * One offer of the tenant by id, with its delivery: another tenant's offer,
 * an erased shopper's or a purged one is 404; a store-restricted key sees
 * only offers of its stores (403 for another store's).
 */
export async function getOfferDelivery(p: Principal, offerId: string, nowMs = Date.now()) {
  const offer = await getOfferById(p.tenantId, offerId, currentRetention(p.tenantId), nowMs);
  if (!offer) throw notFound('Offer');
  if (!canUseStore(p, offer.storeId)) throw forbidden('This key is restricted to other stores.');
  return { ...offerView(offer), delivery: deliveryView(offer) };
}
