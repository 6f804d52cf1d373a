import type { FunctionName } from '../../shared/http/route.js';
import { functionNames } from '../../shared/http/routes.js';
import type { SealContext } from '../../shared/platform/sealed.js';
import { QUEUE_DEF } from '../../shared/store/table-def.js';

/**
 * Every Lambda of the deployment: one per `fn` of the route table, plus the
 * offers queue's consumer (`deliver`), the table stream's consumer
 * (`stream`, the outbox) and the daily retention sweep (`retention`, on a
 * schedule, with no route). Authorization runs inside each HTTP function;
 * there is no authorizer function.
 */
export type LambdaName = FunctionName | 'deliver' | 'stream' | 'retention';

/** What a sealed secret is for: the `purpose` of its encryption context. */
export type SealPurpose = SealContext['purpose'];

/** What a function may do with the single table. */
export type TableAccess = 'none' | 'read' | 'readWrite';

/** Timeout of the HTTP functions (API Gateway's HTTP API gives up after 30 s). */
export const HTTP_TIMEOUT_SECONDS = 10;

/** Timeout of the stream consumer: one batch of up to 100 records (SQS batches, counter transactions). */
export const STREAM_TIMEOUT_SECONDS = 30;

/**
 * Timeout of the retention sweep: Lambda's maximum (15 min). One run scans the whole table once (8 parallel
 * segments) when some tenant shortened its retention; a run cut short keeps what it deleted, and the next run
 * starts the scan again from the beginning (deletes are conditional, so running twice is harmless).
 */
export const RETENTION_SWEEP_TIMEOUT_SECONDS = 900;

export interface FunctionSettings {
  table: TableAccess;
  /** `dynamodb:Scan` on the table (not its indexes): the retention sweep only (everything else queries a partition). */
  scansTable: boolean;
  /** `sqs:SendMessage` on the offers queue, and nothing else on it. */
  sendsOffers: boolean;
  /** Polled by the offers queue's event source (receive, delete, change visibility). */
  consumesOffers: boolean;
  /** Fed by the table's stream (the outbox): new items marked `outbox` only. */
  consumesStream: boolean;
  /** `sqs:SendMessage` on the dead-letter queue: moves a malformed message there at once. */
  sendsToDlq: boolean;
  /**
   * Secrets it seals (`kms:GenerateDataKey`) and opens (`kms:Decrypt`) with the stack's secrets key,
   * by purpose (shared/platform/sealed.ts): each grant holds only for data keys bound to these purposes
   * (their encryption context). A function with either gets SECRETS_KMS_KEY_ID; the others know no key.
   */
  seals: readonly SealPurpose[];
  opens: readonly SealPurpose[];
  memoryMb: number;
  timeoutSeconds: number;
}

/**
 * What a function gets unless FUNCTION_SETTINGS says otherwise: read/write on the table, no queue, 512 MB, 10 s,
 * and the opening of shopper-token signing keys (only those): every keyed route verifies the Shopper-Token of a
 * publishable-key request before it decides (401 for a bad token, then 403 on a route such a key may not call).
 */
export const DEFAULT_SETTINGS: FunctionSettings = {
  table: 'readWrite',
  scansTable: false,
  sendsOffers: false,
  consumesOffers: false,
  consumesStream: false,
  sendsToDlq: false,
  seals: [],
  opens: ['shopper-token-key'],
  memoryMb: 512,
  timeoutSeconds: HTTP_TIMEOUT_SECONDS,
};

/**
 * The grants, keyed by function name: only the exceptions to DEFAULT_SETTINGS.
 * A function the route table names and this map does not (stores, partners,
 * geofences, …) gets the defaults; giving a function more is one line here.
 */
export const FUNCTION_SETTINGS: Partial<Record<LambdaName, Partial<FunctionSettings>>> = {
  ops: { table: 'none', opens: [] }, // /health, /openapi.json and the API's 404s touch no data and need no key
  // The hot path: geo matching, one transaction per offer. It sends nothing to SQS: the stream does (outbox).
  offers: { memoryMb: 1024 },
  // Shopper-token keys: sealed when created, opened to sign the tokens POST /v1/shopper-tokens mints.
  keys: { seals: ['shopper-token-key'], opens: ['shopper-token-key'] },
  // The webhook secret: sealed on PUT and rotation, opened to answer it and to sign the test event.
  webhook: { seals: ['webhook-secret'], opens: ['shopper-token-key', 'webhook-secret'] },
  deliver: {
    consumesOffers: true,
    sendsToDlq: true,
    opens: ['webhook-secret'],
    memoryMb: 1024,
    timeoutSeconds: QUEUE_DEF.deliveryTimeoutSeconds,
  }, // webhook POSTs (signed with the opened secrets), delivery status; poison → DLQ
  // The outbox: new offers and geofence events → the offers queue; exposures → stats counters, and marks the records counted.
  stream: { consumesStream: true, sendsOffers: true, opens: [], timeoutSeconds: STREAM_TIMEOUT_SECONDS },
  // The daily retention sweep (a schedule, no route): one Query of the retention register; when a tenant shortened
  // its retention, a parallel Scan of the table (keys, ttl, createdAt) and conditional deletes. Opens no secret.
  retention: { scansTable: true, opens: [], memoryMb: 1024, timeoutSeconds: RETENTION_SWEEP_TIMEOUT_SECONDS },
};

/**
 * The offers queue's event source: batches of 10 records (delivered at once,
 * see functions/deliver.ts), handed over as soon as they are polled (no
 * batching window: a batch waits for nobody), at most this many batches at
 * once. A webhook that hangs is paused after its first timeout
 * (shared/delivery/deliver.ts), so it holds at most a few of them, for at
 * most the webhook timeout each; the cap keeps a burst of deliveries from
 * taking the account's Lambda concurrency from the API.
 */
export const DELIVERY_BATCH_SIZE = 10;
export const DELIVERY_MAX_CONCURRENCY = 50;

export function settingsFor(name: LambdaName): FunctionSettings {
  return { ...DEFAULT_SETTINGS, ...FUNCTION_SETTINGS[name] };
}

/** The HTTP functions (from the route table) followed by the queue consumer, the stream consumer and the retention sweep. */
export function lambdaNames(): LambdaName[] {
  return [...functionNames(), 'deliver', 'stream', 'retention'];
}

/**
 * DynamoDB actions per access level. Item-level only: no Scan (requests never
 * scan; erasure and export are bounded queries; only the daily retention sweep
 * scans, with SCAN_ACTION granted by `scansTable`), no table management.
 * There is no IAM action for TransactWriteItems or TransactGetItems: DynamoDB
 * authorizes each item of a transaction by its own action (PutItem,
 * UpdateItem, DeleteItem, ConditionCheckItem; GetItem for TransactGetItems),
 * so the offer transaction and the stream's counter transactions need exactly
 * these.
 */
export const TABLE_ACTIONS = {
  read: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'],
  write: [
    'dynamodb:PutItem',
    'dynamodb:UpdateItem',
    'dynamodb:DeleteItem',
    'dynamodb:BatchWriteItem',
    'dynamodb:ConditionCheckItem',
  ],
} as const;

/** What `scansTable` adds, on the table's ARN only (the sweep scans no index). */
export const SCAN_ACTION = 'dynamodb:Scan';
