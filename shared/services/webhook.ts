import { createHmac, randomBytes } from 'node:crypto';
import dns from 'node:dns/promises';
import net from 'node:net';
import type { Principal } from '../auth/principal.js';
import { getConfig } from '../platform/config.js';
import { addressRefusal } from '../domain/netguard.js';
import { forbidden, unprocessable } from '../platform/errors.js';
import { nowIso } from '../store/db.js';
import { getEntity, putEntity } from '../store/entities.js';

export interface WebhookConfig {
  id: 'config';
  url: string;
  secret: string;
  createdAt: string;
  updatedAt: string;
  version: number;
}

/** Resolve a URL's host and refuse it when any address is not allowed. Throws 422 naming `url`. */
export async function checkWebhookUrl(raw: string, localMode = getConfig().localMode): Promise<URL> {
  const bad = (message: string) => unprocessable([{ path: 'url', message }]);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw bad('Not a valid URL.');
  }
  if (url.username || url.password) throw bad('Credentials in the URL are not allowed.');
  if (url.protocol !== 'https:' && !(localMode && url.protocol === 'http:'))
    throw bad(localMode ? 'Use http or https.' : 'Use https.');
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let addresses: string[];
  if (net.isIP(host)) addresses = [host];
  else {
    try {
      addresses = (await dns.lookup(host, { all: true, verbatim: true })).map((a) => a.address);
    } catch {
      throw bad('The host name does not resolve.');
    }
  }
  for (const a of addresses) {
    const why = addressRefusal(a, localMode);
    if (why) throw bad(`The host ${why}.`);
  }
  return url;
}

/** Set the tenant's webhook. The signing secret is created once and kept when the URL changes. */
export async function setWebhook(p: Principal, url: string) {
  if (p.storeIds.length) throw forbidden('The webhook is tenant-wide; a store-restricted key cannot change it.');
  const checked = await checkWebhookUrl(url);
  const current = await getEntity<WebhookConfig>(p.tenantId, 'WEBHOOK', 'config');
  const at = nowIso();
  const next: WebhookConfig = {
    id: 'config',
    url: checked.toString(),
    secret: current?.secret ?? `whsec_${randomBytes(32).toString('base64url')}`,
    createdAt: current?.createdAt ?? at,
    updatedAt: at,
    version: (current?.version ?? 0) + 1,
  };
  await putEntity(p.tenantId, 'WEBHOOK', next);
  return { url: next.url, secret: next.secret };
}

export async function getWebhook(tenantId: string): Promise<WebhookConfig | undefined> {
  return getEntity<WebhookConfig>(tenantId, 'WEBHOOK', 'config');
}

/** `Webhook-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "t.body">` */
export function signWebhook(secret: string, body: string, t = Math.floor(Date.now() / 1000)): string {
  const v1 = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
  return `t=${t},v1=${v1}`;
}
