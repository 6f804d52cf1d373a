import { lambda } from '../shared/http/lambda.js';
import { setWebhook } from '../shared/services/webhook.js';

export const handler = lambda('webhook', {
  setWebhook: async ({ principal, body }) => ({ body: await setWebhook(principal, body.url) }),
});
