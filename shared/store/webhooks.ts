import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { isSealed, type SealContext, seal, unseal } from '../platform/sealed.js';
import { db, isConditionFailed, table } from './db.js';
import { createEntity, entityItem, entityKey, getEntity, replaceEntity } from './entities.js';
import { type TransactItem, transactWrite } from './transactions.js';

/**
 * The tenant's webhook (one per tenant): where offers and visit events are
 * delivered, the events it takes, its signing secrets, and whether its
 * deliveries are paused after a timeout.
 *   pk T#<tenant>   sk WEBHOOK#config      no TTL (configuration)
 * Secrets are sealed at rest (shared/platform/sealed.ts, purpose
 * 'webhook-secret'): the item holds `s1.…` values, never a `whsec_…` one. An
 * item written before sealing existed holds its secret in the clear; it is
 * read as it is and sealed by the next write.
 */

/** The events a webhook can subscribe to. `webhook.test` is sent on request only (POST /v1/webhook/test). */
export const WEBHOOK_EVENTS = ['offer.created', 'geofence.entered', 'geofence.exited', 'geofence.dwelled'] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];
export const DEFAULT_WEBHOOK_EVENTS: readonly WebhookEvent[] = ['offer.created'];

/** Longest a retired secret keeps signing deliveries after a rotation. */
export const SECRET_OVERLAP_MS = 24 * 3600_000;
/** Most retired secrets kept signing at once (rotations within 24 h of each other): one signature each. */
export const MAX_PREVIOUS_SECRETS = 4;

/** A retired secret that still signs every delivery until `expiresAt` (ISO). */
export interface PreviousSecret {
  secret: string;
  expiresAt: string;
}

/** The webhook as the services use it: secrets in the clear. */
export interface Webhook {
  url: string;
  events: WebhookEvent[];
  /** The current signing secret (`whsec_…`). */
  secret: string;
  /** Retired secrets still in their overlap, newest first (expired ones are left out on read). */
  previousSecrets: PreviousSecret[];
  createdAt: string;
  updatedAt: string;
  version: number;
  /** Epoch ms until which deliveries wait, after the webhook timed out (see shared/delivery/deliver.ts). */
  pausedUntil?: number;
}

/** The stored item (secrets sealed; `events` absent on items written before it existed). */
interface StoredWebhook {
  id: 'config';
  url: string;
  events?: WebhookEvent[];
  secret: string;
  previousSecrets?: PreviousSecret[];
  createdAt: string;
  updatedAt: string;
  version: number;
  pausedUntil?: number;
}

const KIND = 'WEBHOOK';
const ID = 'config';
const sealing = (tenantId: string): SealContext => ({ tenantId, purpose: 'webhook-secret' });
const open = (stored: string, tenantId: string) => (isSealed(stored) ? unseal(stored, sealing(tenantId)) : stored);

/** Key of the stored item (tests read it raw: no secret in it in the clear). */
export const webhookKey = (tenantId: string) => entityKey(tenantId, KIND, ID);

/** The tenant's webhook with its secrets opened (retired ones past their overlap left out), or undefined. */
export async function getWebhook(tenantId: string, now = Date.now()): Promise<Webhook | undefined> {
  const item = await getEntity<StoredWebhook>(tenantId, KIND, ID);
  if (!item) return undefined;
  const live = (item.previousSecrets ?? []).filter((p) => Date.parse(p.expiresAt) > now);
  const [secret, ...previous] = await Promise.all([item.secret, ...live.map((p) => p.secret)].map((s) => open(s, tenantId)));
  return {
    url: item.url,
    events: item.events?.length ? item.events : [...DEFAULT_WEBHOOK_EVENTS],
    secret,
    previousSecrets: live.map((p, i) => ({ secret: previous[i], expiresAt: p.expiresAt })),
    createdAt: item.createdAt,
    updatedAt: item.updatedAt,
    version: item.version,
    ...(item.pausedUntil !== undefined ? { pausedUntil: item.pausedUntil } : {}),
  };
}

/**
 * Write the tenant's webhook, every secret sealed: the first one
 * (`expectedVersion` undefined) only if none exists, a later one only if the
 * stored version is still `expectedVersion` (the new one carries version + 1).
 * Returns false when another write came first. With `also` (e.g. the audit
 * entry of the change), the webhook and those items are one transaction.
 */
export async function saveWebhook(
  tenantId: string,
  hook: Webhook,
  expectedVersion?: number,
  also: TransactItem[] = [],
): Promise<boolean> {
  const ctx = sealing(tenantId);
  const [secret, ...previous] = await Promise.all(
    [hook.secret, ...hook.previousSecrets.map((p) => p.secret)].map((s) => seal(s, ctx)),
  );
  const item: StoredWebhook = {
    id: ID,
    url: hook.url,
    events: hook.events,
    secret,
    previousSecrets: hook.previousSecrets.map((p, i) => ({ secret: previous[i], expiresAt: p.expiresAt })),
    createdAt: hook.createdAt,
    updatedAt: hook.updatedAt,
    version: (expectedVersion ?? 0) + 1,
    ...(hook.pausedUntil !== undefined ? { pausedUntil: hook.pausedUntil } : {}),
  };
  if (also.length) {
    // One transaction: the webhook under the same condition as below, and `also` (e.g. its audit entry).
    const outcome = await transactWrite([
      {
        tag: 'webhook',
        item: {
          Put: {
            Item: entityItem(tenantId, KIND, item),
            ...(expectedVersion === undefined
              ? { ConditionExpression: 'attribute_not_exists(pk)' }
              : {
                  ConditionExpression: 'attribute_exists(pk) AND version = :v',
                  ExpressionAttributeValues: { ':v': expectedVersion },
                }),
          },
        },
      },
      ...also.map((x, n) => ({ tag: `also:${n}`, item: x })),
    ]);
    if (outcome.ok) return true;
    if (outcome.conflict || outcome.refused.includes('webhook')) return false;
    throw new Error(`webhook write refused: ${outcome.refused.join(', ')}`);
  }
  if (expectedVersion === undefined) {
    try {
      await createEntity(tenantId, KIND, item);
      return true;
    } catch (err) {
      if (isConditionFailed(err)) return false;
      throw err;
    }
  }
  return replaceEntity(tenantId, KIND, item, expectedVersion);
}

/** Set `pausedUntil`, or remove it (undefined), if the webhook exists and (with `expected`) it still holds `expected`. */
async function setPause(tenantId: string, until: number | undefined, expected?: number): Promise<boolean> {
  const values = {
    ...(until !== undefined ? { ':until': until } : {}),
    ...(expected !== undefined ? { ':seen': expected } : {}),
  };
  try {
    await db().send(
      new UpdateCommand({
        TableName: table(),
        Key: webhookKey(tenantId),
        UpdateExpression: until === undefined ? 'REMOVE pausedUntil' : 'SET pausedUntil = :until',
        ConditionExpression: `attribute_exists(pk)${expected !== undefined ? ' AND pausedUntil = :seen' : ''}`,
        ...(Object.keys(values).length ? { ExpressionAttributeValues: values } : {}),
      }),
    );
    return true;
  } catch (err) {
    if (isConditionFailed(err)) return false;
    throw err;
  }
}

/** Pause the tenant's deliveries until `until` (epoch ms): its webhook timed out. */
export const pauseWebhook = (tenantId: string, until: number) => setPause(tenantId, until).then(() => undefined);

/**
 * Claim the one probe of a paused webhook whose pause (`seen`) has ended: the
 * pause becomes `leaseUntil` (the probe's own time) for everyone else. False
 * when another delivery claimed it first (or the pause changed).
 */
export const claimWebhookProbe = (tenantId: string, seen: number, leaseUntil: number) => setPause(tenantId, leaseUntil, seen);

/** End the pause `expected` (the probe answered in time); a pause set since by another timeout stays. */
export const resumeWebhook = (tenantId: string, expected: number) => setPause(tenantId, undefined, expected);
