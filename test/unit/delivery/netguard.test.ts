import { describe, expect, it } from 'vitest';
import { addressRefusal, classifyAddress } from '../../../shared/domain/netguard.js';

describe('webhook address guard', () => {
  it('classifies addresses', () => {
    expect(classifyAddress('169.254.169.254')).toBe('link-local');
    expect(classifyAddress('fd00:ec2::254')).toBe('link-local');
    expect(classifyAddress('fe80::1')).toBe('link-local');
    expect(classifyAddress('::ffff:169.254.169.254')).toBe('link-local');
    expect(classifyAddress('127.0.0.1')).toBe('loopback');
    expect(classifyAddress('::1')).toBe('loopback');
    expect(classifyAddress('10.1.2.3')).toBe('private');
    expect(classifyAddress('172.31.0.1')).toBe('private');
    expect(classifyAddress('172.32.0.1')).toBe('public');
    expect(classifyAddress('192.168.1.1')).toBe('private');
    expect(classifyAddress('100.64.0.1')).toBe('private');
    expect(classifyAddress('fc00::1')).toBe('private');
    expect(classifyAddress('0.0.0.0')).toBe('reserved');
    expect(classifyAddress('224.0.0.1')).toBe('reserved');
    expect(classifyAddress('8.8.8.8')).toBe('public');
    expect(classifyAddress('2606:4700::1111')).toBe('public');
    expect(classifyAddress('not-an-ip')).toBe('reserved');
  });

  it('judges IPv6 forms that carry an IPv4 address by that address (regression: ::ffff:a9fe:a9fe passed as public)', () => {
    for (const ip of ['::ffff:a9fe:a9fe', '[::ffff:169.254.169.254]', '64:ff9b::a9fe:a9fe', '::a9fe:a9fe', '0:0:0:0:0:ffff:a9fe:a9fe'])
      expect({ ip, c: classifyAddress(ip) }).toEqual({ ip, c: 'link-local' });
    expect(classifyAddress('::ffff:7f00:1')).toBe('loopback');
    expect(classifyAddress('::ffff:a00:1')).toBe('private');
    expect(classifyAddress('::ffff:808:808')).toBe('public');
    expect(classifyAddress('fd00:ec2:0:0:0:0:0:254')).toBe('link-local');
    expect(classifyAddress('febf::1')).toBe('link-local');
    expect(classifyAddress('2001:db8::1')).toBe('reserved');
    expect(classifyAddress('::')).toBe('reserved');
  });

  it('always refuses link-local, and loopback/private outside local mode', () => {
    expect(addressRefusal('169.254.169.254', true)).toMatch(/link-local/);
    expect(addressRefusal('127.0.0.1', true)).toBeUndefined();
    expect(addressRefusal('127.0.0.1', false)).toMatch(/loopback/);
    expect(addressRefusal('10.0.0.1', false)).toMatch(/private/);
    expect(addressRefusal('0.0.0.0', true)).toMatch(/reserved/);
    expect(addressRefusal('8.8.8.8', false)).toBeUndefined();
  });
});
