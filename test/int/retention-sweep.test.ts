import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { getDdb } from '../../shared/platform/clients.js';
import { resetConfig } from '../../shared/platform/config.js';
import { createCampaign } from '../../shared/services/campaigns.js';
import { seedGeofences } from '../../shared/services/geo.js';
import { requestOffers } from '../../shared/services/offers.js';
import { recordConversion } from '../../shared/services/redemption.js';
import { sweepRetention } from '../../shared/services/retention-sweep.js';
import { updateSettings } from '../../shared/services/settings.js';
import { putShopper } from '../../shared/services/shoppers.js';
import { createTenant } from '../../shared/services/tenants.js';
import { shopperPartition } from '../../shared/store/keys.js';
import { offerPointerKey } from '../../shared/store/offers.js';
import { CONSENT } from '../support/marketing.js';
import { ownTable } from '../support/own-table.js';
import { adminPrincipal, countDynamoRequests, storedItems } from '../support/principal.js';

/**
 * The background half of per-tenant retention, on a table of its own (the sweep scans the table it is given): what a
 * tenant's shortened retention hides is deleted, what it still keeps and other tenants' items are not.
 */
const HERE = { lat: 52.52, lng: 13.405 };
const DAY_MS = 86_400_000;

async function tenantWithShopper(name: string) {
  const { tenant } = await createTenant(name);
  const p = adminPrincipal(tenant.id);
  const [fence] = await seedGeofences(p, [
    { name: 'here', geometry: { type: 'Circle', coordinates: [HERE.lng, HERE.lat], radiusM: 200 } },
  ]);
  await createCampaign(p, {
    name: 'sweep',
    kind: 'location',
    status: 'active',
    trigger: 'enter',
    geofenceIds: [fence],
    offer: { title: 'Hello', body: 'Ten percent off', validForMinutes: 60 },
    frequencyCap: { maxOffers: 1, perHours: 24 },
  } as never);
  const shopperId = 'swept';
  await putShopper(p, shopperId, { consent: { ...CONSENT } } as never);
  const made = await requestOffers(p, { shopperId, location: { ...HERE, accuracyM: 10 } });
  expect(made.result.offers).toHaveLength(1);
  expect(made.result.events).toHaveLength(1);
  await recordConversion(p, { shopperId, amount: 9 });
  return { p, shopperId, offerId: made.result.offers[0].id };
}

const kinds = (items: Record<string, unknown>[]) => items.map((i) => String(i.sk).replace(/#.*/, '')).sort();

describe('the retention sweep', () => {
  const sharedTable = process.env.TABLE_NAME;
  let table: Awaited<ReturnType<typeof ownTable>>;
  let strict: Awaited<ReturnType<typeof tenantWithShopper>>;
  let lax: Awaited<ReturnType<typeof tenantWithShopper>>;
  const partitionOf = (t: typeof strict) => storedItems({ partitions: [shopperPartition(t.p.tenantId, t.shopperId)] });

  beforeAll(async () => {
    table = await ownTable('sweep');
    process.env.TABLE_NAME = table.tableName;
    resetConfig();
    [strict, lax] = await Promise.all([tenantWithShopper('strict'), tenantWithShopper('lax')]);
  }, 120_000);
  afterAll(async () => {
    process.env.TABLE_NAME = sharedTable;
    resetConfig();
    await table?.drop();
  });

  it('scans nothing while no tenant shortened its retention (one Query of the register)', async () => {
    const { result, commands } = await countDynamoRequests(() => sweepRetention(Date.now() + 400 * DAY_MS));
    expect(result).toEqual({ tenants: 0, scanned: 0, deleted: 0, failed: 0 });
    expect(commands).toEqual(['QueryCommand']);
    expect(kinds(await partitionOf(strict))).toEqual([
      'CAP',
      'CONV',
      'ELIG',
      'LOC',
      'OFFER',
      'PROFILE',
      'SEEN',
      'VEVT',
      'VISITS',
    ]);
  });

  it("deletes what a shortened retention hides, keeps what it still keeps, and never touches another tenant's items", async () => {
    await updateSettings(strict.p, { retention: { offersDays: 1, visitsDays: 1, locationDays: 2, profileDays: 30 } });
    // A longer setting is not a shorter one: this tenant is not swept.
    await updateSettings(lax.p, { retention: { offersDays: 90 } });
    const laxBefore = await partitionOf(lax);

    const inTwoDays = await sweepRetention(Date.now() + 2 * DAY_MS + 60_000);
    expect(inTwoDays.tenants).toBe(1);
    // The offer and its pointer, the eligibility record, the visit state, the event and the location.
    expect(inTwoDays.deleted).toBe(6);
    // Kept: the profile, the conversion and its distinct-converter marker (profileDays 30), the cap (its own window).
    expect(kinds(await partitionOf(strict))).toEqual(['CAP', 'CONV', 'PROFILE', 'SEEN']);
    expect(await storedItems({ keys: [offerPointerKey(strict.p.tenantId, strict.offerId)] })).toEqual([]);
    expect(await partitionOf(lax)).toEqual(laxBefore);
    expect(await storedItems({ keys: [offerPointerKey(lax.p.tenantId, lax.offerId)] })).toHaveLength(1);

    // Past 30 days the profile, the conversion and the marker go too (the cap is left to its TTL).
    const inAMonth = await sweepRetention(Date.now() + 31 * DAY_MS);
    expect(inAMonth.deleted).toBe(3);
    expect(kinds(await partitionOf(strict))).toEqual(['CAP']);
    expect(await partitionOf(lax)).toEqual(laxBefore);
    // Nothing more to do: a second run deletes nothing.
    expect((await sweepRetention(Date.now() + 31 * DAY_MS)).deleted).toBe(0);
  });

  it('keeps an item written again between the scan and its delete (the delete is conditioned on the TTL it read)', async () => {
    // The shopper comes back: a new profile. A month and a day later the sweep finds it past profileDays; just before
    // its delete, the profile is written again (its TTL moves a day on), as a PUT /v1/shoppers would.
    await putShopper(strict.p, strict.shopperId, { consent: { ...CONSENT } } as never);
    const profileKey = { pk: shopperPartition(strict.p.tenantId, strict.shopperId), sk: 'PROFILE' };
    const client = getDdb();
    const name = 'rewrite-before-delete';
    let rewrote = 0;
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const input = (args as { input: { Key?: Record<string, unknown> } }).input;
        // The document client's DeleteCommand reaches the client as DeleteItem, its key marshalled.
        const sk = input.Key?.sk as { S?: string } | string | undefined;
        const isProfile = sk === 'PROFILE' || (typeof sk === 'object' && sk?.S === 'PROFILE');
        if (context.commandName === 'DeleteItemCommand' && isProfile && !rewrote++)
          await client.send(
            new UpdateCommand({
              TableName: table.tableName,
              Key: profileKey,
              UpdateExpression: 'SET #ttl = #ttl + :day',
              ExpressionAttributeNames: { '#ttl': 'ttl' },
              ExpressionAttributeValues: { ':day': 86_400 },
            }),
          );
        return next(args);
      },
      { step: 'initialize', name },
    );
    try {
      expect((await sweepRetention(Date.now() + 31 * DAY_MS)).deleted).toBe(0);
    } finally {
      client.middlewareStack.remove(name);
    }
    expect(rewrote).toBe(1);
    expect(kinds(await partitionOf(strict))).toContain('PROFILE');
    // Without the rewrite the same sweep deletes it.
    expect((await sweepRetention(Date.now() + 32 * DAY_MS)).deleted).toBe(1);
    expect(kinds(await partitionOf(strict))).not.toContain('PROFILE');
  });
});
