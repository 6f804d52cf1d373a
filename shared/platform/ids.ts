import { randomBytes } from 'node:crypto';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** Time-sortable, 128-bit unique id (ULID layout: 48-bit ms time + 80 random bits), Crockford base32. */
export function ulid(now = Date.now()): string {
  let time = '';
  let t = now;
  for (let i = 0; i < 10; i++) {
    time = CROCKFORD[t % 32] + time;
    t = Math.floor(t / 32);
  }
  const bytes = randomBytes(10);
  let rand = '';
  let acc = 0;
  let bits = 0;
  for (const b of bytes) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      rand += CROCKFORD[(acc >> bits) & 31];
    }
  }
  return time + rand;
}

/** Prefixed public id, e.g. `gf_01J…`. */
export const newId = (prefix: string) => `${prefix}_${ulid().toLowerCase()}`;

/** A request id as a client may send it (`X-Request-Id`) and as it travels in log lines and queue messages. */
export const REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;

/** The id when it has the allowed form, otherwise undefined (a bad id is replaced or dropped, never a reason to fail). */
export function validRequestId(id: unknown): string | undefined {
  return typeof id === 'string' && REQUEST_ID.test(id) ? id : undefined;
}
