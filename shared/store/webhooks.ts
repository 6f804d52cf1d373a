import { getEntity, putEntity } from './entities.js';

/**
 * The tenant's webhook (one per tenant): where offers are delivered and the signing secret.
 *   pk T#<tenant>   sk WEBHOOK#config      no TTL (configuration)
 */
export interface WebhookConfig {
  id: 'config';
  url: string;
  secret: string;
  createdAt: string;
  updatedAt: string;
  version: number;
}

const KIND = 'WEBHOOK';
const ID = 'config';

/** The tenant's webhook, or undefined when none is set. */
export const getWebhookConfig = (tenantId: string) => getEntity<WebhookConfig>(tenantId, KIND, ID);

/** Set the tenant's webhook, whatever was there. */
export const putWebhookConfig = (tenantId: string, config: WebhookConfig) => putEntity(tenantId, KIND, config);
