import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { build } from 'esbuild';
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http, { type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Webhook } from 'standardwebhooks';
import { describe, inject, it } from 'vitest';
import { freePort } from '../../infra/local/stack.js';
import { offerMessageBody } from '../../shared/delivery/messages.js';
import { postJson, WebhookFailure } from '../../shared/delivery/webhook-client.js';
import { getDdb, getSqs } from '../../shared/platform/clients.js';
import { webhookKey } from '../../shared/store/webhooks.js';
import { api, expectProblem, newKey, newTenant, unique } from '../support/api.js';
import { consentingShopper, offersFor, storeFenceCampaign } from '../support/marketing-fixtures.js';
import { pool } from '../support/principal.js';
import { startReceiver, waitFor } from '../support/receiver.js';

const here = { lat: 48.8566, lng: 2.3522 };
const DAY_MS = 24 * 3600_000;

/** The published Standard Webhooks verifier's verdict on a request with this secret. */
function verifies(secret: string, headers: IncomingHttpHeaders, body: string): boolean {
  try {
    new Webhook(secret).verify(body, headers as Record<string, string>);
    return true;
  } catch {
    return false;
  }
}

/** A secret no tenant has. */
const strangerSecret = () => `whsec_${randomBytes(32).toString('base64')}`;

const setHook = (key: string, body: Record<string, unknown>) => api('PUT', '/v1/webhook', { key, body });
const rawWebhook = async (tenantId: string) =>
  (await getDdb().send(new GetCommand({ TableName: inject('stack').tableName, Key: webhookKey(tenantId) }))).Item;

/** A tenant with a webhook on a receiver of its own, a store, a fence and a campaign. */
async function hookedTenant(respond?: Parameters<typeof startReceiver>[0]) {
  const t = await newTenant();
  const rx = await startReceiver(respond);
  const hook = await setHook(t.adminKey, { url: rx.url });
  if (hook.status !== 200) throw new Error(`webhook: ${hook.status}`);
  const { storeId, campaignId } = await storeFenceCampaign(t.adminKey, here);
  return { t, rx, secret: hook.body.secret as string, storeId, campaignId };
}

/** An offer for a new consenting shopper of the tenant. */
async function newOffer(key: string) {
  const shopperId = unique('s');
  await consentingShopper(key, shopperId);
  const { offers } = await offersFor(key, shopperId, here);
  if (offers.length !== 1) throw new Error(`expected one offer, got ${offers.length}`);
  return { shopperId, offer: offers[0] };
}

/** A receiver that answers each request after `delayMs` (a webhook that hangs). */
async function slowReceiver(delayMs: number) {
  const arrivals: number[] = [];
  const server = http.createServer((req, res) => {
    arrivals.push(Date.now());
    req.resume();
    setTimeout(() => res.writeHead(200).end(), delayMs);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/slow`,
    arrivals,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}

describe.concurrent('PUT /v1/webhook: events', () => {
  it('subscribes to offer.created by default, to the events it is given, each once', async ({ expect }) => {
    const t = await newTenant();
    const url = 'http://127.0.0.1:9/events';
    expect((await setHook(t.adminKey, { url })).body.events).toEqual(['offer.created']);
    const all = await setHook(t.adminKey, {
      url,
      events: ['offer.created', 'geofence.entered', 'geofence.exited', 'geofence.dwelled', 'geofence.entered'],
    });
    expect(all.status).toBe(200);
    expect(all.body.events).toEqual(['offer.created', 'geofence.entered', 'geofence.exited', 'geofence.dwelled']);
    // A later PUT without events goes back to the default; the secret stays.
    const again = await setHook(t.adminKey, { url });
    expect(again.body).toEqual({ url, events: ['offer.created'], secret: all.body.secret });
  });

  it('refuses an unknown event, an empty list and unknown fields with 422 naming them', async ({ expect }) => {
    const t = await newTenant();
    const url = 'http://127.0.0.1:9/events';
    const unknownEvent = expectProblem(await setHook(t.adminKey, { url, events: ['offer.created', 'offer.redeemed'] }), 422);
    expect(unknownEvent.errors?.map((e) => e.path)).toEqual(['events[1]']);
    const test = expectProblem(await setHook(t.adminKey, { url, events: ['webhook.test'] }), 422);
    expect(test.errors?.map((e) => e.path)).toEqual(['events[0]']);
    expect(expectProblem(await setHook(t.adminKey, { url, events: [] }), 422).errors?.[0].path).toBe('events');
    const extra = expectProblem(await setHook(t.adminKey, { url, secret: 'whsec_mine' }), 422).errors?.[0];
    expect(extra?.message).toBe('Unknown field(s): secret');
    // Nothing was stored by the refused requests.
    expect(await rawWebhook(t.id)).toBeUndefined();
  });

  it('offers of a webhook without offer.created read not_configured, and only the events it takes are POSTed', async ({
    expect,
  }) => {
    const t = await newTenant();
    const rx = await startReceiver();
    try {
      expect((await setHook(t.adminKey, { url: rx.url, events: ['geofence.entered'] })).status).toBe(200);
      await storeFenceCampaign(t.adminKey, here);
      const { offer } = await newOffer(t.adminKey);
      const state = await waitFor(async () => {
        const o = await api('GET', `/v1/offers/${offer.id}`, { key: t.adminKey });
        return o.body.delivery?.status === 'not_configured' ? o.body : undefined;
      });
      expect(state.delivery).toEqual({ status: 'not_configured', attempts: [] });
      // The shopper's entry is POSTed (it is subscribed to), the offer is not.
      await waitFor(async () => (rx.received.length ? true : undefined));
      await new Promise((r) => setTimeout(r, 300));
      expect(rx.received.map((r) => JSON.parse(r.body).type)).toEqual(['geofence.entered']);
    } finally {
      await rx.close();
    }
  });
});

describe.concurrent('signing secrets: rotation and encryption at rest', () => {
  it('rotates: a new secret, the old one signing too for 24 h, both signatures on every delivery', async ({ expect }) => {
    const { t, rx, secret: first } = await hookedTenant();
    try {
      const before = Date.now();
      const rotated = await api('POST', '/v1/webhook/rotate-secret', { key: t.adminKey });
      expect(rotated.status).toBe(200);
      expect(Object.keys(rotated.body).sort()).toEqual(['previousSecretExpiresAt', 'secret']);
      const { secret: second, previousSecretExpiresAt } = rotated.body;
      expect(second).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
      expect(second).not.toBe(first);
      expect(Date.parse(previousSecretExpiresAt)).toBeGreaterThanOrEqual(before + DAY_MS - 1000);
      expect(Date.parse(previousSecretExpiresAt)).toBeLessThanOrEqual(Date.now() + DAY_MS + 1000);

      const { offer } = await newOffer(t.adminKey);
      const got = await waitFor(() => rx.received.find((r) => r.headers['webhook-id'] === `whk_${offer.id}`));
      expect(String(got.headers['webhook-signature']).split(' ')).toHaveLength(2);
      expect(verifies(second, got.headers, got.body)).toBe(true);
      expect(verifies(first, got.headers, got.body)).toBe(true);
      expect(verifies(strangerSecret(), got.headers, got.body)).toBe(false);

      // A later PUT keeps the new secret (and the overlap of the old one).
      const put = await setHook(t.adminKey, { url: rx.url });
      expect(put.body.secret).toBe(second);
      const test = await api('POST', '/v1/webhook/test', { key: t.adminKey });
      expect(test.body).toMatchObject({ delivered: true, status: 200 });
      const probe = rx.received.at(-1)!;
      expect(JSON.parse(probe.body).type).toBe('webhook.test');
      expect([verifies(second, probe.headers, probe.body), verifies(first, probe.headers, probe.body)]).toEqual([true, true]);
    } finally {
      await rx.close();
    }
  });

  it('signs with every secret still in its overlap after two rotations, and stops signing with one once it has expired', async ({
    expect,
  }) => {
    const { t, rx, secret: s0 } = await hookedTenant();
    try {
      const s1 = (await api('POST', '/v1/webhook/rotate-secret', { key: t.adminKey })).body.secret;
      const s2 = (await api('POST', '/v1/webhook/rotate-secret', { key: t.adminKey })).body.secret;
      expect(new Set([s0, s1, s2]).size).toBe(3);
      expect((await api('POST', '/v1/webhook/test', { key: t.adminKey })).body.delivered).toBe(true);
      let last = rx.received.at(-1)!;
      expect(String(last.headers['webhook-signature']).split(' ')).toHaveLength(3);
      expect([s0, s1, s2].map((s) => verifies(s, last.headers, last.body))).toEqual([true, true, true]);

      // The oldest overlap ends (its expiry moved to the past, as 24 h would): it no longer signs.
      const item = (await rawWebhook(t.id))!;
      const previous = item.previousSecrets as { secret: string; expiresAt: string }[];
      expect(previous).toHaveLength(2);
      previous[1].expiresAt = new Date(Date.now() - 1000).toISOString();
      await getDdb().send(
        new UpdateCommand({
          TableName: inject('stack').tableName,
          Key: webhookKey(t.id),
          UpdateExpression: 'SET previousSecrets = :p',
          ExpressionAttributeValues: { ':p': previous },
        }),
      );
      expect((await api('POST', '/v1/webhook/test', { key: t.adminKey })).body.delivered).toBe(true);
      last = rx.received.at(-1)!;
      expect(String(last.headers['webhook-signature']).split(' ')).toHaveLength(2);
      expect([s0, s1, s2].map((s) => verifies(s, last.headers, last.body))).toEqual([false, true, true]);
    } finally {
      await rx.close();
    }
  });

  it('keeps no secret in the clear: the stored item holds sealed values only', async ({ expect }) => {
    const { t, rx, secret } = await hookedTenant();
    try {
      await api('POST', '/v1/webhook/rotate-secret', { key: t.adminKey });
      const item = (await rawWebhook(t.id))!;
      const text = JSON.stringify(item);
      expect(text).not.toContain('whsec_');
      expect(text).not.toContain(secret.slice('whsec_'.length, 'whsec_'.length + 20));
      expect(String(item.secret)).toMatch(/^s1\.file\./);
      expect((item.previousSecrets as { secret: string }[]).map((p) => p.secret.slice(0, 8))).toEqual(['s1.file.']);
    } finally {
      await rx.close();
    }
  });

  it('reads a secret stored in the clear by an older version, and seals it (same secret) on the next write', async ({
    expect,
  }) => {
    const t = await newTenant();
    const rx = await startReceiver(() => 204);
    try {
      const bytes = randomBytes(32);
      const legacy = `whsec_${bytes.toString('base64url')}`;
      const at = new Date().toISOString();
      await getDdb().send(
        new PutCommand({
          TableName: inject('stack').tableName,
          Item: { ...webhookKey(t.id), id: 'config', url: rx.url, secret: legacy, createdAt: at, updatedAt: at, version: 1 },
        }),
      );
      // Read as it is: the test event verifies with the same key bytes.
      const test = await api('POST', '/v1/webhook/test', { key: t.adminKey });
      expect(test.body).toMatchObject({ delivered: true, status: 204 });
      const canonical = `whsec_${bytes.toString('base64')}`;
      expect(verifies(canonical, rx.received[0].headers, rx.received[0].body)).toBe(true);
      expect((await rawWebhook(t.id))!.secret).toBe(legacy);
      // The next write keeps the secret (in the form the libraries take) and seals it.
      const put = await setHook(t.adminKey, { url: rx.url });
      expect(put.body).toEqual({ url: rx.url, events: ['offer.created'], secret: canonical });
      const item = (await rawWebhook(t.id))!;
      expect(JSON.stringify(item)).not.toContain('whsec_');
      expect(item.version).toBe(2);
    } finally {
      await rx.close();
    }
  });

  it('refuses rotation and tests without a webhook (404) and from a store-restricted key (403)', async ({ expect }) => {
    const t = await newTenant();
    for (const path of ['/v1/webhook/rotate-secret', '/v1/webhook/test']) {
      const p = expectProblem(await api('POST', path, { key: t.adminKey }), 404);
      expect(p.detail).toMatch(/PUT \/v1\/webhook/);
    }
    const store = await api('POST', '/v1/stores', {
      key: t.adminKey,
      body: { name: unique('store'), location: here, timezone: 'Europe/Paris' },
    });
    const restricted = await newKey(t.adminKey, { kind: 'secret', scopes: ['webhooks:write'], storeIds: [store.body.id] });
    await setHook(t.adminKey, { url: 'http://127.0.0.1:9/x' });
    for (const path of ['/v1/webhook/rotate-secret', '/v1/webhook/test'])
      expectProblem(await api('POST', path, { key: restricted.key }), 403);
    expectProblem(await setHook(restricted.key, { url: 'http://127.0.0.1:9/y' }), 403);
    const reader = await newKey(t.adminKey, { kind: 'secret', scopes: ['shoppers:read'] });
    for (const path of ['/v1/webhook/rotate-secret', '/v1/webhook/test'])
      expectProblem(await api('POST', path, { key: reader.key }), 403);
  });
});

describe.concurrent('POST /v1/webhook/test', () => {
  it('sends a signed webhook.test event at once and reports the answer', async ({ expect }) => {
    const t = await newTenant();
    const rx = await startReceiver(() => 204);
    try {
      const { secret } = (await setHook(t.adminKey, { url: rx.url })).body;
      const res = await api('POST', '/v1/webhook/test', { key: t.adminKey });
      expect(res.status).toBe(200);
      expect(Object.keys(res.body).sort()).toEqual(['delivered', 'ms', 'status']);
      expect(res.body).toMatchObject({ delivered: true, status: 204 });
      expect(res.body.ms).toBeGreaterThanOrEqual(0);
      expect(res.body.ms).toBeLessThan(5000);
      expect(rx.received).toHaveLength(1);
      const got = rx.received[0];
      expect(verifies(secret, got.headers, got.body)).toBe(true);
      expect(verifies(strangerSecret(), got.headers, got.body)).toBe(false);
      const event = JSON.parse(got.body);
      expect(event).toEqual({ type: 'webhook.test', id: got.headers['webhook-id'], sentAt: expect.any(String) });
      expect(String(got.headers['webhook-id'])).toMatch(/^whk_test_/);
    } finally {
      await rx.close();
    }
  });

  it('reports a receiver that answers an error, refuses the connection or hangs as not delivered (200, never a 5xx)', async ({
    expect,
  }) => {
    const t = await newTenant();
    const failing = await startReceiver(() => 410);
    const slow = await slowReceiver(8000);
    try {
      await setHook(t.adminKey, { url: failing.url });
      const answered = await api('POST', '/v1/webhook/test', { key: t.adminKey });
      expect(answered.status).toBe(200);
      expect(answered.body).toMatchObject({ delivered: false, status: 410, error: 'HTTP 410' });

      await setHook(t.adminKey, { url: 'http://127.0.0.1:9/closed' });
      const refused = await api('POST', '/v1/webhook/test', { key: t.adminKey });
      expect(refused.status).toBe(200);
      expect(refused.body).toMatchObject({ delivered: false, status: null, error: 'connection refused' });
      expect(JSON.stringify(refused.body)).not.toContain('127.0.0.1');

      await setHook(t.adminKey, { url: slow.url });
      const started = Date.now();
      const hung = await api('POST', '/v1/webhook/test', { key: t.adminKey });
      expect(hung.status).toBe(200);
      expect(hung.body).toMatchObject({ delivered: false, status: null, error: 'timed out after 5000 ms' });
      expect(hung.body.ms).toBeGreaterThanOrEqual(4900);
      expect(Date.now() - started).toBeLessThan(8000);
      expect(slow.arrivals).toHaveLength(1);
    } finally {
      await failing.close();
      await slow.close();
    }
  });

  it('refuses to call a link-local URL at send time too (one stored by an older version), without connecting', async ({
    expect,
  }) => {
    const t = await newTenant();
    // PUT refuses such a URL (422); an item written before that rule is what remains to guard against.
    expectProblem(await setHook(t.adminKey, { url: 'http://169.254.169.254/latest/meta-data/' }), 422);
    const at = new Date().toISOString();
    await getDdb().send(
      new PutCommand({
        TableName: inject('stack').tableName,
        Item: {
          ...webhookKey(t.id),
          id: 'config',
          url: 'http://169.254.169.254/latest/meta-data/',
          secret: strangerSecret(),
          createdAt: at,
          updatedAt: at,
          version: 1,
        },
      }),
    );
    const res = await api('POST', '/v1/webhook/test', { key: t.adminKey });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ delivered: false, status: null });
    expect(res.body.error).toMatch(/^Webhook host resolves to a link-local address/);
    expect(res.body.ms).toBeLessThan(1000);
  });
});

describe.concurrent('the webhook client', () => {
  /** A loopback server whose handler writes the answer its own way. */
  async function server(handler: http.RequestListener) {
    const srv = http.createServer(handler);
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    return {
      url: `http://127.0.0.1:${(srv.address() as AddressInfo).port}/`,
      close: () => {
        srv.closeAllConnections();
        return new Promise<void>((r) => srv.close(() => r()));
      },
    };
  }
  const failure = (p: Promise<number>) =>
    p.then(
      (status) => new Error(`answered ${status}`),
      (e: unknown) => e,
    );

  it('bounds the whole request: a receiver that trickles its answer one byte at a time is cut at the timeout', async ({
    expect,
  }) => {
    const trickle = await server((req, res) => {
      req.resume();
      const socket = res.socket!;
      const bytes = Buffer.from('HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n');
      let i = 0;
      const timer = setInterval(() => (i < bytes.length ? socket.write(bytes.subarray(i, ++i)) : clearInterval(timer)), 400);
      socket.on('close', () => clearInterval(timer));
    });
    try {
      const started = Date.now();
      const err = await failure(postJson(trickle.url, '{}', {}, 1500, true));
      expect(err).toBeInstanceOf(WebhookFailure);
      expect(err).toMatchObject({ message: 'timed out after 1500 ms', timedOut: true });
      expect(Date.now() - started).toBeLessThan(2500);
    } finally {
      await trickle.close();
    }
  });

  it("answers with the status as soon as it comes, without waiting for the answer's body", async ({ expect }) => {
    const endless = await server((req, res) => {
      req.resume();
      res.writeHead(202, { 'content-type': 'text/plain' });
      const timer = setInterval(() => res.write('x'.repeat(1024)), 50);
      res.on('close', () => clearInterval(timer));
    });
    try {
      const started = Date.now();
      expect(await postJson(endless.url, '{}', {}, 3000, true)).toBe(202);
      expect(Date.now() - started).toBeLessThan(1000);
    } finally {
      await endless.close();
    }
  });

  it('says why it failed without naming the address, and stops at an abort signal', async ({ expect }) => {
    expect(await failure(postJson('http://127.0.0.1:9/x', '{}', {}, 2000, true))).toMatchObject({
      message: 'connection refused',
      timedOut: false,
    });
    const hang = await slowReceiver(10_000);
    try {
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 300);
      const started = Date.now();
      const err = await failure(postJson(hang.url, '{}', {}, 5000, true, controller.signal));
      expect(err).toMatchObject({ message: 'aborted at the request deadline', timedOut: true });
      expect(Date.now() - started).toBeLessThan(1500);
    } finally {
      await hang.close();
    }
  });
});

describe.concurrent('GET /v1/offers/{id}: the delivery attempts', () => {
  it('lists each attempt after a receiver that answers 503, then 200', async ({ expect }) => {
    const { t, rx, storeId, campaignId } = await hookedTenant((_req, n) => (n === 1 ? 503 : 200));
    try {
      const { shopperId, offer } = await newOffer(t.adminKey);
      const got = await waitFor(async () => {
        const res = await api('GET', `/v1/offers/${offer.id}`, { key: t.adminKey });
        return res.body.delivery?.status === 'delivered' ? res : undefined;
      }, 30_000);
      expect(got.status).toBe(200);
      expect(got.body).toMatchObject({
        id: offer.id,
        campaignId,
        storeId,
        shopperId,
        status: 'active',
        deliveryStatus: 'delivered',
        deliveryAttempts: 2,
      });
      const { attempts, deliveredAt } = got.body.delivery;
      expect(attempts).toEqual([
        { at: expect.any(String), status: 503, ms: expect.any(Number), error: 'HTTP 503' },
        { at: expect.any(String), status: 200, ms: expect.any(Number) },
      ]);
      // The retry waited for its backoff (1 s locally); each attempt took what the receiver took.
      expect(Date.parse(attempts[1].at) - Date.parse(attempts[0].at)).toBeGreaterThanOrEqual(950);
      expect(Date.parse(deliveredAt)).toBeGreaterThanOrEqual(Date.parse(attempts[1].at));
      for (const a of attempts) expect(a.ms).toBeLessThan(5000);
      expect(rx.received.map((r) => r.status)).toEqual([503, 200]);
      // Nothing of the URL or of the body in the attempts.
      expect(JSON.stringify(got.body.delivery)).not.toMatch(/127\.0\.0\.1|hooks|Hello/);
    } finally {
      await rx.close();
    }
  }, 45_000);

  it("is 404 for another tenant's offer and for an unknown id, and needs shoppers:read", async ({ expect }) => {
    const { t, rx } = await hookedTenant();
    try {
      const { offer } = await newOffer(t.adminKey);
      const other = await newTenant();
      expectProblem(await api('GET', `/v1/offers/${offer.id}`, { key: other.adminKey }), 404);
      expectProblem(await api('GET', '/v1/offers/of_00000000000000000000000000', { key: t.adminKey }), 404);
      const writer = await newKey(t.adminKey, { kind: 'secret', scopes: ['offers:write'] });
      expectProblem(await api('GET', `/v1/offers/${offer.id}`, { key: writer.key }), 403);
      const app = await newKey(t.adminKey, { kind: 'publishable', scopes: ['offers:write', 'offers:redeem'] });
      // Even with a valid Shopper-Token, an app's key never reads offers this way.
      expectProblem(await api('GET', `/v1/offers/${offer.id}`, { key: app.key, shopper: unique('s') }), 403);
      const reader = await newKey(t.adminKey, { kind: 'secret', scopes: ['shoppers:read'] });
      expect((await api('GET', `/v1/offers/${offer.id}`, { key: reader.key })).body.id).toBe(offer.id);
    } finally {
      await rx.close();
    }
  });

  it("is 403 for a key restricted to another store, and shows the offer to one restricted to the offer's store", async ({
    expect,
  }) => {
    const { t, rx, storeId } = await hookedTenant();
    try {
      const { offer } = await newOffer(t.adminKey);
      const elsewhere = await api('POST', '/v1/stores', {
        key: t.adminKey,
        body: { name: unique('store'), location: here, timezone: 'Europe/Paris' },
      });
      const outsider = await newKey(t.adminKey, { kind: 'secret', scopes: ['shoppers:read'], storeIds: [elsewhere.body.id] });
      expectProblem(await api('GET', `/v1/offers/${offer.id}`, { key: outsider.key }), 403);
      const insider = await newKey(t.adminKey, { kind: 'secret', scopes: ['shoppers:read'], storeIds: [storeId] });
      expect((await api('GET', `/v1/offers/${offer.id}`, { key: insider.key })).body.storeId).toBe(storeId);
    } finally {
      await rx.close();
    }
  });
});

describe('tenant isolation of deliveries', () => {
  it("a tenant whose webhook hangs (5 s per request) does not delay another tenant's deliveries: B's 100 offers all arrive within 10 s", async ({
    expect,
  }) => {
    const A_OFFERS = 30;
    const B_OFFERS = 100;
    const a = await newTenant();
    const b = await newTenant();
    // Keys with room for the set-up burst (the admin keys' default limit is 50/s).
    const aKey = (await newKey(a.adminKey, { kind: 'secret', rateLimit: { rps: 500, burst: 1000 } })).key;
    const bKey = (await newKey(b.adminKey, { kind: 'secret', rateLimit: { rps: 500, burst: 1000 } })).key;
    const hanging = await slowReceiver(5000);
    const arrivals = new Map<string, number>();
    const fast = await startReceiver((req) => {
      arrivals.set(String(req.headers['webhook-id']), req.at);
      return 204;
    });
    try {
      await storeFenceCampaign(a.adminKey, here);
      await storeFenceCampaign(b.adminKey, here);
      // The offers, made while neither tenant has a webhook: each reads not_configured once its message is handled.
      const made: { tenantId: string; key: string; shopperId: string; offerId: string }[] = [];
      const shoppers = [
        ...Array.from({ length: A_OFFERS }, () => ({ tenantId: a.id, key: aKey, shopperId: unique('a') })),
        ...Array.from({ length: B_OFFERS }, () => ({ tenantId: b.id, key: bKey, shopperId: unique('b') })),
      ];
      await pool(shoppers, 8, async (s) => {
        await consentingShopper(s.key, s.shopperId);
        const { offers } = await offersFor(s.key, s.shopperId, here);
        made.push({ ...s, offerId: offers[0].id });
      });
      await pool(made, 8, async (o) => {
        await waitFor(async () => {
          const res = await api('GET', `/v1/offers/${o.offerId}`, { key: o.key });
          return res.body.delivery?.status === 'not_configured' || undefined;
        }, 60_000);
      });
      expect((await setHook(a.adminKey, { url: hanging.url })).status).toBe(200);
      expect((await setHook(b.adminKey, { url: fast.url })).status).toBe(200);

      // Every offer queued again at once, A's 30 first: the deliveries of both tenants share the queue and its batches.
      const ordered = [...made.filter((o) => o.tenantId === a.id), ...made.filter((o) => o.tenantId === b.id)];
      const queuedAt = Date.now();
      for (let i = 0; i < ordered.length; i += 10) {
        const res = await getSqs().send(
          new SendMessageBatchCommand({
            QueueUrl: inject('stack').offersQueueUrl,
            Entries: ordered.slice(i, i + 10).map((o, j) => ({
              Id: String(j),
              MessageBody: offerMessageBody({
                type: 'offer.created',
                tenantId: o.tenantId,
                shopperId: o.shopperId,
                offerId: o.offerId,
              }),
            })),
          }),
        );
        expect(res.Failed ?? []).toEqual([]);
      }
      await waitFor(() => arrivals.size >= B_OFFERS || undefined, 60_000, 50);
      const latencies = [...arrivals.values()].map((at) => at - queuedAt).sort((x, y) => x - y);
      // A's webhook was really hanging meanwhile: its requests arrived while B's were being delivered.
      expect(hanging.arrivals.length).toBeGreaterThan(0);
      expect(Math.min(...hanging.arrivals)).toBeLessThan(queuedAt + latencies.at(-1)!);
      expect([...arrivals.keys()].sort()).toEqual(
        made
          .filter((o) => o.tenantId === b.id)
          .map((o) => `whk_${o.offerId}`)
          .sort(),
      );
      expect(latencies.at(-1), `ms from queueing to arrival: ${latencies.join(' ')}`).toBeLessThan(10_000);
      console.info(
        `isolation: B's ${B_OFFERS} offers delivered ${latencies[B_OFFERS / 2]} ms (median), ${latencies.at(-1)} ms (last) after being queued ` +
          `behind A's ${A_OFFERS}; A's hanging webhook got ${hanging.arrivals.length} requests meanwhile`,
      );
    } finally {
      await hanging.close();
      await fast.close();
    }
  }, 180_000);
});

describe('README: the TypeScript receiver of "Delivery and webhooks"', () => {
  const root = path.resolve(import.meta.dirname, '../..');
  const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
  const section = readme.slice(
    readme.indexOf('## Delivery and webhooks'),
    readme.indexOf('\n## ', readme.indexOf('## Delivery and webhooks') + 1),
  );
  const example = /```ts\n([\s\S]*?)\n```/.exec(section)?.[1] ?? '';

  /** The example as pasted into a project that installed standardwebhooks (bundled, as tsx or a build would), running. */
  async function runExample(dir: string, secret: string) {
    const out = await build({
      stdin: { contents: example, resolveDir: root, loader: 'ts', sourcefile: 'receiver.ts' },
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      write: false,
      logLevel: 'silent',
    });
    const file = path.join(dir, `receiver-${randomBytes(4).toString('hex')}.mjs`);
    await writeFile(file, out.outputFiles[0].text);
    const port = await freePort();
    const child: ChildProcess = spawn(process.execPath, [file], {
      env: { PATH: process.env.PATH ?? '', WEBHOOK_SECRET: secret, PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let printed = '';
    child.stdout!.on('data', (d: Buffer) => (printed += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (printed += d.toString()));
    return { url: `http://127.0.0.1:${port}/webhooks`, printed: () => printed, stop: () => child.kill('SIGKILL') };
  }

  it('verifies real deliveries with the secret, and refuses (401) those signed with another', async ({ expect }) => {
    expect(example).toContain("from 'standardwebhooks'");
    const dir = await mkdtemp(path.join(os.tmpdir(), 'geo-offers-receiver-'));
    const t = await newTenant();
    const { secret } = (await setHook(t.adminKey, { url: 'http://127.0.0.1:9/none' })).body;
    const good = await runExample(dir, secret);
    const wrong = await runExample(dir, strangerSecret());
    try {
      // Until it listens, the test event is refused; then it is verified and answered 204.
      await setHook(t.adminKey, { url: good.url });
      const test = await waitFor(async () => {
        const r = await api('POST', '/v1/webhook/test', { key: t.adminKey });
        return r.body.delivered ? r.body : undefined;
      }, 15_000);
      expect(test.status).toBe(204);
      await storeFenceCampaign(t.adminKey, here);
      const { shopperId, offer } = await newOffer(t.adminKey);
      await waitFor(
        () => good.printed().includes(`offer.created whk_${offer.id} ${offer.id} for ${shopperId}`) || undefined,
        15_000,
      );
      expect(good.printed()).toMatch(/^webhook\.test whk_test_\w+$/m);

      await setHook(t.adminKey, { url: wrong.url });
      const refused = await waitFor(async () => {
        const r = await api('POST', '/v1/webhook/test', { key: t.adminKey });
        return r.body.status ? r.body : undefined;
      }, 15_000);
      expect(refused).toMatchObject({ delivered: false, status: 401 });
      expect(wrong.printed()).toBe('');
    } finally {
      good.stop();
      wrong.stop();
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
