import ipaddr from 'ipaddr.js';
import net from 'node:net';

/**
 * Which IP addresses a tenant's webhook may reach (SSRF protection). Pure.
 * Deny by default: an address is public only when ipaddr.js puts it in no
 * special-purpose range (`unicast`) and, for IPv6, it is also inside the
 * global unicast block 2000::/3. Everything else is refused:
 *  - link-local (169.254.0.0/16 — the cloud metadata endpoint 169.254.169.254
 *    included — fe80::/10 and AWS's fd00:ec2::254): always;
 *  - loopback and private (RFC 1918, ULA fc00::/7): except in local mode
 *    (a developer's receiver on 127.0.0.1);
 *  - IPv6 forms that embed an IPv4 address: always (see embeddedIpv4);
 *  - every other special range (unspecified, broadcast, multicast,
 *    carrier-grade NAT, documentation, benchmarking, 240.0.0.0/4, …): always.
 */
export type AddressClass = 'public' | 'link-local' | 'loopback' | 'private' | 'embedded-ipv4' | 'reserved';

export interface AddressVerdict {
  class: AddressClass;
  /** The special range the address is in (ipaddr.js's name), when it is in one. */
  range?: string;
}

/** AWS's IPv6 instance metadata endpoint: inside fc00::/7, but link-local in all but name. */
const AWS_METADATA_V6 = ipaddr.IPv6.parse('fd00:ec2::254');
/** IANA's global unicast block: the only IPv6 space that holds public hosts. */
const GLOBAL_UNICAST_V6 = ipaddr.IPv6.parseCIDR('2000::/3');
/** NAT64's well-known prefix (RFC 6052): the IPv4 address is the last 32 bits. */
const NAT64_WELL_KNOWN = ipaddr.IPv6.parseCIDR('64:ff9b::/96');

function v4Verdict(ip: ipaddr.IPv4): AddressVerdict {
  const range = ip.range();
  if (range === 'unicast') return { class: 'public' };
  if (range === 'linkLocal') return { class: 'link-local', range };
  if (range === 'loopback') return { class: 'loopback', range };
  if (range === 'private') return { class: 'private', range };
  return { class: 'reserved', range };
}

const v4 = (hi: number, lo: number) => new ipaddr.IPv4([hi >> 8, hi & 255, lo >> 8, lo & 255]);

/**
 * The IPv6 forms that carry an IPv4 address, and that address where its place
 * is fixed: IPv4-mapped ::ffff:0:0/96, IPv4-translated ::ffff:0:0:0/96,
 * IPv4-compatible ::/96, NAT64 64:ff9b::/96, 6to4 2002::/16 (bits 16–47) and
 * Teredo 2001::/32 (the client's address is the last 32 bits XOR 0xffffffff).
 * NAT64 local-use 64:ff9b:1::/48 embeds one too, at a place its operator
 * chooses: it is recognised, and its address left undefined.
 *
 * Such an address is refused, whatever it wraps, rather than unwrapped and
 * judged by its IPv4: where it really goes depends on the network between
 * (a NAT64 gateway in the VPC turns 64:ff9b::a9fe:a9fe into the metadata
 * endpoint; a 6to4 or Teredo relay forwards to the wrapped host), so an
 * unwrapping rule that is wrong or missing for one mechanism is an SSRF hole.
 * A real webhook receiver has a native IPv4 or IPv6 address, so refusing
 * costs nothing. The wrapped address only sharpens the message.
 */
export function embeddedIpv4(ip: ipaddr.IPv6): { form: string; ipv4?: ipaddr.IPv4 } | undefined {
  const p = ip.parts;
  const form = ip.range();
  if (form === 'ipv4Mapped' || form === 'rfc6145') return { form, ipv4: v4(p[6], p[7]) };
  if (form === 'rfc6052') return ip.match(NAT64_WELL_KNOWN) ? { form, ipv4: v4(p[6], p[7]) } : { form };
  if (form === '6to4') return { form, ipv4: v4(p[1], p[2]) };
  if (form === 'teredo') return { form, ipv4: v4(p[6] ^ 0xffff, p[7] ^ 0xffff) };
  // IPv4-compatible (deprecated) ::a.b.c.d; :: and ::1 have ranges of their own
  if (form === 'unicast' && p.slice(0, 6).every((x) => x === 0)) return { form: 'ipv4Compatible', ipv4: v4(p[6], p[7]) };
  return undefined;
}

function v6Verdict(ip: ipaddr.IPv6): AddressVerdict {
  if (ip.match(AWS_METADATA_V6, 128)) return { class: 'link-local', range: 'awsMetadata' };
  const embedded = embeddedIpv4(ip);
  if (embedded) {
    // Refused either way; one that wraps a link-local address says so.
    const wrapsLinkLocal = embedded.ipv4 !== undefined && v4Verdict(embedded.ipv4).class === 'link-local';
    return { class: wrapsLinkLocal ? 'link-local' : 'embedded-ipv4', range: embedded.form };
  }
  const range = ip.range();
  if (range === 'unicast')
    return ip.match(GLOBAL_UNICAST_V6) ? { class: 'public' } : { class: 'reserved', range: 'notGlobalUnicast' };
  if (range === 'linkLocal') return { class: 'link-local', range };
  if (range === 'loopback') return { class: 'loopback', range };
  if (range === 'uniqueLocal') return { class: 'private', range };
  return { class: 'reserved', range };
}

/** Classify an address (a bracketed IPv6 literal and a zone id are accepted); anything else is 'reserved'. */
export function judgeAddress(address: string): AddressVerdict {
  const text = address.trim().replace(/^\[|\]$/g, '');
  // net.isIP is strict (dotted quads only): ipaddr.js alone would also take '127.1' and '0x7f.0.0.1'.
  if (!net.isIP(text)) return { class: 'reserved', range: 'notAnAddress' };
  let ip: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    ip = ipaddr.parse(text);
  } catch {
    return { class: 'reserved', range: 'notAnAddress' };
  }
  return ip.kind() === 'ipv4' ? v4Verdict(ip as ipaddr.IPv4) : v6Verdict(ip as ipaddr.IPv6);
}

export function classifyAddress(address: string): AddressClass {
  return judgeAddress(address).class;
}

/** Words for ipaddr.js's range names in a refusal message. */
const RANGE_WORDS: Record<string, string> = {
  unspecified: 'unspecified',
  broadcast: 'broadcast',
  multicast: 'multicast',
  carrierGradeNat: 'carrier-grade NAT',
  reserved: 'reserved or documentation',
  benchmarking: 'benchmarking',
  deprecatedSiteLocal: 'site-local',
  discard: 'discard-only',
  notGlobalUnicast: 'unassigned (not global unicast)',
  notAnAddress: 'unparseable',
  ipv4Mapped: 'IPv4-mapped',
  rfc6145: 'IPv4-translated',
  rfc6052: 'NAT64',
  '6to4': '6to4',
  teredo: 'Teredo',
  ipv4Compatible: 'IPv4-compatible',
};

/** Why an address may not be called, or undefined when it may. */
export function addressRefusal(address: string, localMode: boolean): string | undefined {
  const v = judgeAddress(address);
  const words = v.range ? (RANGE_WORDS[v.range] ?? v.range) : 'special-purpose';
  switch (v.class) {
    case 'public':
      return undefined;
    case 'link-local':
      return 'resolves to a link-local address (cloud metadata endpoints are never allowed)';
    case 'loopback':
    case 'private':
      return localMode ? undefined : `resolves to a ${v.class} address, allowed only in local mode`;
    case 'embedded-ipv4':
      return `resolves to an IPv6 address that embeds an IPv4 address (${words}), which is never allowed: use the receiver's own address`;
    case 'reserved':
      return `resolves to an address in a special-purpose range (${words}), which is never allowed`;
  }
}
