import { describe, expect, it } from 'vitest';
import { DomainError } from '../../../shared/platform/errors.js';
import { checkWebhookUrl, signWebhook } from '../../../shared/services/webhook.js';
import { createHmac } from 'node:crypto';

async function refusal(url: string, localMode: boolean) {
  try {
    await checkWebhookUrl(url, localMode);
    return undefined;
  } catch (err) {
    expect(err).toBeInstanceOf(DomainError);
    const e = err as DomainError;
    expect(e.kind).toBe('validation');
    expect(e.errors?.[0].path).toBe('url');
    return e.errors?.[0].message;
  }
}

describe('webhook URL rules', () => {
  it('allows loopback and private receivers in local mode only', async () => {
    expect(await refusal('http://127.0.0.1:8080/hook', true)).toBeUndefined();
    expect(await refusal('http://10.0.0.5/hook', true)).toBeUndefined();
    expect(await refusal('https://127.0.0.1:8080/hook', false)).toMatch(/loopback/);
    expect(await refusal('https://10.0.0.5/hook', false)).toMatch(/private/);
    expect(await refusal('https://[::1]/hook', false)).toMatch(/loopback/);
  });

  it('always refuses link-local and the metadata endpoint', async () => {
    expect(await refusal('http://169.254.169.254/latest/meta-data/', true)).toMatch(/link-local/);
    expect(await refusal('https://169.254.169.254/', false)).toMatch(/link-local/);
    expect(await refusal('http://[fd00:ec2::254]/', true)).toMatch(/link-local/);
  });

  it('requires https outside local mode and refuses credentials and other schemes', async () => {
    expect(await refusal('http://8.8.8.8/hook', false)).toMatch(/https/);
    expect(await refusal('https://8.8.8.8/hook', false)).toBeUndefined();
    expect(await refusal('ftp://8.8.8.8/hook', true)).toMatch(/http/);
    expect(await refusal('https://a:b@8.8.8.8/hook', false)).toMatch(/Credentials/);
    expect(await refusal('not a url', false)).toMatch(/valid URL/);
  });

  it('signs "t.body" with HMAC-SHA256', () => {
    const sig = signWebhook('whsec_x', '{"a":1}', 1700000000);
    const expected = createHmac('sha256', 'whsec_x').update('1700000000.{"a":1}').digest('hex');
    expect(sig).toBe(`t=1700000000,v1=${expected}`);
  });
});
