/**
 * The benchmark's HTTP client: real requests to the in-process gateway, each
 * with its own X-Request-Id so that the invocations it caused (and what they
 * cost) can be picked up once it is answered.
 */
import { createHmac } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { BenchStack, Invocation } from './stack.js';

export interface Reply<T = unknown> {
  status: number;
  body: T;
  /** Client-side latency: request sent to response body read. */
  ms: number;
  invocations: Invocation[];
}

export interface CallOptions {
  key?: string;
  body?: unknown;
  headers?: Record<string, string>;
}

export class Client {
  private n = 0;
  private readonly run = Math.random().toString(36).slice(2, 8);
  constructor(private readonly stack: BenchStack) {}

  async call<T = unknown>(method: string, path: string, opts: CallOptions = {}): Promise<Reply<T>> {
    const requestId = `bench-${this.run}-${++this.n}`;
    const headers: Record<string, string> = { 'x-request-id': requestId, ...opts.headers };
    if (opts.key) headers.authorization = `Bearer ${opts.key}`;
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    const t0 = performance.now();
    const res = await fetch(`${this.stack.apiUrl}${path}`, {
      method,
      headers,
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    });
    const text = await res.text();
    const ms = performance.now() - t0;
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: kept as text
    }
    return { status: res.status, body: body as T, ms, invocations: this.stack.takeInvocations(requestId) };
  }

  /** The call, or an error naming what was answered instead of `expect`. */
  async ok<T = unknown>(method: string, path: string, opts: CallOptions = {}, expect = [200, 201, 204]): Promise<Reply<T>> {
    const r = await this.call<T>(method, path, opts);
    if (!expect.includes(r.status))
      throw new Error(`${method} ${path} answered ${r.status}: ${JSON.stringify(r.body).slice(0, 400)}`);
    return r;
  }
}

/**
 * A shopper token (API v1.1): HS256 JWT signed with a tenant's token-signing
 * key, as the tenant's own server would sign it.
 */
export function shopperToken(kid: string, secret: string, shopperId: string, nowS = Math.floor(Date.now() / 1000)): string {
  const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const head = b64({ alg: 'HS256', typ: 'JWT', kid });
  const claims = b64({ sub: shopperId, iat: nowS, exp: nowS + 3600, aud: 'geo-offers' });
  const sig = createHmac('sha256', Buffer.from(secret, 'utf8')).update(`${head}.${claims}`).digest('base64url');
  return `${head}.${claims}.${sig}`;
}

/** Run tasks with bounded concurrency; results in input order. */
export async function pool<T, R>(items: readonly T[], concurrency: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i], i);
      }
    }),
  );
  return out;
}
