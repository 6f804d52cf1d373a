import { inject } from 'vitest';

// Point in-process store/queue code (used by tests that count requests) at the test stack.
const stack = inject('stack');
const dataDir = inject('dataDir');
Object.assign(process.env, {
  TABLE_NAME: stack.tableName,
  OFFERS_QUEUE_URL: stack.offersQueueUrl,
  DLQ_URL: stack.dlqUrl,
  DYNAMODB_ENDPOINT: stack.dynamoEndpoint,
  SQS_ENDPOINT: stack.sqsEndpoint,
  // The stack's own key file: secrets sealed in-process open in the stack, and the other way round.
  SECRETS_KEY_FILE: `${dataDir}/secrets.key`,
  LOCAL_MODE: '1',
  AWS_REGION: 'us-east-1',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  LOG_LEVEL: 'silent',
  // In-process service calls see configuration changes at once (see global-setup.ts).
  CONFIG_CACHE_TTL_S: '0',
});
