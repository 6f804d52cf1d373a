import type { SQSRecord } from 'aws-lambda';
import { getConfig } from '../platform/config.js';
import { errorFields, log } from '../platform/log.js';
import { count, latency } from '../platform/metrics.js';
import { addCounters } from '../store/counters.js';
import { type DeliveryAttempt, getOffer, publicOffer, setDeliveryStatus } from '../store/offers.js';
import { QUEUE_DEF } from '../store/table-def.js';
import { readTenantRetention } from '../store/settings.js';
import { getVisitEvent, setVisitEventDeliveryStatus, type StoredVisitEvent } from '../store/visit-events.js';
import {
  claimWebhookProbe,
  getWebhook,
  pauseWebhook,
  resumeWebhook,
  type Webhook,
  type WebhookEvent,
} from '../store/webhooks.js';
import {
  isOfferMessage,
  PoisonMessage,
  parseDeliveryMessage,
  resendAttributes,
  type ReceivedMessage,
  type ReceivedOfferMessage,
  type VisitEventMessage,
} from './messages.js';
import { delayRedelivery, sendToDlq } from './queue.js';
import { offerWebhookId, signatureHeaders, visitEventWebhookId } from './signing.js';
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

/**
 * What one message delivers, read from the table (an offer or a geofence
 * event), and how its outcome is recorded on it.
 */
interface Subject {
  /** The webhook event it is, which the webhook must subscribe to. */
  event: WebhookEvent;
  /** The `webhook-id`: the same on every retry. */
  webhookId: string;
  body: string;
  status: 'pending' | 'delivered' | 'failed' | 'not_configured';
  attempts: number;
  lastError?: string;
  /** What its log lines may carry: identifiers only (never the URL, the body or a coordinate). */
  ids: Record<string, string | undefined>;
  /** Record a status on it (false: erased or delivered meanwhile); `entry` is an attempt at the webhook. */
  record(status: Subject['status'], attempts: number, error?: string, entry?: DeliveryAttempt): Promise<boolean>;
  /** Count the outcome, once (after the record that made it succeeded). */
  counted(outcome: 'delivered' | 'failed'): Promise<void>;
}

/** The offer of an offer message, as a subject: payload `{type, offer, shopperId}`, attempts logged on the offer. */
async function offerSubject(msg: ReceivedOfferMessage): Promise<Subject | undefined> {
  const nowMs = Date.now();
  const offer = await getOffer(msg.tenantId, msg.shopperId, msg.offerId, readTenantRetention(msg.tenantId), nowMs);
  if (!offer) return undefined;
  return {
    event: 'offer.created',
    webhookId: offerWebhookId(offer.id),
    body: JSON.stringify({
      type: 'offer.created',
      offer: { ...publicOffer(offer), status: offer.status },
      shopperId: offer.shopperId,
    }),
    status: offer.deliveryStatus,
    attempts: offer.deliveryAttempts ?? 0,
    lastError: offer.lastDeliveryError,
    ids: { requestId: msg.requestId, tenantId: msg.tenantId, offerId: msg.offerId },
    record: (status, attempts, error, entry) =>
      setDeliveryStatus(
        msg.tenantId,
        msg.shopperId,
        msg.offerId,
        status,
        attempts,
        error,
        entry && { entry, log: offer.deliveryLog },
      ),
    counted: async (outcome) => {
      await addCounters(msg.tenantId, offer.campaignId, outcome === 'delivered' ? { delivered: 1 } : { deliveryFailed: 1 });
      count(outcome === 'delivered' ? 'DeliverySucceeded' : 'DeliveryFailed');
    },
  };
}

/** The stored payload of a geofence event: fence, time and confidence (the threshold of a dwell); never coordinates. Pure. */
export function visitEventPayload(e: StoredVisitEvent) {
  return {
    type: e.type,
    shopperId: e.shopperId,
    geofenceId: e.geofenceId,
    at: e.at,
    confidence: e.confidence,
    ...(e.type === 'geofence.dwelled' && e.dwellMinutes !== undefined ? { dwellMinutes: e.dwellMinutes } : {}),
  };
}

/** The stored geofence event of an event message, as a subject: webhook-id its id, attempts counted on it. */
async function visitEventSubject(msg: VisitEventMessage): Promise<Subject | undefined> {
  const nowMs = Date.now();
  const e = await getVisitEvent(msg.tenantId, msg.shopperId, msg.eventId, readTenantRetention(msg.tenantId), nowMs);
  if (!e) return undefined;
  return {
    event: e.type,
    webhookId: visitEventWebhookId(e.id),
    body: JSON.stringify(visitEventPayload(e)),
    status: e.deliveryStatus,
    attempts: e.deliveryAttempts ?? 0,
    lastError: e.lastDeliveryError,
    ids: { tenantId: msg.tenantId, eventId: msg.eventId },
    record: (status, attempts, error) =>
      setVisitEventDeliveryStatus(msg.tenantId, msg.shopperId, msg.eventId, status, attempts, error),
    counted: async (outcome) => count(outcome === 'delivered' ? 'DeliverySucceeded' : 'DeliveryFailed'),
  };
}

/**
 * Deliver one offer or geofence event to the tenant's webhook. Outcomes:
 *  - delivered (2xx): it reads deliveryStatus "delivered" (counted once);
 *  - not_configured: no webhook set, or it does not take this event type; the item says so;
 *  - retry: failed, visibility pushed back (base * 2^(n-1) s), message reported failed;
 *  - failed: the last attempt (QUEUE_DEF.webhookAttempts) failed: the item reads "failed", the message is
 *    moved to the DLQ and acknowledged;
 *  - deferred: the webhook is paused after a timeout (see pauseMsAfterTimeout): not attempted, the message
 *    hidden until the pause ends, no attempt used;
 *  - gone/duplicate: the item was erased (or expired) or already delivered: acknowledged.
 * The attempt number is the item's own count (`deliveryAttempts` + 1), not the message's receive count:
 * a receive that failed before reaching the webhook (DynamoDB down) uses up no attempt. An offer's
 * attempts are appended to its `deliveryLog` (GET /v1/offers/{id}).
 * Metrics: DeliverySucceeded per delivered offer or event, DeliveryFailed per offer or event that
 * ends failed (for offers, as the campaign stats' `delivered` and `deliveryFailed`) and per poison
 * message (see handleRecord): what lands in the DLQ.
 */
export async function deliver(record: SQSRecord, msg: ReceivedMessage): Promise<Outcome> {
  const cfg = getConfig();
  const subject = isOfferMessage(msg) ? await offerSubject(msg) : await visitEventSubject(msg);
  if (!subject) return 'gone';
  if (subject.status === 'delivered') return 'duplicate';
  // Its attempts were used up, but the move to the DLQ did not happen (that send failed): do it now.
  if (subject.status === 'failed') return deadLetter(record, subject.attempts, subject.lastError);
  const attempt = subject.attempts + 1;
  const hook = await readWebhook(msg.tenantId);
  if (!hook?.events.includes(subject.event)) {
    // Not an attempt at a webhook: the count stays.
    await subject.record('not_configured', subject.attempts);
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
    log('info', 'webhook paused after a timeout: delivery deferred', { ...subject.ids, attempt, deferredS: seconds });
    return 'deferred';
  }
  const secrets = [hook.secret, ...hook.previousSecrets.map((s) => s.secret)];
  let status: number | undefined;
  let error: string | undefined;
  let timedOut = false;
  const started = Date.now();
  try {
    status = await postJson(
      hook.url,
      subject.body,
      signatureHeaders(secrets, subject.webhookId, subject.body),
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
  await recordHealth(msg.tenantId, subject.ids, timedOut, gate.probe, cfg.webhookTimeoutMs);
  if (!error) {
    if (await subject.record('delivered', attempt, undefined, entry)) await subject.counted('delivered');
    log('info', 'webhook delivered', { ...subject.ids, attempt, status, ms });
    return 'delivered';
  }
  log('warn', 'webhook delivery failed', { ...subject.ids, attempt, error, ms });
  if (attempt >= QUEUE_DEF.webhookAttempts) {
    if (await subject.record('failed', attempt, error, entry)) await subject.counted('failed');
    return deadLetter(record, attempt, error);
  }
  await subject.record('pending', attempt, error, entry);
  await delayRedelivery(record.receiptHandle, redeliveryDelayS(attempt, cfg.deliveryBackoffBaseS)).catch((err) =>
    log('warn', 'visibility change failed', { ...subject.ids, ...errorFields(err) }),
  );
  return 'retry';
}

/**
 * After an attempt: a timeout pauses the tenant's deliveries; the probe of an
 * ended pause that got an answer in time (any answer: a fast 500 is not a
 * hang) ends it. A failure to record this only loses the pause, never the
 * delivery's outcome.
 */
async function recordHealth(
  tenantId: string,
  ids: Subject['ids'],
  timedOut: boolean,
  probe: number | undefined,
  timeoutMs: number,
) {
  try {
    if (timedOut) await pauseWebhook(tenantId, Date.now() + pauseMsAfterTimeout(timeoutMs));
    else if (probe !== undefined) await resumeWebhook(tenantId, probe);
  } catch (err) {
    log('warn', 'webhook pause not recorded', { ...ids, ...errorFields(err) });
  }
}

/** The last attempt failed: its message goes to the DLQ (a failed send throws: the message comes back). */
async function deadLetter(record: SQSRecord, attempts: number, error?: string): Promise<'failed'> {
  await sendToDlq(
    record.body,
    `webhook failed ${attempts} times${error ? `: ${error}` : ''}`.slice(0, 256),
    resendAttributes(record.messageAttributes),
  );
  return 'failed';
}

/** What a log line may carry of a message: identifiers only. */
const messageIds = (msg: ReceivedMessage) =>
  isOfferMessage(msg)
    ? { requestId: msg.requestId, tenantId: msg.tenantId, offerId: msg.offerId }
    : { tenantId: msg.tenantId, eventId: msg.eventId };

/** Thrown for a record SQS must keep: it comes back after its backoff, or goes to the DLQ after the last attempt. */
export class NotDelivered extends Error {}

/**
 * The batch's record handler: a record it throws for is reported failed
 * (ReportBatchItemFailures), any other is acknowledged. A poison message is
 * moved to the DLQ at once and acknowledged, so it never holds up its
 * batch-mates and is never retried; if that move fails, it is reported failed.
 * The request id comes from the record's `requestId` message attribute (see
 * parseDeliveryMessage); a missing or invalid one only leaves it out of the log
 * lines.
 */
export async function handleRecord(record: SQSRecord): Promise<Outcome | 'poison'> {
  let msg: ReceivedMessage;
  try {
    msg = parseDeliveryMessage(record.body, record.messageAttributes);
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
    log('error', 'delivery error', { messageId: record.messageId, ...messageIds(msg), ...errorFields(err) });
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
