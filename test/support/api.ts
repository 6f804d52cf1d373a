import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { inject } from 'vitest';

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export const apiUrl = () => inject('stack').apiUrl;

/** Call the running local API over HTTP. */
export async function api<T = any>(
  method: string,
  urlPath: string,
  opts: {
    key?: string;
    body?: unknown;
    rawBody?: string;
    headers?: Record<string, string>;
    base?: string;
    /** With a publishable key made by newKey(): send a Shopper-Token for this shopper (minted by the key's tenant). */
    shopper?: string;
  } = {},
): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (opts.key) headers.authorization = `Bearer ${opts.key}`;
  if (opts.shopper !== undefined) {
    const admin = opts.key ? appAdmins.get(opts.key) : undefined;
    if (!admin) throw new Error('api({shopper}) needs a publishable key made by newKey()');
    headers['shopper-token'] = await shopperToken(admin, opts.shopper, { base: opts.base });
  }
  let body: string | undefined = opts.rawBody;
  if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers['content-type'] ??= 'application/json';
  }
  const res = await fetch(`${opts.base ?? apiUrl()}${urlPath}`, { method, headers, body });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    /* not JSON */
  }
  return { status: res.status, headers: res.headers, body: parsed as T };
}

export async function operatorKey(dataDir = inject('dataDir')): Promise<string> {
  return (await readFile(path.join(dataDir, 'operator-key'), 'utf8')).trim();
}

let counter = 0;
export const unique = (p: string) => `${p}-${process.pid}-${Date.now().toString(36)}-${(counter++).toString(36)}`;

/** A fresh tenant and its admin key. */
export async function newTenant(name = unique('tenant')): Promise<{ id: string; adminKey: string }> {
  const res = await setupCall('POST', '/v1/tenants', { key: await operatorKey(), body: { name } });
  if (res.status !== 201) throw new Error(`tenant creation failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { id: res.body.tenant.id, adminKey: res.body.adminKey };
}

/** The admin key of the tenant of each publishable key newKey() made: it mints their shopper tokens. */
const appAdmins = new Map<string, string>();

/** Is this a publishable key made by newKey() (whose requests can carry a minted Shopper-Token)? */
export const isAppKey = (key: string | undefined): boolean => !!key && appAdmins.has(key);

/** A key of the given kind/scopes for a tenant. */
export async function newKey(adminKey: string, body: Record<string, unknown>): Promise<{ id: string; key: string }> {
  const res = await api('POST', '/v1/keys', { key: adminKey, body: { name: unique('key'), ...body } });
  if (res.status !== 201) throw new Error(`key creation failed: ${res.status} ${JSON.stringify(res.body)}`);
  if (res.body.kind === 'publishable') appAdmins.set(res.body.key, adminKey);
  return { id: res.body.id, key: res.body.key };
}

/** Tokens minted so far, by tenant key and shopper, with when they stop being usable (ms). */
const minted = new Map<string, { token: string; until: number }>();

/**
 * A shopper token for `shopperId`, minted by POST /v1/shopper-tokens with a
 * secret key of the tenant (tokens:write). Reused while it has more than a
 * minute to live, unless `fresh`.
 */
export async function shopperToken(
  secretKey: string,
  shopperId: string,
  opts: { expiresInSeconds?: number; fresh?: boolean; base?: string } = {},
): Promise<string> {
  const id = `${secretKey}\n${shopperId}\n${opts.base ?? ''}`;
  const known = minted.get(id);
  if (!opts.fresh && opts.expiresInSeconds === undefined && known && known.until > Date.now()) return known.token;
  const res = await api('POST', '/v1/shopper-tokens', {
    key: secretKey,
    base: opts.base,
    body: { shopperId, ...(opts.expiresInSeconds === undefined ? {} : { expiresInSeconds: opts.expiresInSeconds }) },
  });
  if (res.status !== 201) throw new Error(`shopper token: ${res.status} ${JSON.stringify(res.body)}`);
  if (opts.expiresInSeconds === undefined)
    minted.set(id, { token: res.body.token, until: Date.parse(res.body.expiresAt) - 60_000 });
  return res.body.token as string;
}

export function expectProblem(res: ApiResponse, status: number) {
  if (res.status !== status) throw new Error(`expected ${status}, got ${res.status}: ${JSON.stringify(res.body)}`);
  const ct = res.headers.get('content-type') ?? '';
  if (!ct.startsWith('application/problem+json')) throw new Error(`expected problem+json, got ${ct}`);
  const b = res.body;
  if (b.status !== status || typeof b.type !== 'string' || typeof b.title !== 'string' || typeof b.detail !== 'string')
    throw new Error(`not a problem document: ${JSON.stringify(b)}`);
  return b as { type: string; title: string; status: number; detail: string; errors?: { path: string; message: string }[] };
}

/**
 * A setup call that must succeed, sent as a careful client sends it: a POST with an Idempotency-Key, and on 503 sent again
 * after its Retry-After (a machine busy with other test files may make the request outlive its deadline). Anything
 * but 2xx in the end throws with the answer.
 */
export async function setupCall<T = any>(
  method: string,
  urlPath: string,
  opts: Parameters<typeof api>[2] = {},
): Promise<ApiResponse<T>> {
  // A POST is made safe to send twice by its key; PUT, GET and DELETE are so by themselves.
  const headers = { ...(method === 'POST' ? { 'idempotency-key': unique('setup') } : {}), ...(opts.headers ?? {}) };
  for (let attempt = 1; ; attempt++) {
    const res = await api<T>(method, urlPath, { ...opts, headers });
    if (res.status === 503 && attempt < 4) {
      await new Promise((r) => setTimeout(r, 1000 * Number(res.headers.get('retry-after') ?? 1)));
      continue;
    }
    if (res.status < 200 || res.status > 299) throw new Error(`${method} ${urlPath}: ${res.status} ${JSON.stringify(res.body)}`);
    return res;
  }
}
