import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resetConfig } from '../../../shared/platform/config.js';
import { isSealed, resetSealing, seal, unseal } from '../../../shared/platform/sealed.js';

describe('secrets sealed at rest (local key file)', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sealed-'));
  const file = path.join(dir, 'nested', 'secrets.key');
  const saved = { ...process.env };
  beforeAll(() => {
    Object.assign(process.env, { TABLE_NAME: 't', SECRETS_KEY_FILE: file });
    delete process.env.SECRETS_KMS_KEY_ID;
    resetConfig();
    resetSealing();
  });
  afterAll(() => {
    process.env = saved;
    resetConfig();
    resetSealing();
    rmSync(dir, { recursive: true, force: true });
  });
  const ctx = { tenantId: 'ten_a', purpose: 'webhook-secret' } as const;

  it('round-trips, never stores the secret in the clear, and creates the key file with mode 0600', async () => {
    const sealed = await seal('whsec_top-secret', ctx);
    expect(isSealed(sealed)).toBe(true);
    expect(sealed).not.toContain('top-secret');
    expect(await unseal(sealed, ctx)).toBe('whsec_top-secret');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(Buffer.from(readFileSync(file, 'utf8').trim(), 'base64url')).toHaveLength(32);
    // Two seals of one secret differ (fresh IV each time).
    expect(await seal('whsec_top-secret', ctx)).not.toBe(sealed);
  });

  it('does not open for another tenant or purpose, nor once altered', async () => {
    const sealed = await seal('s3cret', ctx);
    await expect(unseal(sealed, { ...ctx, tenantId: 'ten_b' })).rejects.toThrow();
    await expect(unseal(sealed, { ...ctx, purpose: 'shopper-token-key' })).rejects.toThrow();
    const parts = sealed.split('.');
    const box = Buffer.from(parts[3], 'base64url');
    box[box.length - 1] ^= 1;
    await expect(unseal([...parts.slice(0, 3), box.toString('base64url')].join('.'), ctx)).rejects.toThrow();
    await expect(unseal('plain-text', ctx)).rejects.toThrow('not a sealed secret');
  });

  it('opens after a restart (the key is read back from its file)', async () => {
    const sealed = await seal('kept', ctx);
    resetSealing();
    expect(await unseal(sealed, ctx)).toBe('kept');
  });
});
