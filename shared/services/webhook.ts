import type { Principal } from '../auth/principal.js';
import { newWebhookSecret } from '../delivery/signing.js';
import { checkWebhookUrl } from '../delivery/webhook-client.js';
import { getConfig } from '../platform/config.js';
import { forbidden } from '../platform/errors.js';
import { nowIso } from '../store/db.js';
import { getWebhookConfig, putWebhookConfig, type WebhookConfig } from '../store/webhooks.js';

/** Set the tenant's webhook. The signing secret is created once and kept when the URL changes. */
export async function setWebhook(p: Principal, url: string) {
  if (p.storeIds.length) throw forbidden('The webhook is tenant-wide; a store-restricted key cannot change it.');
  const checked = await checkWebhookUrl(url, getConfig().localMode);
  const current = await getWebhookConfig(p.tenantId);
  const at = nowIso();
  const next: WebhookConfig = {
    id: 'config',
    url: checked.toString(),
    secret: current?.secret ?? newWebhookSecret(),
    createdAt: current?.createdAt ?? at,
    updatedAt: at,
    version: (current?.version ?? 0) + 1,
  };
  await putWebhookConfig(p.tenantId, next);
  return { url: next.url, secret: next.secret };
}
