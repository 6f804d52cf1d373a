import dns from 'node:dns';
import dnsPromises from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import net, { type LookupFunction } from 'node:net';
import { unprocessable } from '../platform/errors.js';
import { addressRefusal } from './netguard.js';

/** The host of a URL without the brackets of an IPv6 literal. */
const bareHost = (url: URL) => url.hostname.replace(/^\[|\]$/g, '');

/**
 * Check a webhook URL before it is stored: a URL without credentials, https
 * (http too in local mode), and a host whose every address may be called.
 * Throws a 422 naming `url`.
 */
export async function checkWebhookUrl(raw: string, localMode: boolean): Promise<URL> {
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
  const host = bareHost(url);
  let addresses: string[];
  if (net.isIP(host)) addresses = [host];
  else {
    try {
      addresses = (await dnsPromises.lookup(host, { all: true, verbatim: true })).map((a) => a.address);
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

/** A lookup that refuses disallowed addresses at connect time too (DNS rebinding). */
function guardedLookup(localMode: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 4);
      const list = addresses as unknown as dns.LookupAddress[];
      const refused = list.map((a) => addressRefusal(a.address, localMode)).find(Boolean);
      if (refused) return callback(new Error(`Webhook host ${refused}`), '', 4);
      if ((options as { all?: boolean }).all)
        return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, list);
      callback(null, list[0].address, list[0].family);
    });
  };
}

/** POST a JSON body with a timeout; resolves with the status code or rejects. */
export function postJson(
  url: string,
  body: string,
  headers: Record<string, string>,
  timeoutMs: number,
  localMode: boolean,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    // Node does not call `lookup` for an IP literal: check it here.
    const literal = bareHost(u);
    const refused = net.isIP(literal) ? addressRefusal(literal, localMode) : undefined;
    if (refused) return reject(new Error(`Webhook host ${refused}`));
    const mod = u.protocol === 'https:' ? https : http;
    const req = mod.request(
      u,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          'user-agent': 'geo-offers-webhooks/1',
          ...headers,
        },
        lookup: guardedLookup(localMode),
        timeout: timeoutMs,
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`Webhook timed out after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}
