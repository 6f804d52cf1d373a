/**
 * Typed configuration, read once from the environment. A missing variable
 * fails loudly at first use (cold start), never halfway through a request.
 */
export interface Config {
  region: string;
  tableName: string;
  offersQueueUrl: string;
  dlqUrl: string;
  /** Local mode: loopback/private webhook URLs allowed, short delivery backoff. */
  localMode: boolean;
  dynamoEndpoint?: string;
  sqsEndpoint?: string;
  /** Base of the delivery retry backoff, in seconds (visibility change grows from it). */
  deliveryBackoffBaseS: number;
  /** Webhook request timeout, in milliseconds. */
  webhookTimeoutMs: number;
  /**
   * Where the key that seals secrets at rest comes from (shared/platform/sealed.ts): on AWS the KMS key
   * (SECRETS_KMS_KEY_ID, the stack's customer-managed key); locally a key file (SECRETS_KEY_FILE, created
   * with mode 0600 on first use).
   */
  secretsKmsKeyId?: string;
  secretsKeyFile?: string;
}

/** The service name on every log line, metric and trace segment (Powertools' `service`). */
export const SERVICE_NAME = process.env.POWERTOOLS_SERVICE_NAME || 'geo-offers';

let cached: Config | undefined;

function required(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`Missing required environment variable ${name}`);
  return v;
}

function numberVar(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new Error(`Environment variable ${name} must be a non-negative number`);
  return n;
}

export function getConfig(): Config {
  if (cached) return cached;
  cached = {
    region: process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1',
    tableName: required('TABLE_NAME'),
    // Queue URLs are checked where they are used (the API functions that queue, the consumer).
    get offersQueueUrl() {
      return required('OFFERS_QUEUE_URL');
    },
    get dlqUrl() {
      return required('DLQ_URL');
    },
    localMode: process.env.LOCAL_MODE === '1',
    dynamoEndpoint: process.env.DYNAMODB_ENDPOINT || undefined,
    sqsEndpoint: process.env.SQS_ENDPOINT || undefined,
    deliveryBackoffBaseS: numberVar('DELIVERY_BACKOFF_BASE_S', 10),
    webhookTimeoutMs: numberVar('WEBHOOK_TIMEOUT_MS', 5000),
    secretsKmsKeyId: process.env.SECRETS_KMS_KEY_ID || undefined,
    secretsKeyFile: process.env.SECRETS_KEY_FILE || undefined,
  };
  return cached;
}

/** For tests and the local stack: drop the cached config after changing the environment. */
export function resetConfig(): void {
  cached = undefined;
}
