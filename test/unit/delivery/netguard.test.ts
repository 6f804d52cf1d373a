import { describe, expect, it } from 'vitest';
import ipaddr from 'ipaddr.js';
import { addressRefusal, classifyAddress, embeddedIpv4, judgeAddress } from '../../../shared/delivery/netguard.js';

/** The class of each address, as one object (a failure names the address). */
const classes = (ips: string[]) => Object.fromEntries(ips.map((ip) => [ip, classifyAddress(ip)]));
const all = (ips: string[], c: string) => Object.fromEntries(ips.map((ip) => [ip, c]));

describe('webhook address guard', () => {
  it('classifies link-local, loopback, private and public addresses', () => {
    expect(classifyAddress('169.254.169.254')).toBe('link-local');
    expect(classifyAddress('169.254.10.1')).toBe('link-local');
    expect(classifyAddress('fd00:ec2::254')).toBe('link-local');
    expect(classifyAddress('fd00:ec2:0:0:0:0:0:254')).toBe('link-local');
    expect(classifyAddress('fe80::1')).toBe('link-local');
    expect(classifyAddress('febf::1')).toBe('link-local');
    expect(classifyAddress('fe80::1%eth0')).toBe('link-local');
    expect(classifyAddress('127.0.0.1')).toBe('loopback');
    expect(classifyAddress('127.255.0.9')).toBe('loopback');
    expect(classifyAddress('::1')).toBe('loopback');
    expect(classifyAddress('[::1]')).toBe('loopback');
    expect(classifyAddress('10.1.2.3')).toBe('private');
    expect(classifyAddress('172.31.0.1')).toBe('private');
    expect(classifyAddress('172.32.0.1')).toBe('public');
    expect(classifyAddress('192.168.1.1')).toBe('private');
    expect(classifyAddress('fc00::1')).toBe('private');
    expect(classifyAddress('fd12:3456::1')).toBe('private');
  });

  it('passes ordinary public addresses', () => {
    const ips = [
      '8.8.8.8',
      '1.1.1.1',
      '172.32.0.1',
      '93.184.215.14',
      '2606:4700:4700::1111',
      '2a00:1450:4001:800::200e',
      '2606:4700::1111',
    ];
    expect(classes(ips)).toEqual(all(ips, 'public'));
    for (const ip of ips) expect({ ip, why: addressRefusal(ip, false) }).toEqual({ ip, why: undefined });
  });

  it('refuses what is not an address', () => {
    for (const ip of ['not-an-ip', '', '127.1', '0x7f.0.0.1', '2130706433', '1.2.3.4.5', ':::1'])
      expect({ ip, c: classifyAddress(ip) }).toEqual({ ip, c: 'reserved' });
  });

  describe('SSRF regressions: special ranges were classified as public', () => {
    it('refuses 6to4 2002:a9fe:a9fe::1, which wraps the metadata endpoint 169.254.169.254', () => {
      expect(judgeAddress('2002:a9fe:a9fe::1')).toEqual({ class: 'link-local', range: '6to4' });
      expect(addressRefusal('2002:a9fe:a9fe::1', true)).toMatch(/link-local/);
    });

    it('refuses 6to4 even when it wraps a public address (deny by default: the relay decides where it goes)', () => {
      for (const ip of ['2002:808:808::1', '2002:0808:0808:1::5', '2002:7f00:1::1'])
        expect({ ip, v: judgeAddress(ip) }).toEqual({ ip, v: { class: 'embedded-ipv4', range: '6to4' } });
      expect(addressRefusal('2002:808:808::1', true)).toMatch(/embeds an IPv4 address \(6to4\)/);
      expect(addressRefusal('2002:808:808::1', false)).toMatch(/never allowed/);
    });

    it('refuses Teredo 2001::/32, and reads its client address as the last 32 bits XOR 0xffffffff', () => {
      // client 192.0.2.45 (RFC 4380's example) and 169.254.169.254 (~a9fe:a9fe = 5601:5601)
      expect(judgeAddress('2001:0:4136:e378:8000:63bf:3fff:fdd2')).toEqual({ class: 'embedded-ipv4', range: 'teredo' });
      expect(judgeAddress('2001:0:4136:e378:8000:63bf:5601:5601')).toEqual({ class: 'link-local', range: 'teredo' });
      expect(addressRefusal('2001:0:4136:e378:8000:63bf:3fff:fdd2', true)).toMatch(/Teredo/);
      expect(embeddedIpv4(ipaddr.IPv6.parse('2001:0:4136:e378:8000:63bf:3fff:fdd2'))?.ipv4?.toString()).toBe('192.0.2.45');
    });

    it('refuses NAT64 64:ff9b::/96 and the local-use 64:ff9b:1::/48', () => {
      expect(judgeAddress('64:ff9b::a9fe:a9fe')).toEqual({ class: 'link-local', range: 'rfc6052' });
      expect(judgeAddress('64:ff9b::169.254.169.254')).toEqual({ class: 'link-local', range: 'rfc6052' });
      expect(judgeAddress('64:ff9b::808:808')).toEqual({ class: 'embedded-ipv4', range: 'rfc6052' });
      for (const ip of ['64:ff9b:1::1', '64:ff9b:1::a9fe:a9fe', '64:ff9b:1:ffff::8.8.8.8'])
        expect({ ip, v: judgeAddress(ip) }).toEqual({ ip, v: { class: 'embedded-ipv4', range: 'rfc6052' } });
      expect(addressRefusal('64:ff9b::808:808', true)).toMatch(/NAT64/);
      expect(embeddedIpv4(ipaddr.IPv6.parse('64:ff9b::808:808'))).toEqual({
        form: 'rfc6052',
        ipv4: ipaddr.IPv4.parse('8.8.8.8'),
      });
      expect(embeddedIpv4(ipaddr.IPv6.parse('64:ff9b:1::808:808'))).toEqual({ form: 'rfc6052' });
      expect(embeddedIpv4(ipaddr.IPv6.parse('2606:4700:4700::1111'))).toBeUndefined();
    });

    it('refuses IPv4-mapped and IPv4-compatible forms, the metadata endpoint among them as link-local', () => {
      for (const ip of [
        '::ffff:a9fe:a9fe',
        '[::ffff:169.254.169.254]',
        '0:0:0:0:0:ffff:a9fe:a9fe',
        '::a9fe:a9fe',
        '::169.254.169.254',
        '::ffff:0:a9fe:a9fe',
      ])
        expect({ ip, c: classifyAddress(ip) }).toEqual({ ip, c: 'link-local' });
      const wrapped = [
        '::ffff:7f00:1',
        '::ffff:127.0.0.1',
        '::ffff:a00:1',
        '::ffff:808:808',
        '::ffff:8.8.8.8',
        '::808:808',
        '::ffff:0:808:808',
      ];
      expect(classes(wrapped)).toEqual(all(wrapped, 'embedded-ipv4'));
      // even a mapped loopback is refused in local mode: a local receiver listens on 127.0.0.1 or ::1
      expect(addressRefusal('::ffff:127.0.0.1', true)).toMatch(/IPv4-mapped/);
      expect(addressRefusal('::808:808', true)).toMatch(/IPv4-compatible/);
    });

    it('refuses the documentation ranges 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24 and 2001:db8::/32', () => {
      const ips = ['192.0.2.1', '192.0.2.255', '198.51.100.7', '203.0.113.9', '2001:db8::1', '2001:db8:ffff::1'];
      expect(classes(ips)).toEqual(all(ips, 'reserved'));
      expect(classifyAddress('192.0.3.1')).toBe('public');
      expect(classifyAddress('203.0.114.1')).toBe('public');
    });

    it('refuses the benchmarking ranges 198.18.0.0/15 and 2001:2::/48', () => {
      const ips = ['198.18.0.1', '198.19.255.254', '2001:2::1', '2001:2:0:ffff::1'];
      expect(classes(ips)).toEqual(all(ips, 'reserved'));
      expect(judgeAddress('2001:2::1').range).toBe('benchmarking');
      expect(classifyAddress('198.20.0.1')).toBe('public');
    });

    it('refuses carrier-grade NAT 100.64.0.0/10, in local mode too', () => {
      const ips = ['100.64.0.1', '100.127.255.254'];
      expect(classes(ips)).toEqual(all(ips, 'reserved'));
      expect(addressRefusal('100.64.0.1', true)).toMatch(/carrier-grade NAT/);
      expect(classifyAddress('100.128.0.1')).toBe('public');
      expect(classifyAddress('100.63.255.255')).toBe('public');
    });

    it('refuses multicast, broadcast, reserved 240.0.0.0/4 and unspecified addresses', () => {
      const ips = [
        '224.0.0.1',
        '239.255.255.250',
        'ff02::1',
        'ff0e::1',
        '255.255.255.255',
        '240.0.0.1',
        '250.1.2.3',
        '0.0.0.0',
        '0.1.2.3',
        '::',
      ];
      expect(classes(ips)).toEqual(all(ips, 'reserved'));
      expect(judgeAddress('255.255.255.255').range).toBe('broadcast');
      expect(judgeAddress('::').range).toBe('unspecified');
      for (const ip of ips) expect(addressRefusal(ip, true)).toMatch(/never allowed/);
    });

    it('refuses IPv6 outside global unicast 2000::/3, which no special range names', () => {
      expect(judgeAddress('4000::1')).toEqual({ class: 'reserved', range: 'notGlobalUnicast' });
      expect(judgeAddress('1000::1')).toEqual({ class: 'reserved', range: 'notGlobalUnicast' });
      expect(classifyAddress('fec0::1')).toBe('reserved');
      expect(classifyAddress('100::1')).toBe('reserved');
    });
  });

  it('always refuses link-local, and loopback and private outside local mode only', () => {
    expect(addressRefusal('169.254.169.254', true)).toMatch(/link-local/);
    expect(addressRefusal('169.254.169.254', false)).toMatch(/link-local/);
    expect(addressRefusal('fe80::1', true)).toMatch(/link-local/);
    expect(addressRefusal('127.0.0.1', true)).toBeUndefined();
    expect(addressRefusal('::1', true)).toBeUndefined();
    expect(addressRefusal('10.0.0.1', true)).toBeUndefined();
    expect(addressRefusal('192.168.0.10', true)).toBeUndefined();
    expect(addressRefusal('fd12::1', true)).toBeUndefined();
    expect(addressRefusal('127.0.0.1', false)).toMatch(/loopback address, allowed only in local mode/);
    expect(addressRefusal('10.0.0.1', false)).toMatch(/private address, allowed only in local mode/);
    expect(addressRefusal('fd12::1', false)).toMatch(/private/);
    expect(addressRefusal('0.0.0.0', true)).toMatch(/unspecified/);
    expect(addressRefusal('8.8.8.8', false)).toBeUndefined();
  });
});
