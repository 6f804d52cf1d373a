import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DecryptCommand, GenerateDataKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { getConfig } from './config.js';

/**
 * Secrets at rest (webhook signing secrets, shopper-token signing keys):
 * envelope encryption. Each secret is encrypted with AES-256-GCM under a
 * data key; the data key is stored beside it, itself encrypted by the master
 * key, which never leaves its keeper:
 *   - on AWS, a customer-managed KMS key (SECRETS_KMS_KEY_ID): data keys come
 *     from GenerateDataKey and are opened with Decrypt, both bound to an
 *     encryption context (tenant and purpose), which KMS logs in CloudTrail;
 *   - locally, a 256-bit key in a file (SECRETS_KEY_FILE, in DATA_DIR,
 *     created with mode 0600 on first use) that wraps the data keys with
 *     AES-256-GCM.
 * The context is also the GCM additional data: a sealed value copied to
 * another tenant's item, or used for another purpose, does not open.
 * Sealed form (one string): `s1.<keeper>.<wrapped data key>.<iv>.<ciphertext+tag>`, base64url parts.
 * A container keeps opened data keys (never secrets) for DATA_KEY_TTL_MS, and
 * reuses one data key for the seals it makes in that time: KMS is called at
 * most once per distinct data key and window, not once per secret.
 */
export interface SealContext {
  tenantId: string;
  purpose: 'webhook-secret' | 'shopper-token-key';
}

type Keeper = 'kms' | 'file';

const DATA_KEY_TTL_MS = 5 * 60_000;
const PREFIX = 's1';

interface DataKey {
  plain: Buffer;
  wrapped: Buffer;
  at: number;
}

/** Opened data keys by their wrapped form (base64url) and context. */
const opened = new Map<string, DataKey>();
/** The data key used for new seals, per context. */
const current = new Map<string, DataKey>();

const ctxKey = (c: SealContext) => `${c.tenantId}|${c.purpose}`;
const aad = (c: SealContext) => Buffer.from(`geo-offers|${c.purpose}|${c.tenantId}`, 'utf8');
const b64 = (b: Buffer) => b.toString('base64url');
const unb64 = (s: string) => Buffer.from(s, 'base64url');

let kms: KMSClient | undefined;
let fileKey: Buffer | undefined;

function keeper(): Keeper {
  const cfg = getConfig();
  if (cfg.secretsKmsKeyId) return 'kms';
  if (cfg.secretsKeyFile) return 'file';
  throw new Error('No key for secrets at rest: set SECRETS_KMS_KEY_ID (AWS) or SECRETS_KEY_FILE (local).');
}

/** The local master key: read from its file, or created there (mode 0600) the first time. */
function masterFromFile(): Buffer {
  if (fileKey) return fileKey;
  const file = getConfig().secretsKeyFile!;
  try {
    fileKey = unb64(readFileSync(file, 'utf8').trim());
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    mkdirSync(path.dirname(file), { recursive: true });
    const fresh = randomBytes(32);
    try {
      // 'wx': two processes starting at once do not overwrite each other's key.
      writeFileSync(file, `${b64(fresh)}\n`, { mode: 0o600, flag: 'wx' });
      fileKey = fresh;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      fileKey = unb64(readFileSync(file, 'utf8').trim());
    }
  }
  chmodSync(file, 0o600);
  if (fileKey.length !== 32) throw new Error(`${file} does not hold a 256-bit key`);
  return fileKey;
}

function gcmSeal(key: Buffer, plain: Buffer, ad: Buffer): Buffer {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', key, iv);
  c.setAAD(ad);
  const ct = Buffer.concat([c.update(plain), c.final()]);
  return Buffer.concat([iv, ct, c.getAuthTag()]);
}

function gcmOpen(key: Buffer, box: Buffer, ad: Buffer): Buffer {
  if (box.length < 12 + 16) throw new Error('sealed value is truncated');
  const d = createDecipheriv('aes-256-gcm', key, box.subarray(0, 12));
  d.setAAD(ad);
  d.setAuthTag(box.subarray(box.length - 16));
  return Buffer.concat([d.update(box.subarray(12, box.length - 16)), d.final()]);
}

const encryptionContext = (c: SealContext) => ({ service: 'geo-offers', purpose: c.purpose, tenantId: c.tenantId });

async function newDataKey(k: Keeper, c: SealContext): Promise<DataKey> {
  if (k === 'file') {
    const plain = randomBytes(32);
    return { plain, wrapped: gcmSeal(masterFromFile(), plain, aad(c)), at: Date.now() };
  }
  kms ??= new KMSClient({ region: getConfig().region });
  const res = await kms.send(
    new GenerateDataKeyCommand({
      KeyId: getConfig().secretsKmsKeyId,
      KeySpec: 'AES_256',
      EncryptionContext: encryptionContext(c),
    }),
  );
  return { plain: Buffer.from(res.Plaintext!), wrapped: Buffer.from(res.CiphertextBlob!), at: Date.now() };
}

async function openDataKey(k: Keeper, wrapped: Buffer, c: SealContext): Promise<Buffer> {
  const id = `${k}|${ctxKey(c)}|${b64(wrapped)}`;
  const hit = opened.get(id);
  if (hit && Date.now() - hit.at < DATA_KEY_TTL_MS) return hit.plain;
  let plain: Buffer;
  if (k === 'file') plain = gcmOpen(masterFromFile(), wrapped, aad(c));
  else {
    kms ??= new KMSClient({ region: getConfig().region });
    const res = await kms.send(new DecryptCommand({ CiphertextBlob: wrapped, EncryptionContext: encryptionContext(c) }));
    plain = Buffer.from(res.Plaintext!);
  }
  if (opened.size > 1000) opened.clear();
  opened.set(id, { plain, wrapped, at: Date.now() });
  return plain;
}

/** Encrypt a secret for storage. */
export async function seal(secret: string, c: SealContext): Promise<string> {
  const k = keeper();
  const ck = `${k}|${ctxKey(c)}`;
  let dk = current.get(ck);
  if (!dk || Date.now() - dk.at >= DATA_KEY_TTL_MS) {
    dk = await newDataKey(k, c);
    if (current.size > 1000) current.clear();
    current.set(ck, dk);
  }
  return [PREFIX, k, b64(dk.wrapped), b64(gcmSeal(dk.plain, Buffer.from(secret, 'utf8'), aad(c)))].join('.');
}

/** Is this stored value a sealed secret (rather than a value stored before sealing existed)? */
export const isSealed = (stored: string) => stored.startsWith(`${PREFIX}.`);

/** Decrypt a sealed secret; throws if it was altered, or sealed for another tenant or purpose. */
export async function unseal(stored: string, c: SealContext): Promise<string> {
  const parts = stored.split('.');
  if (parts.length !== 4 || parts[0] !== PREFIX || (parts[1] !== 'kms' && parts[1] !== 'file'))
    throw new Error('not a sealed secret');
  const key = await openDataKey(parts[1], unb64(parts[2]), c);
  return gcmOpen(key, unb64(parts[3]), aad(c)).toString('utf8');
}

/** Forget cached keys (tests that change the environment). */
export function resetSealing(): void {
  opened.clear();
  current.clear();
  fileKey = undefined;
  kms = undefined;
}
