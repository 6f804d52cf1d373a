import net from 'node:net';

/**
 * Which IP addresses a tenant's webhook may reach (SSRF protection). Pure.
 *  - link-local (169.254.0.0/16 — the cloud metadata endpoint 169.254.169.254
 *    included — and fe80::/10, fd00:ec2::254) : always refused;
 *  - loopback, private, CGNAT, unspecified, multicast, reserved: refused
 *    except in local mode (a developer's receiver on 127.0.0.1).
 */
export type AddressClass = 'public' | 'link-local' | 'loopback' | 'private' | 'reserved';

function v4ToInt(ip: string): number {
  return ip.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
}
const inV4 = (ip: string, base: string, bits: number) => {
  const mask = bits === 0 ? 0 : 2 ** 32 - 2 ** (32 - bits);
  return (v4ToInt(ip) & mask) >>> 0 === (v4ToInt(base) & mask) >>> 0;
};

export function classifyAddress(address: string): AddressClass {
  let ip = address.toLowerCase().replace(/^\[|\]$/g, '');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(ip);
  if (mapped) ip = mapped[1];
  if (net.isIPv4(ip)) {
    if (inV4(ip, '169.254.0.0', 16)) return 'link-local';
    if (inV4(ip, '127.0.0.0', 8)) return 'loopback';
    if (inV4(ip, '10.0.0.0', 8) || inV4(ip, '172.16.0.0', 12) || inV4(ip, '192.168.0.0', 16) || inV4(ip, '100.64.0.0', 10))
      return 'private';
    if (inV4(ip, '0.0.0.0', 8) || inV4(ip, '224.0.0.0', 4) || inV4(ip, '240.0.0.0', 4) || inV4(ip, '192.0.0.0', 24) || inV4(ip, '198.18.0.0', 15))
      return 'reserved';
    return 'public';
  }
  if (net.isIPv6(ip)) {
    if (ip === 'fd00:ec2::254' || /^fe[89ab]/.test(ip)) return 'link-local';
    if (ip === '::1') return 'loopback';
    if (ip === '::' || /^ff/.test(ip)) return 'reserved';
    if (/^f[cd]/.test(ip)) return 'private';
    return 'public';
  }
  return 'reserved';
}

/** Why an address may not be called, or undefined when it may. */
export function addressRefusal(address: string, localMode: boolean): string | undefined {
  const c = classifyAddress(address);
  if (c === 'public') return undefined;
  if (c === 'link-local') return 'resolves to a link-local address (cloud metadata endpoints are never allowed)';
  if (localMode && (c === 'loopback' || c === 'private')) return undefined;
  return `resolves to a ${c} address, allowed only in local mode`;
}
