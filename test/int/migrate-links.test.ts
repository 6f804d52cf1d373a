import { GetCommand, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it, onTestFinished } from 'vitest';
import { getDdb } from '../../shared/platform/clients.js';
import { migrateLegacyLinks } from '../../shared/store/campaigns.js';
import { ownTable } from '../support/own-table.js';

/**
 * Links written before they were sharded (one partition per fence) are moved
 * by `npm run migrate-links`. On a table of its own: the migration scans.
 */
describe('migrate-links', () => {
  it('moves every legacy link row to its sharded partition, deletes the old rows, and finds nothing more the second time', async () => {
    const { tableName, drop } = await ownTable('migrate');
    onTestFinished(drop);
    const tenant = 'ten_migrate';
    const legacy = [
      { fence: 'gf_a', campaign: 'cmp_1' },
      { fence: 'gf_a', campaign: 'cmp_2' },
      { fence: 'gf_b', campaign: 'cmp_1' },
    ];
    for (const l of legacy)
      await getDdb().send(
        new PutCommand({
          TableName: tableName,
          Item: { pk: `T#${tenant}#GFC#${l.fence}`, sk: `C#${l.campaign}`, campaignId: l.campaign },
        }),
      );
    // Not links: left alone.
    await getDdb().send(new PutCommand({ TableName: tableName, Item: { pk: `T#${tenant}`, sk: 'GFC#note' } }));

    expect(await migrateLegacyLinks({ tableName, segments: 2 })).toBe(3);

    for (const l of legacy) {
      const old = await getDdb().send(
        new GetCommand({
          TableName: tableName,
          Key: { pk: `T#${tenant}#GFC#${l.fence}`, sk: `C#${l.campaign}` },
          ConsistentRead: true,
        }),
      );
      expect(old.Item).toBeUndefined();
    }
    // The moved rows are where the offer path reads them: one of the tenant's LINKS partitions, keyed by fence and campaign.
    const { Items = [] } = await getDdb().send(new ScanCommand({ TableName: tableName, ConsistentRead: true }));
    const moved = Items.filter((i) => String(i.pk).startsWith(`T#${tenant}#LINKS#`))
      .map((i) => String(i.sk))
      .sort();
    expect(moved).toEqual(['G#gf_a#C#cmp_1', 'G#gf_a#C#cmp_2', 'G#gf_b#C#cmp_1']);
    expect(Items.some((i) => i.pk === `T#${tenant}` && i.sk === 'GFC#note')).toBe(true);

    expect(await migrateLegacyLinks({ tableName, segments: 2 })).toBe(0);
  });
});
