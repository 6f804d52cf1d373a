import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluateRule } from '../../../../shared/domain/targeting/index.js';
import {
  HH_MM_PATTERN,
  HhMmSchema,
  IsoDateTimeSchema,
  isoInstant,
  isValidTimeZone,
  parseHhMm,
  TimeZoneSchema,
  timeZoneIssue,
} from '../../../../shared/domain/values/time.js';
import { bodyWith, issuesOf, requestFields, requestSchema } from '../../../support/request-fields.js';

describe('time zone', () => {
  it('accepts IANA names and links, refuses offsets, unknown and miscased names', () => {
    expect(
      ['Europe/Madrid', 'America/New_York', 'UTC', 'Etc/UTC', 'US/Eastern', 'America/Argentina/Buenos_Aires'].map(
        isValidTimeZone,
      ),
    ).toEqual([true, true, true, true, true, true]);
    expect(['+02:00', 'Mars/Base', '', 'Europe/Madrid ', 'europe/madrid', 'x'.repeat(65)].map(isValidTimeZone)).toEqual([
      false,
      false,
      false,
      false,
      false,
      false,
    ]);
    expect(timeZoneIssue('europe/madrid')).toBe('time zone names are case-sensitive; did you mean "Europe/Madrid"?');
    expect(timeZoneIssue('Mars/Base')).toBe('unknown time zone "Mars/Base"; use an IANA name such as "Europe/Madrid" or "UTC"');
  });

  it('reports one issue per bad zone, with the reason, however it is wrong', () => {
    for (const tz of ['', 'x'.repeat(65), '+02:00', 'Mars/Base', 'europe/madrid'])
      expect(issuesOf(TimeZoneSchema, tz)).toEqual([['', timeZoneIssue(tz)]]);
    expect(issuesOf(TimeZoneSchema, 'Europe/Madrid')).toEqual([]);
  });

  describe('in every request schema that takes one', () => {
    const fields = requestFields((_node, path) => /(^|\.)timezone$/.test(path));
    const zones = ['Europe/Madrid', 'US/Eastern', 'UTC', 'europe/madrid', '+02:00', 'Mars/Olympus', '', 'x'.repeat(65)];

    it("finds the stores' and the campaign schedules' time zones", () => {
      expect(fields.map((f) => `${f.route} ${f.path}`).sort()).toEqual([
        'createCampaign schedule.timezone',
        'createStore timezone',
        'updateCampaign schedule.timezone',
        'updateStore timezone',
      ]);
    });

    it.each(zones)('gives "%s" the same verdict and message everywhere', (tz) => {
      const issue = timeZoneIssue(tz);
      for (const f of fields) {
        expect(issuesOf(requestSchema(f), bodyWith(f.route, f.path, tz)), `${f.route} ${f.path}`).toEqual(
          issue ? [[f.path, issue]] : [],
        );
      }
    });
  });
});

describe('HH:MM time of day', () => {
  it('parses 00:00-23:59 into minutes after midnight', () => {
    expect(['00:00', '09:30', '23:59'].map(parseHhMm)).toEqual([0, 570, 1439]);
    expect(['24:00', '12:60', '9:00', '09:00 ', '0900', '', '+1:00', '١٢:٠٠'].map(parseHhMm)).toEqual(Array(8).fill(undefined));
  });

  it('accepts exactly the strings the parser reads', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 6 }), fc.stringMatching(/^\d{1,3}:\d{1,3}$/)), (s) => {
        expect(HhMmSchema.safeParse(s).success).toBe(parseHhMm(s) !== undefined);
      }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }), (h, m) => {
        expect(parseHhMm(`${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`)).toBe(h * 60 + m);
      }),
    );
  });

  describe('in every request schema that takes one', () => {
    const fields = requestFields((node) => node.pattern === HH_MM_PATTERN.source);

    it('finds the daily window of campaign schedules', () => {
      expect(fields.map((f) => `${f.route} ${f.path}`).sort()).toEqual([
        'createCampaign schedule.hours.from',
        'createCampaign schedule.hours.to',
        'updateCampaign schedule.hours.from',
        'updateCampaign schedule.hours.to',
      ]);
    });

    it.each(['00:00', '23:59', '24:00', '12:60', '9:00', ' 09:00'])(
      'gives "%s" the same verdict and message everywhere',
      (hhmm) => {
        const expected = HhMmSchema.safeParse(hhmm).success ? [] : ['must be a time "HH:MM" between 00:00 and 23:59'];
        for (const f of fields) {
          expect(issuesOf(requestSchema(f), bodyWith(f.route, f.path, hhmm)), `${f.route} ${f.path}`).toEqual(
            expected.map((m) => [f.path, m]),
          );
        }
      },
    );
  });
});

describe('ISO 8601 date-time', () => {
  const samples = [
    '2026-01-01T00:00:00Z',
    '2026-01-01T00:00:00.123+02:00',
    '2026-01-01T00:00:00',
    '2026-01-01',
    '2026-13-01T00:00:00Z',
    'tomorrow',
    '',
  ];

  it('requires a time zone designator', () => {
    expect(samples.map((s) => IsoDateTimeSchema.safeParse(s).success)).toEqual([true, true, false, false, false, false, false]);
  });

  describe('in every request schema that takes one', () => {
    const all = requestFields((node) => node.format === 'date-time');
    // Audience rule bounds also take dates alone; the date detection tests below cover them.
    const fields = all.filter((f) => !f.path.startsWith('audience.'));

    it('finds key expiry, schedule bounds, purchase times and request instants', () => {
      expect(fields.map((f) => `${f.route} ${f.path}`).sort()).toEqual([
        'createCampaign schedule.endsAt',
        'createCampaign schedule.startsAt',
        'createKey expiresAt',
        'listAudit from',
        'listAudit to',
        'putShopper lastPurchaseAt',
        'recordConversion at',
        'requestOffers at',
        'requestOffers profile.lastPurchaseAt',
        'updateCampaign schedule.endsAt',
        'updateCampaign schedule.startsAt',
      ]);
      expect(
        all
          .filter((f) => f.path.startsWith('audience.'))
          .map((f) => f.route)
          .sort(),
      ).toEqual(['createCampaign', 'createCampaign', 'updateCampaign', 'updateCampaign']);
    });

    it.each(samples)('gives "%s" the same verdict and message everywhere', (value) => {
      const expected = issuesOf(IsoDateTimeSchema, value).map(([, message]) => message);
      for (const f of fields) {
        expect(issuesOf(requestSchema(f), bodyWith(f.route, f.path, value)), `${f.route} ${f.path}`).toEqual(
          expected.map((m) => [f.path, m]),
        );
      }
    });
  });
});

describe('date detection', () => {
  it('reads ISO dates and date-times as instants, and nothing else', () => {
    expect(isoInstant('2026-01-01')).toBe(Date.UTC(2026, 0, 1));
    expect(isoInstant('2026-01-01T10:00:00+02:00')).toBe(Date.UTC(2026, 0, 1, 8));
    expect([1767225600000, '1767225600000', 'tomorrow', '2026-13-01', '26-01-01', '', null, undefined].map(isoInstant)).toEqual(
      Array(8).fill(undefined),
    );
  });

  describe('in the audience rules of every campaign request', () => {
    const create = requestSchema({ route: 'createCampaign', part: 'body' });
    const update = requestSchema({ route: 'updateCampaign', part: 'body' });
    const since = (value: unknown) => ({ rules: [{ attribute: 'lastPurchaseAt', op: 'gte', value }] });

    it.each(['2026-01-01', '2026-01-01T10:00:00+02:00', '2026-01-01T00:00:00Z'])(
      'accepts "%s" as a date bound, and evaluation compares the same instant',
      (bound) => {
        expect(issuesOf(create, bodyWith('createCampaign', 'audience', since(bound)))).toEqual([]);
        expect(issuesOf(update, bodyWith('updateCampaign', 'audience', since(bound)))).toEqual([]);
        const at = isoInstant(bound)!;
        const rule = { attribute: 'lastPurchaseAt', op: 'gte', value: bound } as const;
        const now = new Date('2027-01-01T00:00:00Z');
        expect(evaluateRule(rule, { lastPurchaseAt: new Date(at).toISOString() }, now)).toBe(true);
        expect(evaluateRule(rule, { lastPurchaseAt: new Date(at - 1).toISOString() }, now)).toBe(false);
      },
    );

    it.each([5, 'tomorrow', '2026-13-01', '2026-01-01T00:00:00'])(
      'refuses %j as a date bound in create and update alike',
      (bound) => {
        const created = issuesOf(create, bodyWith('createCampaign', 'audience', since(bound)));
        const updated = issuesOf(update, bodyWith('updateCampaign', 'audience', since(bound)));
        expect(created.map(([path]) => path)).toContain('audience.rules.0.value');
        expect(updated).toEqual(created);
      },
    );

    it('orders between bounds as instants in create and update alike', () => {
      const between = {
        rules: [
          { attribute: 'attributes.memberSince', op: 'between', value: ['2026-01-01T01:00:00+02:00', '2025-12-31T23:30:00Z'] },
        ],
      };
      const reversed = {
        rules: [{ attribute: 'attributes.memberSince', op: 'between', value: ['2026-01-02', '2026-01-01T23:59:59Z'] }],
      };
      expect(issuesOf(create, bodyWith('createCampaign', 'audience', between))).toEqual([]);
      expect(issuesOf(update, bodyWith('updateCampaign', 'audience', between))).toEqual([]);
      const message = 'the low bound must not exceed the high bound';
      expect(issuesOf(create, bodyWith('createCampaign', 'audience', reversed))).toEqual([['audience.rules.0.value', message]]);
      expect(issuesOf(update, bodyWith('updateCampaign', 'audience', reversed))).toEqual([['audience.rules.0.value', message]]);
    });
  });
});
