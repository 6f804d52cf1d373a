import type { SQSRecord } from 'aws-lambda';
import { getConfig } from '../platform/config.js';
import { errorFields, log } from '../platform/log.js';
import { count, latency } from '../platform/metrics.js';
import { publicOffer } from '../store/offers.js';
import { addCounters } from '../store/counters.js';
import { getOffer, setDeliveryStatus, type StoredOffer } from '../store/offers.js';
import { QUEUE_DEF } from '../store/table-def.js';
import { getWebhookConfig } from '../store/webhooks.js';
import { PoisonMessage, parseOfferMessage, resendAttributes, type ReceivedOfferMessage } from './messages.js';
import { delayRedelivery, sendToDlq } from './queue.js';
import { signatureHeaders } from './signing.js';
import { postJson } from './webhook-client.js';

/** Longest backoff between two delivery attempts (SQS allows up to 12 h). */
const MAX_BACKOFF_S = 900;

export type Outcome = 'delivered' | 'not_configured' | 'gone' | 'duplicate' | 'retry' | 'failed';

/**
 * Seconds a message stays hidden after failed attempt `attempt` (1-based):
 * base * 2^(attempt-1), at most 15 min; 0 after the last attempt (nothing is
 * left to wait for).
 */
export function redeliveryDelayS(attempt: number, baseS: number, maxAttempts: number = QUEUE_DEF.webhookAttempts): number {
  if (attempt >= maxAttempts) return 0;
  return Math.min(MAX_BACKOFF_S, Math.round(baseS * 2 ** (attempt - 1)));
}

/** What a delivery log line may carry: identifiers only (never the URL, the body or a coordinate). */
const logIds = (msg: ReceivedOfferMessage) => ({ requestId: msg.requestId, tenantId: msg.tenantId, offerId: msg.offerId });

/**
 * Deliver one offer to the tenant's webhook. Outcomes:
 *  - delivered (2xx): the offer reads deliveryStatus "delivered" (counted once);
 *  - not_configured: no webhook set, the offer says so;
 *  - retry: failed, visibility pushed back (base * 2^(n-1) s), message reported failed;
 *  - failed: the last attempt (QUEUE_DEF.webhookAttempts) failed: offer reads "failed", the message is
 *    moved to the DLQ and acknowledged;
 *  - gone/duplicate: the offer was erased or already delivered: acknowledged.
 * The attempt number is the offer's own count (`deliveryAttempts` + 1), not the message's receive count:
 * a receive that failed before reaching the webhook (DynamoDB down) uses up no attempt.
 * Metrics: DeliverySucceeded per delivered offer, DeliveryFailed per offer
 * that ends failed (as the campaign stats' `delivered` and `deliveryFailed`)
 * and per poison message (see handleRecord): what lands in the DLQ.
 */
export async function deliver(record: SQSRecord, msg: ReceivedOfferMessage): Promise<Outcome> {
  const cfg = getConfig();
  const offer = await getOffer(msg.tenantId, msg.shopperId, msg.offerId);
  if (!offer) return 'gone';
  if (offer.deliveryStatus === 'delivered') return 'duplicate';
  // Its attempts were used up, but the move to the DLQ did not happen (that send failed): do it now.
  if (offer.deliveryStatus === 'failed') return deadLetter(record, offer.deliveryAttempts, offer.lastDeliveryError);
  const attempt = (offer.deliveryAttempts ?? 0) + 1;
  const hook = await getWebhookConfig(msg.tenantId);
  if (!hook) {
    // Not an attempt at a webhook: the count stays.
    await setDeliveryStatus(msg.tenantId, msg.shopperId, msg.offerId, 'not_configured', offer.deliveryAttempts ?? 0);
    return 'not_configured';
  }
  const body = JSON.stringify({
    type: 'offer.created',
    offer: { ...publicOffer(offer), status: offer.status },
    shopperId: offer.shopperId,
  });
  let error: string | undefined;
  const started = Date.now();
  try {
    const status = await postJson(
      hook.url,
      body,
      signatureHeaders(hook.secret, `whk_${offer.id}`, body),
      cfg.webhookTimeoutMs,
      cfg.localMode,
    );
    latency('DeliveryLatency', Date.now() - started);
    if (status >= 200 && status < 300) {
      if (await setDeliveryStatus(msg.tenantId, msg.shopperId, msg.offerId, 'delivered', attempt)) {
        await addCounters(msg.tenantId, offer.campaignId, { delivered: 1 });
        count('DeliverySucceeded');
      }
      log('info', 'webhook delivered', { ...logIds(msg), attempt, status });
      return 'delivered';
    }
    error = `HTTP ${status}`;
  } catch (err) {
    error = (err as Error).message;
  }
  log('warn', 'webhook delivery failed', { ...logIds(msg), attempt, error });
  if (attempt >= QUEUE_DEF.webhookAttempts) {
    await markFailed(offer, attempt, error);
    return deadLetter(record, attempt, error);
  }
  await setDeliveryStatus(msg.tenantId, msg.shopperId, msg.offerId, 'pending', attempt, error);
  await delayRedelivery(record.receiptHandle, redeliveryDelayS(attempt, cfg.deliveryBackoffBaseS)).catch((err) =>
    log('warn', 'visibility change failed', { ...logIds(msg), ...errorFields(err) }),
  );
  return 'retry';
}

/** The offer's last attempt failed: its message goes to the DLQ (a failed send throws: the message comes back). */
async function deadLetter(record: SQSRecord, attempts: number, error?: string): Promise<'failed'> {
  await sendToDlq(
    record.body,
    `webhook failed ${attempts} times${error ? `: ${error}` : ''}`.slice(0, 256),
    resendAttributes(record.messageAttributes),
  );
  return 'failed';
}

async function markFailed(offer: StoredOffer, attempt: number, error?: string) {
  if (await setDeliveryStatus(offer.tenantId, offer.shopperId, offer.id, 'failed', attempt, error)) {
    await addCounters(offer.tenantId, offer.campaignId, { deliveryFailed: 1 });
    count('DeliveryFailed');
  }
}

/** Thrown for a record SQS must keep: it comes back after its backoff, or goes to the DLQ after the last attempt. */
export class NotDelivered extends Error {}

/**
 * The batch's record handler: a record it throws for is reported failed
 * (ReportBatchItemFailures), any other is acknowledged. A poison message is
 * moved to the DLQ at once and acknowledged, so it never holds up its
 * batch-mates and is never retried; if that move fails, it is reported failed.
 * The request id comes from the record's `requestId` message attribute (see
 * parseOfferMessage); a missing or invalid one only leaves it out of the log
 * lines.
 */
export async function handleRecord(record: SQSRecord): Promise<Outcome | 'poison'> {
  let msg: ReceivedOfferMessage;
  try {
    msg = parseOfferMessage(record.body, record.messageAttributes);
  } catch (err) {
    if (!(err instanceof PoisonMessage)) throw err;
    return moveToDlq(record, err.message);
  }
  let outcome: Outcome;
  try {
    outcome = await deliver(record, msg);
  } catch (err) {
    // A dependency failed (e.g. DynamoDB down): the message comes back with a growing backoff (by its receive
    // count, up to 15 min); no webhook attempt was used. After maxReceiveCount receives SQS dead-letters it.
    log('error', 'delivery error', { messageId: record.messageId, ...logIds(msg), ...errorFields(err) });
    const received = Number(record.attributes?.ApproximateReceiveCount ?? '1');
    await delayRedelivery(
      record.receiptHandle,
      redeliveryDelayS(received, getConfig().deliveryBackoffBaseS, QUEUE_DEF.maxReceiveCount),
    ).catch(() => undefined);
    throw err;
  }
  if (outcome === 'retry') throw new NotDelivered(outcome);
  return outcome;
}

async function moveToDlq(record: SQSRecord, reason: string): Promise<'poison'> {
  try {
    await sendToDlq(record.body, reason, resendAttributes(record.messageAttributes));
  } catch (err) {
    log('error', 'could not move poison message', { messageId: record.messageId, ...errorFields(err) });
    throw err;
  }
  log('warn', 'poison message moved to the DLQ', { messageId: record.messageId, reason });
  count('DeliveryFailed');
  return 'poison';
}
