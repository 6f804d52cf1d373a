import { lambda } from '../shared/http/lambda.js';
import { rotateWebhookSecret, setWebhook, testWebhook } from '../shared/services/webhook.js';

export const handler = lambda('webhook', {
  setWebhook: async ({ principal, body }) => ({ body: await setWebhook(principal, body.url, body.events) }),
  rotateWebhookSecret: async ({ principal }) => ({ body: await rotateWebhookSecret(principal) }),
  testWebhook: async ({ principal }) => ({ body: await testWebhook(principal) }),
});
