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

/** Most of a receiver's answer that is read (and dropped): the status is all a delivery needs. */
const MAX_ANSWER_BYTES = 64 * 1024;

/** Why a webhook request got no HTTP answer: a short text for the offer's attempt list and the logs (no URL, no address). */
export class WebhookFailure extends Error {
  override readonly name = 'WebhookFailure';
  /** The request took the whole timeout (the receiver is slow or hangs), as opposed to failing fast. */
  readonly timedOut: boolean;
  constructor(message: string, timedOut = false) {
    super(message);
    this.timedOut = timedOut;
  }
}

/** Words for the network errors a receiver causes, without the address or port they name. */
function networkFailure(err: NodeJS.ErrnoException): WebhookFailure {
  if (err instanceof WebhookFailure) return err;
  const code = err.code ?? '';
  if (code === 'ECONNREFUSED') return new WebhookFailure('connection refused');
  if (code === 'ECONNRESET' || code === 'EPIPE') return new WebhookFailure('connection reset by the receiver');
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return new WebhookFailure('the host name does not resolve');
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return new WebhookFailure('host unreachable');
  if (/CERT|SSL|TLS|SELF_SIGNED/.test(code)) return new WebhookFailure(`TLS handshake failed (${code})`);
  if (err.message?.startsWith('Webhook host ')) return new WebhookFailure(err.message);
  return new WebhookFailure(code ? `network error (${code})` : 'network error');
}

/**
 * POST a JSON body; resolves with the answer's HTTP status, or rejects with a
 * WebhookFailure. `timeoutMs` bounds the whole request (DNS, connect, TLS,
 * sending, and the answer's status line and headers): a receiver that
 * trickles bytes cannot hold it longer. The answer's body is not waited for
 * (at most 64 KiB of it is read and dropped). `signal` aborts it early (the
 * request deadline of an API call).
 */
export function postJson(
  url: string,
  body: string,
  headers: Record<string, string>,
  timeoutMs: number,
  localMode: boolean,
  signal?: AbortSignal,
): Promise<number> {
  return new Promise((resolve, reject) => {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      return reject(new WebhookFailure('the stored URL is not valid'));
    }
    // Node does not call `lookup` for an IP literal: check it here.
    const literal = bareHost(u);
    const refused = net.isIP(literal) ? addressRefusal(literal, localMode) : undefined;
    if (refused) return reject(new WebhookFailure(`Webhook host ${refused}`));
    if (signal?.aborted) return reject(new WebhookFailure('aborted before it was sent'));
    const mod = u.protocol === 'https:' ? https : http;
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      fn();
    };
    let req: http.ClientRequest;
    try {
      req = mod.request(
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
        },
        (res) => {
          const status = res.statusCode ?? 0;
          finish(() => resolve(status));
          // The status is known: the rest of the answer is read and dropped within a short grace.
          const grace = setTimeout(() => res.destroy(), 1000);
          grace.unref();
          let read = 0;
          res.on('data', (chunk: Buffer) => {
            read += chunk.length;
            if (read > MAX_ANSWER_BYTES) res.destroy();
          });
          res.on('close', () => clearTimeout(grace));
          res.on('error', () => undefined);
        },
      );
    } catch (err) {
      // A request Node will not make (e.g. a header it refuses): a failed attempt, not an error of ours to retry.
      return reject(new WebhookFailure(`could not send the request (${(err as NodeJS.ErrnoException).code ?? 'invalid'})`));
    }
    const timer = setTimeout(() => {
      const failure = new WebhookFailure(`timed out after ${timeoutMs} ms`, true);
      finish(() => reject(failure));
      req.destroy(failure);
    }, timeoutMs);
    const onAbort = () => {
      const failure = new WebhookFailure('aborted at the request deadline', true);
      finish(() => reject(failure));
      req.destroy(failure);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    req.on('error', (err) => finish(() => reject(networkFailure(err))));
    req.end(body);
  });
}
