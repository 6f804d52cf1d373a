import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { crc32 } from 'node:zlib';
import type { KeyKind } from './principal.js';

/**
 * API key material. A key is `geo_<kind>_<32 base62 chars of 190 random bits><6 base62 chars of CRC32>`,
 * e.g. `geo_sk_…`. The checksum covers the prefix and the random part. The kind prefix and the checksum let secret scanners find
 * leaked keys and let the authorizer refuse garbage without a database read.
 * Only the SHA-256 of a key is ever stored.
 */

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const KIND_PREFIX: Record<KeyKind, string> = { operator: 'geo_op_', secret: 'geo_sk_', publishable: 'geo_pk_' };
const BODY_LEN = 32;
const CHECK_LEN = 6;
const KEY_RE = /^geo_(op|sk|pk)_([0-9A-Za-z]{32})([0-9A-Za-z]{6})$/;

function toBase62(buf: Buffer, len: number): string {
  let n = BigInt(`0x${buf.toString('hex') || '0'}`);
  let out = '';
  while (out.length < len) {
    out = BASE62[Number(n % 62n)] + out;
    n /= 62n;
  }
  return out;
}

function checksum(body: string): string {
  const c = crc32(Buffer.from(body, 'utf8')) >>> 0;
  const b = Buffer.alloc(4);
  b.writeUInt32BE(c);
  return toBase62(b, CHECK_LEN);
}

export function generateKey(kind: KeyKind): { key: string; hash: string; prefix: string } {
  // 24 random bytes = 192 bits; 32 base62 digits keep ~190 of them.
  const body = toBase62(randomBytes(24), BODY_LEN);
  const key = `${KIND_PREFIX[kind]}${body}${checksum(KIND_PREFIX[kind] + body)}`;
  return { key, hash: hashKey(key), prefix: key.slice(0, 12) };
}

/** Kind of a well-formed key whose checksum matches; undefined otherwise. */
export function parseKey(key: string): KeyKind | undefined {
  const m = KEY_RE.exec(key);
  if (!m) return undefined;
  if (checksum(`geo_${m[1]}_${m[2]}`) !== m[3]) return undefined;
  return m[1] === 'op' ? 'operator' : m[1] === 'sk' ? 'secret' : 'publishable';
}

export function hashKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** Constant-time comparison of two hex digests. */
export function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}
