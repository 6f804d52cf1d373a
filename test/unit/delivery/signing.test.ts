import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { newWebhookSecret, signatureHeaders, signWebhook } from '../../../shared/delivery/signing.js';

describe('webhook signing', () => {
  it('signs "t.body" with HMAC-SHA256 as t=<unix>,v1=<hex>', () => {
    const sig = signWebhook('whsec_x', '{"a":1}', 1700000000);
    const expected = createHmac('sha256', 'whsec_x').update('1700000000.{"a":1}').digest('hex');
    expect(sig).toBe(`t=1700000000,v1=${expected}`);
  });

  it('gives a different signature for another secret, body or time', () => {
    const base = signWebhook('whsec_x', '{"a":1}', 1700000000);
    expect(signWebhook('whsec_y', '{"a":1}', 1700000000)).not.toBe(base);
    expect(signWebhook('whsec_x', '{"a":2}', 1700000000)).not.toBe(base);
    expect(signWebhook('whsec_x', '{"a":1}', 1700000001)).not.toBe(base);
  });

  it('stamps the current unix time when none is given', () => {
    const before = Math.floor(Date.now() / 1000);
    const t = Number(/^t=(\d+),v1=[0-9a-f]{64}$/.exec(signWebhook('whsec_x', 'b'))?.[1]);
    expect(t).toBeGreaterThanOrEqual(before);
    expect(t).toBeLessThanOrEqual(before + 1);
  });

  it('puts the webhook id and the signature in the delivery headers', () => {
    expect(signatureHeaders('whsec_x', 'whk_o1', '{}', 1700000000)).toEqual({
      'Webhook-Id': 'whk_o1',
      'Webhook-Signature': signWebhook('whsec_x', '{}', 1700000000),
    });
  });

  it('creates secrets of 32 random bytes, base64url, after whsec_', () => {
    const a = newWebhookSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(a.slice(6), 'base64url')).toHaveLength(32);
    expect(newWebhookSecret()).not.toBe(a);
  });
});
