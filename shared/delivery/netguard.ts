import net from 'node:net';

/**
 * Which IP addresses a tenant's webhook may reach (SSRF protection). Pure.
 *  - link-local (169.254.0.0/16 — the cloud metadata endpoint 169.254.169.254
 *    included — fe80::/10 and fd00:ec2::254): always refused;
 *  - loopback, private, CGNAT, unspecified, multicast, reserved: refused
 *    except in local mode (a developer's receiver on 127.0.0.1).
 * IPv6 forms that carry an IPv4 address (mapped ::ffff:a.b.c.d, compatible
 * ::a.b.c.d, NAT64 64:ff9b::/96, in any notation) are judged by that IPv4.
 */
export type AddressClass = 'public' | 'link-local' | 'loopback' | 'private' | 'reserved';

function v4Class(b: number[]): AddressClass {
  const [a, c] = b;
  if (a === 169 && c === 254) return 'link-local';
  if (a === 127) return 'loopback';
  if (a === 10 || (a === 172 && c >= 16 && c <= 31) || (a === 192 && c === 168) || (a === 100 && c >= 64 && c <= 127)) return 'private';
  if (a === 0 || a >= 224 || (a === 192 && c === 0 && b[2] === 0) || (a === 198 && (c === 18 || c === 19))) return 'reserved';
  return 'public';
}

/** 16 bytes of an IPv6 address in any textual form (with an embedded dotted quad too). */
function v6Bytes(ip: string): number[] | undefined {
  let text = ip.split('%')[0];
  const quad = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (quad) {
    const p = quad[1].split('.').map(Number);
    text = text.slice(0, -quad[1].length) + `${((p[0] << 8) | p[1]).toString(16)}:${((p[2] << 8) | p[3]).toString(16)}`;
  }
  const [head, tail] = text.split('::');
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  if (groups.length !== 8) return undefined;
  return groups.flatMap((g) => {
    const n = parseInt(g, 16);
    return [(n >> 8) & 255, n & 255];
  });
}

export function classifyAddress(address: string): AddressClass {
  const ip = address.toLowerCase().replace(/^\[|\]$/g, '');
  if (net.isIPv4(ip)) return v4Class(ip.split('.').map(Number));
  if (!net.isIPv6(ip)) return 'reserved';
  const b = v6Bytes(ip);
  if (!b) return 'reserved';
  const zeros = (from: number, to: number) => b.slice(from, to).every((x) => x === 0);
  const embedded = b.slice(12);
  // IPv4-mapped ::ffff:0:0/96, IPv4-compatible ::/96 (beyond :: and ::1), NAT64 64:ff9b::/96
  if (zeros(0, 10) && b[10] === 255 && b[11] === 255) return v4Class(embedded);
  if (b[0] === 0 && b[1] === 0x64 && b[2] === 0xff && b[3] === 0x9b && zeros(4, 12)) return v4Class(embedded);
  if (zeros(0, 15) && b[15] === 1) return 'loopback';
  if (zeros(0, 16)) return 'reserved';
  if (zeros(0, 12)) return v4Class(embedded);
  if (b[0] === 0xfe && (b[1] & 0xc0) === 0x80) return 'link-local';
  if (b[0] === 0xfd && b[1] === 0x00 && b[2] === 0x0e && b[3] === 0xc2 && zeros(4, 14) && b[14] === 0x02 && b[15] === 0x54) return 'link-local';
  if ((b[0] & 0xfe) === 0xfc) return 'private';
  if (b[0] === 0xff) return 'reserved';
  if (b[0] === 0x20 && b[1] === 0x01 && b[2] === 0x0d && b[3] === 0xb8) return 'reserved';
  return 'public';
}

/** Why an address may not be called, or undefined when it may. */
export function addressRefusal(address: string, localMode: boolean): string | undefined {
  const c = classifyAddress(address);
  if (c === 'public') return undefined;
  if (c === 'link-local') return 'resolves to a link-local address (cloud metadata endpoints are never allowed)';
  if (localMode && (c === 'loopback' || c === 'private')) return undefined;
  return `resolves to a ${c} address, allowed only in local mode`;
}
