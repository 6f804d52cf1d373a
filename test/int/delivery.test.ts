import { type Message, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import type { IncomingHttpHeaders } from 'node:http';
import { Webhook } from 'standardwebhooks';
import { describe, expect, inject, it } from 'vitest';
import { handler as deliverHandler } from '../../functions/deliver.js';
import { getDdb, getSqs } from '../../shared/platform/clients.js';
import { QUEUE_DEF } from '../../shared/store/table-def.js';
import { api, expectProblem, newTenant, unique } from '../support/api.js';
import { consentingShopper, offersFor, storeFenceCampaign } from '../support/marketing-fixtures.js';
import { startReceiver, waitFor } from '../support/receiver.js';

const here = { lat: 40.4168, lng: -3.7038 };

async function offerState(key: string, shopperId: string, offerId: string) {
  const res = await api('GET', `/v1/shoppers/${shopperId}/export`, { key });
  // A poll that came back 503 (a busy machine outlived the request's deadline) is asked again, as a client would.
  if (res.status === 503) return undefined;
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return (res.body.offers as { id: string; deliveryStatus: string; deliveryAttempts: number }[]).find((o) => o.id === offerId);
}

/** Does the published Standard Webhooks verifier accept this delivery with this secret? */
function verify(secret: string, headers: IncomingHttpHeaders, body: string) {
  try {
    new Webhook(secret).verify(body, headers as Record<string, string>);
    return true;
  } catch {
    return false;
  }
}

async function dlqMessages(): Promise<Message[]> {
  const stack = inject('stack');
  const out: Message[] = [];
  for (let i = 0; i < 5; i++) {
    const res = await getSqs().send(
      new ReceiveMessageCommand({
        QueueUrl: stack.dlqUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
        VisibilityTimeout: 1,
        MessageAttributeNames: ['All'],
      }),
    );
    out.push(...(res.Messages ?? []));
    if (!(res.Messages ?? []).length) break;
  }
  return out;
}

async function dlqBodies(): Promise<string[]> {
  return (await dlqMessages()).map((m) => m.Body ?? '');
}

/** An SQS record as Lambda hands it over (first receive), for calling the handler directly. */
function record(id: string, body: string, requestId?: string, receiveCount = 1): SQSRecord {
  return {
    messageId: id,
    receiptHandle: `rh-${id}`,
    body,
    attributes: {
      ApproximateReceiveCount: String(receiveCount),
      SentTimestamp: '0',
      SenderId: 'x',
      ApproximateFirstReceiveTimestamp: '0',
    },
    messageAttributes: requestId
      ? { requestId: { stringValue: requestId, stringListValues: [], binaryListValues: [], dataType: 'String' } }
      : {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:geo-offers-delivery',
    awsRegion: 'us-east-1',
  };
}

/** A tenant with a campaign and two shoppers' offers, made while it had no webhook (they end not_configured). */
async function twoUndeliveredOffers() {
  const t = await newTenant();
  await storeFenceCampaign(t.adminKey, here);
  const a = unique('a');
  const b = unique('b');
  await consentingShopper(t.adminKey, a);
  await consentingShopper(t.adminKey, b);
  const offerA = (await offersFor(t.adminKey, a, here)).offers[0];
  const offerB = (await offersFor(t.adminKey, b, here)).offers[0];
  await waitFor(async () =>
    (await offerState(t.adminKey, b, offerB.id))?.deliveryStatus === 'not_configured' ? true : undefined,
  );
  return { t, a, b, offerA, offerB };
}

// Every test has a tenant (and receiver) of its own: they run side by side, so the waits on delivery backoff overlap.
describe.concurrent('webhook configuration', () => {
  it('returns a signing secret and keeps it when the URL changes', async ({ expect }) => {
    const t = await newTenant();
    const first = await api('PUT', '/v1/webhook', { key: t.adminKey, body: { url: 'http://127.0.0.1:9/a' } });
    expect(first.status).toBe(200);
    expect(first.body.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(first.body.events).toEqual(['offer.created']);
    const second = await api('PUT', '/v1/webhook', { key: t.adminKey, body: { url: 'http://127.0.0.1:9/b' } });
    expect(second.body).toEqual({ url: 'http://127.0.0.1:9/b', events: ['offer.created'], secret: first.body.secret });
  });

  it('refuses link-local and metadata addresses, even in local mode', async ({ expect }) => {
    const t = await newTenant();
    for (const url of [
      'http://169.254.169.254/latest/meta-data',
      'http://169.254.10.1/',
      'http://[fe80::1]/',
      'ftp://example.com/x',
      'http://user:pw@127.0.0.1/',
    ]) {
      const p = expectProblem(await api('PUT', '/v1/webhook', { key: t.adminKey, body: { url } }), 422);
      expect(p.errors?.[0].path).toBe('url');
    }
  });
});

describe.concurrent('offer delivery', () => {
  it('POSTs each offer signed per Standard Webhooks with the secret and a stable webhook-id, and marks it delivered', async ({
    expect,
  }) => {
    const t = await newTenant();
    const rx = await startReceiver();
    try {
      const hook = await api('PUT', '/v1/webhook', { key: t.adminKey, body: { url: rx.url } });
      const { campaignId } = await storeFenceCampaign(t.adminKey, here);
      const shopper = unique('s');
      await consentingShopper(t.adminKey, shopper, { firstName: 'Lucía' });
      const { offers } = await offersFor(t.adminKey, shopper, here);
      expect(offers).toHaveLength(1);
      await waitFor(() => rx.received.length >= 1 || undefined);
      const got = rx.received[0];
      expect(verify(hook.body.secret, got.headers, got.body)).toBe(true);
      expect(verify(`whsec_${Buffer.alloc(32, 7).toString('base64')}`, got.headers, got.body)).toBe(false);
      expect(verify(hook.body.secret, got.headers, got.body.replace('Lucía', 'Lucia'))).toBe(false);
      expect(got.headers['webhook-id']).toBe(`whk_${offers[0].id}`);
      expect(String(got.headers['webhook-signature'])).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
      expect(Math.abs(Number(got.headers['webhook-timestamp']) - got.at / 1000)).toBeLessThan(5);
      expect(got.headers['content-type']).toBe('application/json');
      const payload = JSON.parse(got.body);
      expect(payload).toMatchObject({
        type: 'offer.created',
        shopperId: shopper,
        offer: { id: offers[0].id, campaignId, title: 'Hello Lucía' },
      });
      expect(JSON.stringify(payload)).not.toMatch(/"lat"|"lng"/);
      const state = await waitFor(async () => {
        const o = await offerState(t.adminKey, shopper, offers[0].id);
        return o?.deliveryStatus === 'delivered' ? o : undefined;
      });
      expect(state.deliveryAttempts).toBe(1);
      const stats = await api('GET', `/v1/campaigns/${campaignId}/stats`, { key: t.adminKey });
      expect(stats.body.delivered).toBe(1);
    } finally {
      await rx.close();
    }
  });

  it('retries with backoff: a receiver failing twice then succeeding gets it delivered exactly once', async ({ expect }) => {
    const t = await newTenant();
    const rx = await startReceiver((_req, n) => (n <= 2 ? 503 : 200));
    try {
      await api('PUT', '/v1/webhook', { key: t.adminKey, body: { url: rx.url } });
      await storeFenceCampaign(t.adminKey, here);
      const shopper = unique('s');
      await consentingShopper(t.adminKey, shopper);
      const { offers } = await offersFor(t.adminKey, shopper, here);
      const state = await waitFor(async () => {
        const o = await offerState(t.adminKey, shopper, offers[0].id);
        return o?.deliveryStatus === 'delivered' ? o : undefined;
      }, 40_000);
      expect(state.deliveryAttempts).toBe(3);
      await new Promise((r) => setTimeout(r, 1500));
      expect(rx.received.map((r) => r.status)).toEqual([503, 503, 200]);
      expect(new Set(rx.received.map((r) => r.headers['webhook-id']))).toEqual(new Set([`whk_${offers[0].id}`]));
      // growing backoff (base 1 s locally): at least 1 s before the first retry, at least 2 s before the second
      const [a, b, c] = rx.received.map((r) => r.at);
      expect(b - a).toBeGreaterThanOrEqual(950);
      expect(c - b).toBeGreaterThanOrEqual(1950);
    } finally {
      await rx.close();
    }
  }, 60_000);

  it('sends the offer to the DLQ after 5 attempts when the receiver is down for good, and the offer reads failed', async ({
    expect,
  }) => {
    const t = await newTenant();
    const rx = await startReceiver(() => 500);
    try {
      await api('PUT', '/v1/webhook', { key: t.adminKey, body: { url: rx.url } });
      const { campaignId } = await storeFenceCampaign(t.adminKey, here);
      const shopper = unique('s');
      await consentingShopper(t.adminKey, shopper);
      const { offers } = await offersFor(t.adminKey, shopper, here);
      const state = await waitFor(
        async () => {
          const o = await offerState(t.adminKey, shopper, offers[0].id);
          return o?.deliveryStatus === 'failed' ? o : undefined;
        },
        60_000,
        500,
      );
      expect(state.deliveryAttempts).toBe(5);
      expect(rx.received).toHaveLength(5);
      const inDlq = await waitFor(async () => (await dlqBodies()).find((b) => b.includes(offers[0].id)), 20_000);
      expect(JSON.parse(inDlq)).toMatchObject({ type: 'offer.created', offerId: offers[0].id, tenantId: t.id });
      const stats = await api('GET', `/v1/campaigns/${campaignId}/stats`, { key: t.adminKey });
      expect(stats.body).toMatchObject({ delivered: 0, deliveryFailed: 1 });
    } finally {
      await rx.close();
    }
  }, 90_000);

  it('marks offers not_configured when the tenant has no webhook', async ({ expect }) => {
    const t = await newTenant();
    await storeFenceCampaign(t.adminKey, here);
    const shopper = unique('s');
    await consentingShopper(t.adminKey, shopper);
    const { offers } = await offersFor(t.adminKey, shopper, here);
    const state = await waitFor(async () => {
      const o = await offerState(t.adminKey, shopper, offers[0].id);
      return o?.deliveryStatus === 'not_configured' ? o : undefined;
    });
    expect(state.deliveryStatus).toBe('not_configured');
  });

  it('moves a poison message to the DLQ while its batch-mates are delivered', async ({ expect }) => {
    // Offers first, with no webhook yet (they end not_configured); then a receiver, then one batch.
    const { t, a, b, offerA, offerB } = await twoUndeliveredOffers();
    const rx = await startReceiver();
    try {
      await api('PUT', '/v1/webhook', { key: t.adminKey, body: { url: rx.url } });
      const poison = `{"type":"offer.created","tenantId":"${t.id}","offerId":42`;
      const event: SQSEvent = {
        Records: [
          record(
            'm1',
            JSON.stringify({ type: 'offer.created', tenantId: t.id, shopperId: a, offerId: offerA.id, requestId: 'req-m1' }),
          ),
          record('m2', poison, 'req-m2'),
          record('m3', JSON.stringify({ type: 'offer.created', tenantId: t.id, shopperId: b, offerId: offerB.id }), 'not valid!'),
        ],
      };
      const res = await deliverHandler(event);
      expect(res.batchItemFailures).toEqual([]);
      expect(rx.received.map((r) => r.headers['webhook-id']).sort()).toEqual([`whk_${offerA.id}`, `whk_${offerB.id}`].sort());
      expect((await offerState(t.adminKey, a, offerA.id))?.deliveryStatus).toBe('delivered');
      expect((await offerState(t.adminKey, b, offerB.id))?.deliveryStatus).toBe('delivered');
      const dlq = await waitFor(async () => (await dlqMessages()).find((m) => m.Body === poison), 10_000);
      // moved with the attributes it came with, and the reason
      expect(dlq.MessageAttributes).toEqual({
        requestId: { DataType: 'String', StringValue: 'req-m2' },
        reason: { DataType: 'String', StringValue: 'body is not JSON' },
      });
      // a duplicate of a delivered offer is acknowledged without a second POST
      const again = await deliverHandler({ Records: [event.Records[0]] });
      expect(again.batchItemFailures).toEqual([]);
      expect(rx.received).toHaveLength(2);
    } finally {
      await rx.close();
    }
  });

  it('a receive that fails before the webhook (DynamoDB unreachable) uses up no attempt: more of them than the webhook has attempts dead-letter nothing', async ({
    expect,
  }) => {
    const { t, a, offerA } = await twoUndeliveredOffers();
    const rx = await startReceiver(() => 204);
    try {
      await api('PUT', '/v1/webhook', { key: t.adminKey, body: { url: rx.url } });
      const body = JSON.stringify({ type: 'offer.created', tenantId: t.id, shopperId: a, offerId: offerA.id });
      // Fault injection on the real client: every read of this offer fails as an unreachable server does.
      const name = `unreachable-${offerA.id}`;
      let refused = 0;
      getDdb().middlewareStack.add(
        (next: any, context: any) => async (args: any) => {
          if (String(context.commandName).startsWith('Get') && JSON.stringify(args.input ?? {}).includes(offerA.id)) {
            refused++;
            throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8000'), { name: 'Error', code: 'ECONNREFUSED' });
          }
          return next(args);
        },
        { step: 'initialize', name },
      );
      const failing = QUEUE_DEF.webhookAttempts + 2;
      try {
        for (let n = 1; n <= failing; n++) {
          const res = await deliverHandler({ Records: [record(`u${n}`, body, undefined, n)] });
          expect(res.batchItemFailures.map((f) => f.itemIdentifier)).toEqual([`u${n}`]);
        }
      } finally {
        getDdb().middlewareStack.remove(name);
      }
      expect(refused).toBeGreaterThanOrEqual(failing);
      expect(rx.received).toHaveLength(0);
      expect(await offerState(t.adminKey, a, offerA.id)).toMatchObject({ deliveryStatus: 'not_configured', deliveryAttempts: 0 });
      // The next receive reaches the webhook: its first attempt, delivered; nothing went to the DLQ.
      const res = await deliverHandler({ Records: [record(`u${failing + 1}`, body, undefined, failing + 1)] });
      expect(res.batchItemFailures).toEqual([]);
      expect(rx.received.map((r) => r.headers['webhook-id'])).toEqual([`whk_${offerA.id}`]);
      expect(await offerState(t.adminKey, a, offerA.id)).toMatchObject({ deliveryStatus: 'delivered', deliveryAttempts: 1 });
      expect((await dlqBodies()).filter((b) => b.includes(offerA.id))).toEqual([]);
    } finally {
      await rx.close();
    }
  });

  it('reports every record of a batch whose deliveries all fail, rather than failing the invocation', async ({ expect }) => {
    const { t, a, b, offerA, offerB } = await twoUndeliveredOffers();
    const rx = await startReceiver(() => 503);
    try {
      await api('PUT', '/v1/webhook', { key: t.adminKey, body: { url: rx.url } });
      const res = await deliverHandler({
        Records: [
          record('f1', JSON.stringify({ type: 'offer.created', tenantId: t.id, shopperId: a, offerId: offerA.id })),
          record(
            'f2',
            JSON.stringify({
              type: 'offer.created',
              tenantId: t.id,
              shopperId: b,
              offerId: offerB.id,
              requestId: 'x'.repeat(129),
            }),
          ),
        ],
      });
      expect(res.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(['f1', 'f2']);
      expect(rx.received.map((r) => r.headers['webhook-id']).sort()).toEqual([`whk_${offerA.id}`, `whk_${offerB.id}`].sort());
      expect(await offerState(t.adminKey, a, offerA.id)).toMatchObject({ deliveryStatus: 'pending', deliveryAttempts: 1 });
    } finally {
      await rx.close();
    }
  });
});
