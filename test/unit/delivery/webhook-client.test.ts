import { describe, expect, it } from 'vitest';
import { DomainError } from '../../../shared/platform/errors.js';
import { checkWebhookUrl, postJson } from '../../../shared/delivery/webhook-client.js';

/** The 422 message for `url`, or undefined when the URL is accepted. */
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

/** Why postJson refused to connect (it must refuse before any connection). */
async function postRefusal(url: string, localMode: boolean) {
  const err = await postJson(url, '{}', {}, 1000, localMode).then(
    (status) => new Error(`unexpectedly answered ${status}`),
    (e: Error) => e,
  );
  return err.message;
}

describe('webhook URL rules', () => {
  it('allows loopback and private receivers in local mode only', async () => {
    expect(await refusal('http://127.0.0.1:8080/hook', true)).toBeUndefined();
    expect(await refusal('http://10.0.0.5/hook', true)).toBeUndefined();
    expect(await refusal('http://[fd12::5]/hook', true)).toBeUndefined();
    expect(await refusal('https://127.0.0.1:8080/hook', false)).toMatch(/loopback/);
    expect(await refusal('https://10.0.0.5/hook', false)).toMatch(/private/);
    expect(await refusal('https://[::1]/hook', false)).toMatch(/loopback/);
  });

  it('always refuses link-local and the metadata endpoint', async () => {
    expect(await refusal('http://169.254.169.254/latest/meta-data/', true)).toMatch(/link-local/);
    expect(await refusal('https://169.254.169.254/', false)).toMatch(/link-local/);
    expect(await refusal('http://[fd00:ec2::254]/', true)).toMatch(/link-local/);
    expect(await refusal('http://[fe80::1]/', true)).toMatch(/link-local/);
  });

  it('requires https outside local mode and refuses credentials and other schemes', async () => {
    expect(await refusal('http://8.8.8.8/hook', false)).toMatch(/https/);
    expect(await refusal('https://8.8.8.8/hook', false)).toBeUndefined();
    expect(await refusal('https://[2606:4700:4700::1111]/hook', false)).toBeUndefined();
    expect(await refusal('ftp://8.8.8.8/hook', true)).toMatch(/http/);
    expect(await refusal('https://a:b@8.8.8.8/hook', false)).toMatch(/Credentials/);
    expect(await refusal('not a url', false)).toMatch(/valid URL/);
  });

  it('judges a host name by the addresses it resolves to (localhost: allowed locally, refused on AWS)', async () => {
    expect(await refusal('http://localhost:8080/hook', true)).toBeUndefined();
    expect(await refusal('https://localhost/hook', false)).toMatch(
      /^The host resolves to a loopback address, allowed only in local mode\.$/,
    );
  });

  describe('SSRF regressions: literal IPs of special ranges were accepted as webhook URLs', () => {
    it('refuses 6to4, Teredo and NAT64 literals that wrap the metadata endpoint, in both modes', async () => {
      for (const url of [
        'http://[2002:a9fe:a9fe::1]/',
        'http://[2001:0:4136:e378:8000:63bf:5601:5601]/',
        'http://[64:ff9b::a9fe:a9fe]/',
        'http://[::ffff:169.254.169.254]/',
      ])
        for (const localMode of [true, false]) {
          const scheme = localMode ? url : url.replace('http:', 'https:');
          expect({ url: scheme, why: await refusal(scheme, localMode) }).toEqual({
            url: scheme,
            why: expect.stringMatching(/link-local/),
          });
        }
    });

    it('refuses IPv6 literals that embed any IPv4 address, in both modes', async () => {
      for (const host of ['[2002:808:808::1]', '[64:ff9b:1::808:808]', '[::ffff:8.8.8.8]', '[::ffff:127.0.0.1]'])
        for (const localMode of [true, false])
          expect(await refusal(`https://${host}/hook`, localMode)).toMatch(/embeds an IPv4 address/);
    });

    it('refuses documentation, benchmarking, carrier-grade NAT, multicast, broadcast, reserved and unspecified literals, in both modes', async () => {
      for (const host of [
        '192.0.2.1',
        '198.51.100.1',
        '203.0.113.1',
        '[2001:db8::1]',
        '198.18.0.1',
        '[2001:2::1]',
        '100.64.0.1',
        '224.0.0.1',
        '255.255.255.255',
        '240.0.0.1',
        '0.0.0.0',
        '[::]',
      ])
        for (const localMode of [true, false])
          expect({ host, localMode, why: await refusal(`https://${host}/hook`, localMode) }).toEqual({
            host,
            localMode,
            why: expect.stringMatching(/never allowed/),
          });
    });

    it('refuses a decimal or hex IPv4 host, which the URL parser turns into the dotted address it means', async () => {
      expect(await refusal('http://2852039166/', true)).toMatch(/link-local/);
      expect(await refusal('http://0xa9.0xfe.0xa9.0xfe/', true)).toMatch(/link-local/);
      expect(await refusal('https://2130706433/', false)).toMatch(/loopback/);
    });
  });
});

describe('webhook POST', () => {
  it('refuses a literal address it may not call without connecting', async () => {
    expect(await postRefusal('http://169.254.169.254/latest/meta-data/', true)).toMatch(
      /^Webhook host resolves to a link-local address/,
    );
    expect(await postRefusal('http://[2002:a9fe:a9fe::1]/', true)).toMatch(/link-local/);
    expect(await postRefusal('https://127.0.0.1:1/', false)).toMatch(/loopback/);
  });

  it('checks the resolved address again at connect time (DNS rebinding)', async () => {
    expect(await postRefusal('https://localhost:1/hook', false)).toMatch(/^Webhook host resolves to a loopback address/);
  });
});
