import { createHmac, randomBytes } from 'node:crypto';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import {
  canonicalSecret,
  newWebhookSecret,
  offerWebhookId,
  secretBytes,
  signatureHeaders,
  signWebhook,
} from '../../../shared/delivery/signing.js';

// Test vector of the Standard Webhooks specification (and of every library it publishes).
const SPEC = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: 1614265330,
  body: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};

const now = () => Math.floor(Date.now() / 1000);

describe('webhook signing (Standard Webhooks)', () => {
  it('gives the signature of the specification test vector', () => {
    expect(signWebhook(SPEC.secret, SPEC.id, SPEC.timestamp, SPEC.body)).toBe(SPEC.signature);
  });

  it('keys the HMAC with the bytes after whsec_, over "<id>.<timestamp>.<body>", in base64', () => {
    const secret = newWebhookSecret();
    const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
    const expected = createHmac('sha256', key).update('whk_o1.1700000000.{"a":1}').digest('base64');
    expect(signWebhook(secret, 'whk_o1', 1700000000, '{"a":1}')).toBe(`v1,${expected}`);
  });

  it('gives a different signature for another secret, id, timestamp or body', () => {
    const [a, b] = [newWebhookSecret(), newWebhookSecret()];
    const base = signWebhook(a, 'whk_1', 1700000000, '{"a":1}');
    expect(
      new Set([
        base,
        signWebhook(b, 'whk_1', 1700000000, '{"a":1}'),
        signWebhook(a, 'whk_2', 1700000000, '{"a":1}'),
        signWebhook(a, 'whk_1', 1700000001, '{"a":1}'),
        signWebhook(a, 'whk_1', 1700000000, '{"a":2}'),
      ]).size,
    ).toBe(5);
  });

  it('puts the id, the timestamp and one signature per secret (space-separated) in the headers', () => {
    const [a, b] = [newWebhookSecret(), newWebhookSecret()];
    expect(signatureHeaders([a, b], 'whk_o1', '{}', 1700000000)).toEqual({
      'webhook-id': 'whk_o1',
      'webhook-timestamp': '1700000000',
      'webhook-signature': `${signWebhook(a, 'whk_o1', 1700000000, '{}')} ${signWebhook(b, 'whk_o1', 1700000000, '{}')}`,
    });
    expect(() => signatureHeaders([], 'whk_o1', '{}')).toThrow(/no webhook secret/);
  });

  it('stamps the current unix time when none is given', () => {
    const before = now();
    const t = Number(signatureHeaders([newWebhookSecret()], 'whk_x', 'b')['webhook-timestamp']);
    expect(t).toBeGreaterThanOrEqual(before);
    expect(t).toBeLessThanOrEqual(before + 1);
  });

  it('is accepted by the published standardwebhooks verifier, with either secret during a rotation, and by no other', () => {
    const [current, previous, other] = [newWebhookSecret(), newWebhookSecret(), newWebhookSecret()];
    const body = JSON.stringify({ type: 'offer.created', offer: { id: 'of_1' }, shopperId: 's' });
    const headers = signatureHeaders([current, previous], offerWebhookId('of_1'), body);
    expect(new Webhook(current).verify(body, headers)).toEqual(JSON.parse(body));
    expect(new Webhook(previous).verify(body, headers)).toEqual(JSON.parse(body));
    expect(() => new Webhook(other).verify(body, headers)).toThrow(WebhookVerificationError);
    expect(() => new Webhook(current).verify(`${body} `, headers)).toThrow(WebhookVerificationError);
    const stale = signatureHeaders([current], 'whk_of_1', body, now() - 600);
    expect(() => new Webhook(current).verify(body, stale)).toThrow(/too old/);
  });

  it('creates secrets of 32 random bytes in padded base64 after whsec_, as the libraries decode them', () => {
    const a = newWebhookSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(secretBytes(a)).toHaveLength(32);
    expect(newWebhookSecret()).not.toBe(a);
    expect(() => new Webhook(a)).not.toThrow();
  });

  it('reads a secret made before Standard Webhooks (base64url) as its same bytes, and gives it in the form libraries take', () => {
    const bytes = randomBytes(32);
    const legacy = `whsec_${bytes.toString('base64url')}`;
    expect(secretBytes(legacy).equals(bytes)).toBe(true);
    expect(canonicalSecret(legacy)).toBe(`whsec_${bytes.toString('base64')}`);
    const body = '{"type":"offer.created"}';
    expect(new Webhook(canonicalSecret(legacy)).verify(body, signatureHeaders([legacy], 'whk_a', body))).toEqual(
      JSON.parse(body),
    );
    expect(canonicalSecret(SPEC.secret)).toBe(SPEC.secret);
  });

  it('refuses values that are not secrets', () => {
    for (const bad of ['', 'whsec_', 'sk_abc', 'whsec_not base64!', 'whsec_c2hvcnQ='])
      expect(() => secretBytes(bad), bad).toThrow(/webhook secret/);
  });
});
