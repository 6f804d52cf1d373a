import { describe, expect, it } from 'vitest';
import { AUDIT_ACTIONS, AUDIT_RESOURCES, auditRangeIssues, auditResourceOf } from '../../../../shared/domain/values/audit.js';

describe('audit actions', () => {
  it('name the resource they act on before the dot', () => {
    expect(auditResourceOf('shopper.erase')).toBe('shopper');
    expect(auditResourceOf('key.create')).toBe('key');
    expect(auditResourceOf('webhook.rotate')).toBe('webhook');
    expect(auditResourceOf('settings.update')).toBe('settings');
  });

  it('each act on a known resource', () => {
    for (const action of AUDIT_ACTIONS) expect(AUDIT_RESOURCES).toContain(auditResourceOf(action));
  });
});

describe('an audit time range', () => {
  it('may be open on either side', () => {
    expect(auditRangeIssues()).toEqual([]);
    expect(auditRangeIssues('2026-01-01T00:00:00Z')).toEqual([]);
    expect(auditRangeIssues(undefined, '2026-01-01T00:00:00Z')).toEqual([]);
  });

  it('accepts from equal to to, and compares instants, not text', () => {
    expect(auditRangeIssues('2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')).toEqual([]);
    // 01:00+02:00 is 23:00Z the day before: before 2025-12-31T23:30Z.
    expect(auditRangeIssues('2026-01-01T01:00:00+02:00', '2025-12-31T23:30:00Z')).toEqual([]);
  });

  it('names from when it is later than to', () => {
    expect(auditRangeIssues('2026-02-01T00:00:00Z', '2026-01-01T00:00:00Z').map((i) => i.path)).toEqual(['from']);
  });

  it('names each field that is not a date-time', () => {
    expect(auditRangeIssues('soon', 'later').map((i) => i.path)).toEqual(['from', 'to']);
  });
});
