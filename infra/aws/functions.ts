import type { FunctionName } from '../../shared/http/route.js';
import { functionNames } from '../../shared/http/routes.js';
import { QUEUE_DEF } from '../../shared/store/table-def.js';

/**
 * Every Lambda of the deployment: one per `fn` of the route table, plus the
 * offers queue's consumer (`deliver`) and the table stream's consumer
 * (`stream`, the outbox). Authorization runs inside each HTTP function; there
 * is no authorizer function.
 */
export type LambdaName = FunctionName | 'deliver' | 'stream';

/** What a function may do with the single table. */
export type TableAccess = 'none' | 'read' | 'readWrite';

/** Timeout of the HTTP functions (API Gateway's HTTP API gives up after 30 s). */
export const HTTP_TIMEOUT_SECONDS = 10;

/** Timeout of the stream consumer: one batch of up to 100 records (SQS batches, counter transactions). */
export const STREAM_TIMEOUT_SECONDS = 30;

export interface FunctionSettings {
  table: TableAccess;
  /** `sqs:SendMessage` on the offers queue, and nothing else on it. */
  sendsOffers: boolean;
  /** Polled by the offers queue's event source (receive, delete, change visibility). */
  consumesOffers: boolean;
  /** Fed by the table's stream (the outbox): new items marked `outbox` only. */
  consumesStream: boolean;
  /** `sqs:SendMessage` on the dead-letter queue: moves a malformed message there at once. */
  sendsToDlq: boolean;
  memoryMb: number;
  timeoutSeconds: number;
}

/** What a function gets unless FUNCTION_SETTINGS says otherwise: read/write on the table, no queue, 512 MB, 10 s. */
export const DEFAULT_SETTINGS: FunctionSettings = {
  table: 'readWrite',
  sendsOffers: false,
  consumesOffers: false,
  consumesStream: false,
  sendsToDlq: false,
  memoryMb: 512,
  timeoutSeconds: HTTP_TIMEOUT_SECONDS,
};

/**
 * The grants, keyed by function name: only the exceptions to DEFAULT_SETTINGS.
 * A function the route table names and this map does not (stores, partners,
 * geofences, …) gets the defaults; giving a function more is one line here.
 */
export const FUNCTION_SETTINGS: Partial<Record<LambdaName, Partial<FunctionSettings>>> = {
  ops: { table: 'none' }, // /health, /openapi.json and the API's 404s touch no data
  // The hot path: geo matching, one transaction per offer. It sends nothing to SQS: the stream does (outbox).
  offers: { memoryMb: 1024 },
  deliver: {
    consumesOffers: true,
    sendsToDlq: true,
    memoryMb: 1024,
    timeoutSeconds: QUEUE_DEF.deliveryTimeoutSeconds,
  }, // webhook POSTs, delivery status; poison → DLQ
  // The outbox: new offers → the offers queue; exposures → stats counters, and marks the records counted.
  stream: { consumesStream: true, sendsOffers: true, timeoutSeconds: STREAM_TIMEOUT_SECONDS },
};

export function settingsFor(name: LambdaName): FunctionSettings {
  return { ...DEFAULT_SETTINGS, ...FUNCTION_SETTINGS[name] };
}

/** The HTTP functions (from the route table) followed by the queue consumer and the stream consumer. */
export function lambdaNames(): LambdaName[] {
  return [...functionNames(), 'deliver', 'stream'];
}

/**
 * DynamoDB actions per access level. Item-level only: no Scan (the design never
 * scans; erasure and export are bounded queries), no table management.
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
