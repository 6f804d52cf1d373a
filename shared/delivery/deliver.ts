import type { SQSRecord } from 'aws-lambda';
import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import net, { type LookupFunction } from 'node:net';
import { getConfig } from '../platform/config.js';
import { addressRefusal } from '../domain/netguard.js';
import { errorFields, log } from '../platform/log.js';
import { OfferMessageSchema, type OfferMessage } from '../queue/messages.js';
import { delayRedelivery } from '../queue/offers.js';
import { QUEUE_DEF } from '../store/table-def.js';
import { addCounters } from '../store/counters.js';
import { getOffer, setDeliveryStatus, type StoredOffer } from '../store/offers.js';
import { publicOffer } from './offers.js';
import { getWebhook, signWebhook } from './webhook.js';

/** Longest backoff between two delivery attempts (SQS allows up to 12 h). */
const MAX_BACKOFF_S = 900;

/** A lookup that refuses disallowed addresses at connect time too (DNS rebinding). */
function guardedLookup(localMode: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 4);
      const list = addresses as unknown as dns.LookupAddress[];
      const refused = list.map((a) => addressRefusal(a.address, localMode)).find(Boolean);
      if (refused) return callback(new Error(`Webhook host ${refused}`), '', 4);
      if ((options as { all?: boolean }).all) return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, list);
      callback(null, list[0].address, list[0].family);
    });
  };
}

/** POST a JSON body with a timeout; resolves with the status code or rejects. */
export function postJson(url: string, body: string, headers: Record<string, string>, timeoutMs: number, localMode: boolean): Promise<number> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    // Node does not call `lookup` for an IP literal: check it here.
    const literal = u.hostname.replace(/^\[|\]$/g, '');
    const refused = net.isIP(literal) ? addressRefusal(literal, localMode) : undefined;
    if (refused) return reject(new Error(`Webhook host ${refused}`));
    const mod = u.protocol === 'https:' ? https : http;
    const req = mod.request(
      u,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'user-agent': 'geo-offers-webhooks/1', ...headers },
        lookup: guardedLookup(localMode),
        timeout: timeoutMs,
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`Webhook timed out after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

export class PoisonMessage extends Error {}

export function parseMessage(record: SQSRecord): OfferMessage {
  let parsed: unknown;
  try {
    parsed = JSON.parse(record.body);
  } catch {
    throw new PoisonMessage('body is not JSON');
  }
  const msg = OfferMessageSchema.safeParse(parsed);
  if (!msg.success) throw new PoisonMessage('not an offer message');
  return msg.data;
}

export type Outcome = 'delivered' | 'not_configured' | 'gone' | 'duplicate' | 'retry' | 'failed';

/**
 * Deliver one offer to the tenant's webhook. Outcomes:
 *  - delivered (2xx): the offer reads deliveryStatus "delivered" (counted once);
 *  - not_configured: no webhook set, the offer says so;
 *  - retry: failed, visibility pushed back (base * 2^(n-1) s), message reported failed;
 *  - failed: the 5th attempt failed: offer reads "failed", message reported failed and SQS moves it to the DLQ;
 *  - gone/duplicate: the offer was erased or already delivered: acknowledged.
 */
export async function deliver(record: SQSRecord, msg: OfferMessage): Promise<Outcome> {
  const cfg = getConfig();
  const attempt = Number(record.attributes?.ApproximateReceiveCount ?? '1');
  const offer = await getOffer(msg.tenantId, msg.shopperId, msg.offerId);
  if (!offer) return 'gone';
  if (offer.deliveryStatus === 'delivered') return 'duplicate';
  const hook = await getWebhook(msg.tenantId);
  if (!hook) {
    await setDeliveryStatus(msg.tenantId, msg.shopperId, msg.offerId, 'not_configured', attempt);
    return 'not_configured';
  }
  const body = JSON.stringify({ type: 'offer.created', offer: { ...publicOffer(offer), status: offer.status }, shopperId: offer.shopperId });
  let error: string | undefined;
  try {
    const status = await postJson(
      hook.url,
      body,
      { 'Webhook-Id': `whk_${offer.id}`, 'Webhook-Signature': signWebhook(hook.secret, body) },
      cfg.webhookTimeoutMs,
      cfg.localMode,
    );
    if (status >= 200 && status < 300) {
      if (await setDeliveryStatus(msg.tenantId, msg.shopperId, msg.offerId, 'delivered', attempt))
        await addCounters(msg.tenantId, offer.campaignId, { delivered: 1 });
      return 'delivered';
    }
    error = `HTTP ${status}`;
  } catch (err) {
    error = (err as Error).message;
  }
  log('warn', 'webhook delivery failed', { tenantId: msg.tenantId, offerId: msg.offerId, attempt, error });
  const last = attempt >= QUEUE_DEF.maxReceiveCount;
  if (last) await markFailed(offer, attempt, error);
  else await setDeliveryStatus(msg.tenantId, msg.shopperId, msg.offerId, 'pending', attempt, error);
  // Growing backoff; after the last attempt, visible at once so SQS moves it to the DLQ without waiting.
  const backoff = last ? 0 : Math.min(MAX_BACKOFF_S, Math.round(cfg.deliveryBackoffBaseS * 2 ** (attempt - 1)));
  await delayRedelivery(record.receiptHandle, backoff).catch((err) => log('warn', 'visibility change failed', errorFields(err)));
  return last ? 'failed' : 'retry';
}

async function markFailed(offer: StoredOffer, attempt: number, error?: string) {
  if (await setDeliveryStatus(offer.tenantId, offer.shopperId, offer.id, 'failed', attempt, error))
    await addCounters(offer.tenantId, offer.campaignId, { deliveryFailed: 1 });
}
