import type { FunctionName } from '../../shared/http/route.js';
import { functionNames } from '../../shared/http/routes.js';

/** Every Lambda of the deployment: one per `fn` of the route table, plus the authorizer and the queue consumer. */
export type LambdaName = FunctionName | 'authorizer' | 'deliver';

/** What a function may do with the single table. */
export type TableAccess = 'none' | 'read' | 'readWrite';

export interface FunctionSettings {
  table: TableAccess;
  /** `sqs:SendMessage` on the offers queue, and nothing else on it. */
  sendsOffers: boolean;
  /** Polled by the offers queue's event source (receive, delete, change visibility). */
  consumesOffers: boolean;
  /** `sqs:SendMessage` on the dead-letter queue: moves a malformed message there at once. */
  sendsToDlq: boolean;
  memoryMb: number;
}

/** What a function gets unless FUNCTION_SETTINGS says otherwise: read/write on the table, no queue, 512 MB. */
export const DEFAULT_SETTINGS: FunctionSettings = {
  table: 'readWrite',
  sendsOffers: false,
  consumesOffers: false,
  sendsToDlq: false,
  memoryMb: 512,
};

/**
 * The grants, keyed by function name: only the exceptions to DEFAULT_SETTINGS.
 * A function the route table names and this map does not (stores, partners,
 * geofences, …) gets the defaults; giving a function more is one line here.
 */
export const FUNCTION_SETTINGS: Partial<Record<LambdaName, Partial<FunctionSettings>>> = {
  ops: { table: 'none' }, // /health and /openapi.json touch no data
  authorizer: { table: 'readWrite' }, // reads the key, updates its rate-limit item
  offers: { sendsOffers: true, memoryMb: 1024 }, // the hot path: geo matching, queues deliveries
  deliver: { consumesOffers: true, sendsToDlq: true, memoryMb: 1024 }, // webhook POSTs, delivery status; poison → DLQ
};

export function settingsFor(name: LambdaName): FunctionSettings {
  return { ...DEFAULT_SETTINGS, ...FUNCTION_SETTINGS[name] };
}

/** The HTTP functions (from the route table) followed by the authorizer and the queue consumer. */
export function lambdaNames(): LambdaName[] {
  return [...functionNames(), 'authorizer', 'deliver'];
}

/**
 * DynamoDB actions per access level. Item-level only: no Scan (the design never
 * scans; erasure and export are bounded queries), no table management.
 * TransactWriteItems is authorised through the per-item actions below.
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
