import type { SQSRecord } from 'aws-lambda';
import { getConfig } from '../platform/config.js';
import { errorFields, log } from '../platform/log.js';
import { count, latency } from '../platform/metrics.js';
import { addCounters } from '../store/counters.js';
import { type DeliveryAttempt, getOffer, publicOffer, setDeliveryStatus, type StoredOffer } from '../store/offers.js';
import { QUEUE_DEF } from '../store/table-def.js';
import { claimWebhookProbe, getWebhook, pauseWebhook, resumeWebhook, type Webhook } from '../store/webhooks.js';
import { PoisonMessage, parseOfferMessage, resendAttributes, type ReceivedOfferMessage } from './messages.js';
import { delayRedelivery, sendToDlq } from './queue.js';
import { offerWebhookId, signatureHeaders } from './signing.js';
import { postJson, WebhookFailure } from './webhook-client.js';

/** Longest backoff between two delivery attempts (SQS allows up to 12 h). */
const MAX_BACKOFF_S = 900;

export type Outcome = 'delivered' | 'not_configured' | 'gone' | 'duplicate' | 'retry' | 'failed' | 'deferred';

/**
 * Seconds a message stays hidden after failed attempt `attempt` (1-based):
 * base * 2^(attempt-1), at most 15 min; 0 after the last attempt (nothing is
 * left to wait for).
 */
export function redeliveryDelayS(attempt: number, baseS: number, maxAttempts: number = QUEUE_DEF.webhookAttempts): number {
  if (attempt >= maxAttempts) return 0;
  return Math.min(MAX_BACKOFF_S, Math.round(baseS * 2 ** (attempt - 1)));
}

/**
 * A webhook that timed out is paused: for this long its deliveries are not
 * attempted (their messages wait, using no attempt), then one probe tries it;
 * an answer in time ends the pause, another timeout starts a new one. So a
 * receiver that hangs holds at most one request per pause, not one per
 * queued offer, and the deliver function's time (and the batches it shares
 * with other tenants) is not spent waiting for it.
 */
export const pauseMsAfterTimeout = (timeoutMs: number) => Math.max(30_000, 6 * timeoutMs);

/** Time a probe has before another delivery may claim the probe again (its timeout and a margin). */
const PROBE_MARGIN_MS = 2_000;

/**
 * Receives from which a message is attempted even while its webhook is
 * paused: its remaining receives must leave room for every attempt and its
 * backoff before SQS's own limit (maxReceiveCount) would dead-letter it
 * without the offer reading `failed`.
 */
export const DEFER_RECEIVE_LIMIT = QUEUE_DEF.maxReceiveCount - 2 * QUEUE_DEF.webhookAttempts;

/** Whether a delivery may call the webhook now: yes (as the probe of a pause that ended, when `probe`), or not before `untilMs`. */
type Gate = { go: true; probe?: number } | { go: false; untilMs: number };

/** The pause gate (see pauseMsAfterTimeout). */
export async function deliveryGate(
  tenantId: string,
  hook: Pick<Webhook, 'pausedUntil'>,
  receiveCount: number,
  timeoutMs: number,
  now = Date.now(),
): Promise<Gate> {
  const until = hook.pausedUntil;
  if (until === undefined || receiveCount >= DEFER_RECEIVE_LIMIT) return { go: true };
  if (until > now) return { go: false, untilMs: until };
  const lease = now + timeoutMs + PROBE_MARGIN_MS;
  if (await claimWebhookProbe(tenantId, until, lease)) return { go: true, probe: lease };
  return { go: false, untilMs: lease };
}

/** Seconds to hide a deferred message: until the pause ends, plus up to 4 s of jitter (so they do not all come back at once). */
export const deferralS = (untilMs: number, now = Date.now()) =>
  Math.min(MAX_BACKOFF_S, Math.max(1, Math.ceil((untilMs - now) / 1000)) + Math.floor(Math.random() * 5));

/** Webhook reads in flight, by tenant: concurrent deliveries of one tenant (a batch's records) share one read. */
const webhookReads = new Map<string, Promise<Webhook | undefined>>();

/** The tenant's webhook, read once for every delivery that asks while the read is in flight (no staleness beyond it). */
function readWebhook(tenantId: string): Promise<Webhook | undefined> {
  let read = webhookReads.get(tenantId);
  if (!read) {
    read = getWebhook(tenantId).finally(() => webhookReads.delete(tenantId));
    webhookReads.set(tenantId, read);
  }
  return read;
}

/** What a delivery log line may carry: identifiers only (never the URL, the body or a coordinate). */
const logIds = (msg: ReceivedOfferMessage) => ({ requestId: msg.requestId, tenantId: msg.tenantId, offerId: msg.offerId });

/**
 * Deliver one offer to the tenant's webhook. Outcomes:
 *  - delivered (2xx): the offer reads deliveryStatus "delivered" (counted once);
 *  - not_configured: no webhook set (or it does not take offer.created), the offer says so;
 *  - retry: failed, visibility pushed back (base * 2^(n-1) s), message reported failed;
 *  - failed: the last attempt (QUEUE_DEF.webhookAttempts) failed: offer reads "failed", the message is
 *    moved to the DLQ and acknowledged;
 *  - deferred: the webhook is paused after a timeout (see pauseMsAfterTimeout): not attempted, the message
 *    hidden until the pause ends, no attempt used;
 *  - gone/duplicate: the offer was erased or already delivered: acknowledged.
 * The attempt number is the offer's own count (`deliveryAttempts` + 1), not the message's receive count:
 * a receive that failed before reaching the webhook (DynamoDB down) uses up no attempt. Each attempt is
 * appended to the offer's `deliveryLog` (GET /v1/offers/{id}).
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
  const hook = await readWebhook(msg.tenantId);
  if (!hook?.events.includes('offer.created')) {
    // Not an attempt at a webhook: the count stays.
    await setDeliveryStatus(msg.tenantId, msg.shopperId, msg.offerId, 'not_configured', offer.deliveryAttempts ?? 0);
    return 'not_configured';
  }
  const gate = await deliveryGate(
    msg.tenantId,
    hook,
    Number(record.attributes?.ApproximateReceiveCount ?? '1'),
    cfg.webhookTimeoutMs,
  );
  if (!gate.go) {
    const seconds = deferralS(gate.untilMs);
    await delayRedelivery(record.receiptHandle, seconds);
    log('info', 'webhook paused after a timeout: delivery deferred', { ...logIds(msg), attempt, deferredS: seconds });
    return 'deferred';
  }
  const body = JSON.stringify({
    type: 'offer.created',
    offer: { ...publicOffer(offer), status: offer.status },
    shopperId: offer.shopperId,
  });
  const secrets = [hook.secret, ...hook.previousSecrets.map((s) => s.secret)];
  let status: number | undefined;
  let error: string | undefined;
  let timedOut = false;
  const started = Date.now();
  try {
    status = await postJson(
      hook.url,
      body,
      signatureHeaders(secrets, offerWebhookId(offer.id), body),
      cfg.webhookTimeoutMs,
      cfg.localMode,
    );
    if (status < 200 || status >= 300) error = `HTTP ${status}`;
  } catch (err) {
    if (!(err instanceof WebhookFailure)) throw err;
    error = err.message;
    timedOut = err.timedOut;
  }
  const ms = Date.now() - started;
  latency('DeliveryLatency', ms);
  const entry: DeliveryAttempt = {
    at: new Date(started).toISOString(),
    ...(status !== undefined ? { status } : {}),
    ms,
    ...(error ? { error } : {}),
  };
  await recordHealth(msg, timedOut, gate.probe, cfg.webhookTimeoutMs);
  const logged = { entry, log: offer.deliveryLog };
  if (!error) {
    if (await setDeliveryStatus(msg.tenantId, msg.shopperId, msg.offerId, 'delivered', attempt, undefined, logged)) {
      await addCounters(msg.tenantId, offer.campaignId, { delivered: 1 });
      count('DeliverySucceeded');
    }
    log('info', 'webhook delivered', { ...logIds(msg), attempt, status, ms });
    return 'delivered';
  }
  log('warn', 'webhook delivery failed', { ...logIds(msg), attempt, error, ms });
  if (attempt >= QUEUE_DEF.webhookAttempts) {
    await markFailed(offer, attempt, error, logged);
    return deadLetter(record, attempt, error);
  }
  await setDeliveryStatus(msg.tenantId, msg.shopperId, msg.offerId, 'pending', attempt, error, logged);
  await delayRedelivery(record.receiptHandle, redeliveryDelayS(attempt, cfg.deliveryBackoffBaseS)).catch((err) =>
    log('warn', 'visibility change failed', { ...logIds(msg), ...errorFields(err) }),
  );
  return 'retry';
}

/**
 * After an attempt: a timeout pauses the tenant's deliveries; the probe of an
 * ended pause that got an answer in time (any answer: a fast 500 is not a
 * hang) ends it. A failure to record this only loses the pause, never the
 * delivery's outcome.
 */
async function recordHealth(msg: ReceivedOfferMessage, timedOut: boolean, probe: number | undefined, timeoutMs: number) {
  try {
    if (timedOut) await pauseWebhook(msg.tenantId, Date.now() + pauseMsAfterTimeout(timeoutMs));
    else if (probe !== undefined) await resumeWebhook(msg.tenantId, probe);
  } catch (err) {
    log('warn', 'webhook pause not recorded', { ...logIds(msg), ...errorFields(err) });
  }
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

async function markFailed(
  offer: StoredOffer,
  attempt: number,
  error: string | undefined,
  logged: { entry: DeliveryAttempt; log?: DeliveryAttempt[] },
) {
  if (await setDeliveryStatus(offer.tenantId, offer.shopperId, offer.id, 'failed', attempt, error, logged)) {
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
  if (outcome === 'retry' || outcome === 'deferred') throw new NotDelivered(outcome);
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
