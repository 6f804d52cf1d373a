import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getDdb } from '../../shared/platform/clients.js';
import { mintKey } from '../../shared/services/keys.js';
import { createTenant } from '../../shared/services/tenants.js';
import { putApiKey } from '../../shared/store/apikeys.js';
import { eraseShopper, getProfile, putProfile } from '../../shared/store/shoppers.js';
import { type DdbMeter, installMeter, sumCosts } from '../support/ddb-meter.js';

const consent = { consent: { location: true, marketing: true } };

describe('DynamoDB meter', () => {
  let m: DdbMeter;
  let tenantId: string;

  beforeAll(async () => {
    m = installMeter(getDdb());
    tenantId = (await createTenant('meter')).tenant.id;
    await putProfile(tenantId, 'shopper-a', { firstName: 'Ana', ...consent });
    await putProfile(tenantId, 'shopper-b', { firstName: 'Ben', ...consent });
  });
  afterAll(() => m.uninstall());

  it('counts two parallel GetItems as one round', async () => {
    const run = await m.request('parallel', () =>
      Promise.all([getProfile(tenantId, 'shopper-a'), getProfile(tenantId, 'shopper-b')]),
    );
    expect(run.calls).toBe(2);
    expect(run.rounds).toBe(1);
    expect(run.commands).toEqual(['GetItem', 'GetItem']);
    expect(run.result.map((p) => (p as { firstName: string }).firstName)).toEqual(['Ana', 'Ben']);
  });

  it('counts two sequential GetItems as two rounds', async () => {
    const run = await m.request('sequential', async () => {
      await getProfile(tenantId, 'shopper-a');
      await getProfile(tenantId, 'shopper-b');
    });
    expect(run.calls).toBe(2);
    expect(run.rounds).toBe(2);
  });

  it('counts a parallel pair followed by a single call as two rounds of three calls', async () => {
    const run = await m.request('mixed', async () => {
      await Promise.all([getProfile(tenantId, 'shopper-a'), getProfile(tenantId, 'shopper-b')]);
      await getProfile(tenantId, 'shopper-a');
    });
    expect([run.calls, run.rounds]).toEqual([3, 2]);
    expect(run.log.map((c) => c.round)).toEqual([1, 1, 2]);
  });

  it('does not count a round opened by a call the request did not await', async () => {
    let pending: Promise<unknown> | undefined;
    const run = await m.request('fire-and-forget', async () => {
      await getProfile(tenantId, 'shopper-a');
      pending = getProfile(tenantId, 'shopper-b'); // e.g. a background sync
    });
    await pending;
    expect([run.calls, run.rounds, run.unawaited]).toEqual([2, 1, 1]);
  });

  it('reads the consumed capacity DynamoDB reports, reads and writes apart', async () => {
    const read = await m.request('read', () => getProfile(tenantId, 'shopper-a'));
    // A strongly consistent read of an item under 4 KB is one read unit.
    expect(read.rcu).toBe(1);
    expect(read.wcu).toBe(0);
    const write = await m.request('write', () => putProfile(tenantId, 'shopper-c', { firstName: 'Cy', ...consent }));
    expect(write.wcu).toBe(1);
    expect(write.rcu).toBe(0);
    expect(write.txItems).toBe(0);
  });

  it('keeps transactional calls apart, with their item count', async () => {
    const run = await m.request('tenant', () => createTenant('meter-tx'));
    // The tenant record, the admin key's hash item and its listing: one TransactWriteItems of three items.
    expect(run.commands).toEqual(['TransactWriteItems']);
    expect([run.txCalls, run.txItems]).toEqual([1, 3]);
    // DynamoDB Local sizes a transaction as a whole (AWS: per item, twice): what it reports is kept as reported.
    expect(run.wcu).toBeGreaterThan(0);
    expect(run.txWcu).toBe(run.wcu);
  });

  it('counts a refused transaction with all its items', async () => {
    const { record } = mintKey(tenantId, { name: 'twice', kind: 'publishable' });
    await putApiKey(record);
    const run = await m.request('again', () => putApiKey(record).catch((err: Error) => err.name));
    expect(run.result).toBe('TransactionCanceledException');
    expect([run.failedConditional, run.failedConditionalItems]).toEqual([1, 2]);
  });

  it('attributes concurrent requests each to itself, and nested calls to both levels', async () => {
    const [one, two] = await Promise.all([
      m.request('one', () => getProfile(tenantId, 'shopper-a')),
      m.request('two', async () => {
        await getProfile(tenantId, 'shopper-a');
        await getProfile(tenantId, 'shopper-b');
        await getProfile(tenantId, 'shopper-c');
      }),
    ]);
    expect([one.calls, two.calls]).toEqual([1, 3]);
    expect([one.rounds, two.rounds]).toEqual([1, 3]);

    const outer = await m.request('outer', async () => {
      const inner = await m.request('inner', () => getProfile(tenantId, 'shopper-a'));
      await getProfile(tenantId, 'shopper-b');
      return inner;
    });
    expect(outer.result.calls).toBe(1);
    expect(outer.calls).toBe(2);
    expect(outer.rounds).toBe(2);
    expect(sumCosts('both', [one, two]).calls).toBe(4);
  });

  it('counts writes per item key over a window, whoever makes them', async () => {
    const w = m.window();
    await putProfile(tenantId, 'shopper-w1', consent); // outside any request
    await m.request('w', () => putProfile(tenantId, 'shopper-w1', consent));
    await putProfile(tenantId, 'shopper-w2', consent);
    await getProfile(tenantId, 'shopper-w2'); // a read is no write
    await eraseShopper(tenantId, 'shopper-w1'); // a BatchWriteItem delete of the profile
    const counts = w.stop();
    await putProfile(tenantId, 'shopper-w2', consent); // after the window: not counted

    expect(counts.total).toBe(4);
    const [first, second] = counts.top(2);
    expect(first.writes).toBe(3);
    expect(first.share).toBeCloseTo(0.75);
    expect(first.key).toContain('shopper-w1');
    expect(first.key).toContain(tenantId);
    expect(second.writes).toBe(1);
    expect(second.key).toContain('shopper-w2');
    expect(counts.byKey.size).toBe(2);
  });

  it('counts the items of a transaction per key', async () => {
    const w = m.window();
    const { tenant } = await createTenant('meter-window');
    const counts = w.stop();
    expect(counts.total).toBe(3);
    expect(counts.top(3).every((t) => t.writes === 1)).toBe(true);
    // The tenant record and the key's listing live under the tenant; the key's hash item does not.
    expect(counts.top(3).filter((t) => t.key.includes(tenant.id)).length).toBe(2);
  });

  it('counts calls outside any request as unattributed', async () => {
    const before = m.unattributed().calls;
    await getProfile(tenantId, 'shopper-a');
    expect(m.unattributed().calls).toBe(before + 1);
  });

  it('stops counting once uninstalled', async () => {
    const other = installMeter(getDdb());
    other.uninstall();
    const run = await other.request('after', () => getProfile(tenantId, 'shopper-a'));
    expect(run.calls).toBe(0);
    expect(run.result).toBeDefined();
  });
});
