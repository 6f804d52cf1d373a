import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it, onTestFinished } from 'vitest';
import { getDdb } from '../../shared/platform/clients.js';
import {
  type ApiKeyRecord,
  apiKeyHashKey,
  apiKeyPuts,
  migrateKeyScopes,
  SCOPES,
  type Scope,
  scopesAfterV11,
  V1_SCOPES,
} from '../../shared/store/apikeys.js';
import { ownTable } from '../support/own-table.js';

/**
 * Keys made under v1 hold the scopes v1 had; `npm run migrate-scopes` gives them what v1.1 split out, and nothing
 * more. On a table of its own: the migration scans.
 */
const key = (id: string, kind: ApiKeyRecord['kind'], scopes: readonly Scope[], storeIds: string[] = []): ApiKeyRecord => ({
  id,
  tenantId: 'ten_scopes',
  name: id,
  kind,
  scopes: [...scopes],
  storeIds,
  prefix: 'p',
  hash: `hash-${id}`,
  createdAt: '2026-01-01T00:00:00.000Z',
  expiresAt: null,
  revokedAt: null,
  rateLimit: { rps: 10, burst: 20 },
});

describe('migrate-scopes', () => {
  it('decides per key: the admin key gets every new scope, a conversion-recording secret key conversions:write, others nothing', () => {
    expect(scopesAfterV11(key('a', 'secret', V1_SCOPES)).sort()).toEqual([...SCOPES].sort());
    expect(scopesAfterV11(key('r', 'secret', ['offers:redeem', 'offers:write']))).toEqual([
      'offers:redeem',
      'offers:write',
      'conversions:write',
    ]);
    // Restricted to a store: it keeps its restriction and gains no tenant-wide power.
    expect(scopesAfterV11(key('s', 'secret', V1_SCOPES, ['st_1']))).toEqual([...V1_SCOPES, 'conversions:write']);
    expect(scopesAfterV11(key('g', 'secret', ['geofences:read']))).toEqual(['geofences:read']);
    expect(scopesAfterV11(key('p', 'publishable', ['offers:write', 'offers:redeem']))).toEqual(['offers:write', 'offers:redeem']);
  });

  it('writes the new scopes on both items of each key, and finds nothing more the second time', async () => {
    const { tableName, drop } = await ownTable('scopes');
    onTestFinished(drop);
    const keys = [
      key('key_admin', 'secret', V1_SCOPES),
      key('key_till', 'secret', ['offers:redeem']),
      key('key_read', 'secret', ['stats:read']),
      key('key_app', 'publishable', ['offers:write', 'offers:redeem']),
    ];
    for (const k of keys)
      await getDdb().send(
        new TransactWriteCommand({
          TransactItems: apiKeyPuts(k).map((t) => ({ Put: { ...t.Put, TableName: tableName } })),
        }),
      );

    expect(await migrateKeyScopes({ tableName, segments: 2 })).toBe(2);

    const scopesOf = async (k: ApiKeyRecord) =>
      Promise.all(
        [apiKeyHashKey(k.hash), { pk: `T#${k.tenantId}`, sk: `APIKEY#${k.id}` }].map(async (Key) => {
          const res = await getDdb().send(new GetCommand({ TableName: tableName, Key, ConsistentRead: true }));
          return [...((res.Item?.scopes ?? []) as string[])].sort();
        }),
      );
    expect(await scopesOf(keys[0])).toEqual([[...SCOPES].sort(), [...SCOPES].sort()]);
    expect(await scopesOf(keys[1])).toEqual([
      ['conversions:write', 'offers:redeem'],
      ['conversions:write', 'offers:redeem'],
    ]);
    expect(await scopesOf(keys[2])).toEqual([['stats:read'], ['stats:read']]);
    expect(await scopesOf(keys[3])).toEqual([
      ['offers:redeem', 'offers:write'],
      ['offers:redeem', 'offers:write'],
    ]);

    expect(await migrateKeyScopes({ tableName, segments: 2 })).toBe(0);
  });
});
