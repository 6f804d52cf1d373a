import { describe, expect, it } from 'vitest';
import type { Confidence } from '../../../../shared/domain/targeting/index.js';
import {
  advanceVisits,
  firedBy,
  NO_VISITS,
  VISIT_STALE_MS,
  type Fix,
  type VisitState,
} from '../../../../shared/domain/visits/visits.js';

const T0 = Date.parse('2026-11-02T10:00:00Z');
const fence = (id: string, storeId: string | null = null) => ({ id, storeId, partnerId: null });

/** A fix at minute `m` matching the given fences (near: those, and `near` more). */
function fixAt(m: number, matches: [string, Confidence][] = [], over: Partial<Fix> = {}): Fix {
  return {
    at: new Date(T0 + m * 60_000),
    matches: matches.map(([id, confidence]) => ({ fence: fence(id), confidence })),
    near: new Set(matches.map(([id]) => id)),
    tooVague: false,
    dwellCampaigns: () => [],
    ...over,
  };
}

/** Apply fixes one after the other; the event types of each. */
function walk(fixes: Fix[], start: VisitState = NO_VISITS) {
  let state = start;
  return fixes.map((f) => {
    const step = advanceVisits(state, f);
    if (step.changed) state = { ...step.state, version: state.version + 1 };
    return step.events.map((e) => `${e.type.slice(9)}:${e.geofenceId}${e.dwellMinutes ? `@${e.dwellMinutes}` : ''}`);
  });
}

describe('advanceVisits', () => {
  it('enters at medium or high confidence only, once per visit', () => {
    expect(walk([fixAt(0, [['a', 'low']]), fixAt(1, [['a', 'medium']]), fixAt(2, [['a', 'high']])])).toEqual([
      [],
      ['entered:a'],
      [],
    ]);
  });

  it('exits only when the fix is not near the fence; near the edge (or low) it stays inside', () => {
    const near = fixAt(2, [], { near: new Set(['a']) });
    expect(walk([fixAt(0, [['a', 'high']]), fixAt(1, [['a', 'low']]), near, fixAt(3)])).toEqual([
      ['entered:a'],
      [],
      [],
      ['exited:a'],
    ]);
  });

  it('ends a visit unseen for 12 h without an exit, and reports it ended', () => {
    let state = NO_VISITS;
    const first = advanceVisits(state, fixAt(0, [['a', 'high']]));
    state = { ...first.state, version: 1 };
    const later = advanceVisits(state, fixAt(VISIT_STALE_MS / 60_000 + 1));
    expect(later.events).toEqual([]);
    expect(later.ended).toEqual([
      expect.objectContaining({ geofenceId: 'a', exited: false, dwellMinutes: 0, endedAt: first.state.fences.a.enteredAt }),
    ]);
    expect(later.state.fences).toEqual({});
  });

  it('fires each dwell campaign once per visit, at the first fix past its threshold', () => {
    const thresholds = {
      dwellCampaigns: () => [
        { id: 'cmp_5', dwellMinutes: 5 },
        { id: 'cmp_10', dwellMinutes: 10 },
      ],
    };
    const inside = (m: number) => fixAt(m, [['a', 'high']], thresholds);
    expect(walk([inside(0), inside(4), inside(5.5), inside(6), inside(12), inside(13)])).toEqual([
      ['entered:a'],
      [],
      ['dwelled:a@5'],
      [],
      ['dwelled:a@10'],
      [],
    ]);
  });

  it('ignores a fix older than the latest one applied, and one too vague to match', () => {
    expect(walk([fixAt(10, [['a', 'high']]), fixAt(5), fixAt(11, [], { tooVague: true }), fixAt(12)])).toEqual([
      ['entered:a'],
      [],
      [],
      ['exited:a'],
    ]);
  });

  it('writes every fix while a visit goes on (so a later, older fix is known to be older), and none outside', () => {
    const first = advanceVisits(NO_VISITS, fixAt(0, [['a', 'high']]));
    const state = { ...first.state, version: 1 };
    const again = advanceVisits(state, fixAt(1, [['a', 'high']]));
    expect([again.changed, again.events, again.state.latestAt]).toEqual([true, [], new Date(T0 + 60_000).toISOString()]);
    expect(advanceVisits(NO_VISITS, fixAt(1)).changed).toBe(false);
    // An older fix, far away, after the one at minute 1 was written: no exit.
    expect(advanceVisits({ ...again.state, version: 2 }, fixAt(0.5)).events).toEqual([]);
  });

  it('does not exit on a fix whose accuracy reaches past the index (canExit false)', () => {
    const first = advanceVisits(NO_VISITS, fixAt(0, [['a', 'high']]));
    const step = advanceVisits({ ...first.state, version: 1 }, fixAt(1, [], { canExit: false }));
    expect(step.events).toEqual([]);
    expect(Object.keys(step.state.fences)).toEqual(['a']);
  });

  it('fires a dwell campaign once per visit even when its threshold changes, and a new one with a reached threshold', () => {
    const first = advanceVisits(NO_VISITS, fixAt(0, [['a', 'high']]));
    let state = { ...first.state, version: 1 };
    const at6 = advanceVisits(state, fixAt(6, [['a', 'high']], { dwellCampaigns: () => [{ id: 'c1', dwellMinutes: 5 }] }));
    expect(at6.events.map((e) => [e.type, e.dwellMinutes, e.campaignIds])).toEqual([['geofence.dwelled', 5, ['c1']]]);
    state = { ...at6.state, version: 2 };
    // c1 now 3 minutes (already fired); c2 new at 5.
    const at7 = advanceVisits(
      state,
      fixAt(7, [['a', 'high']], {
        dwellCampaigns: () => [
          { id: 'c1', dwellMinutes: 3 },
          { id: 'c2', dwellMinutes: 5 },
        ],
      }),
    );
    expect(at7.events.map((e) => [e.type, e.dwellMinutes, e.campaignIds])).toEqual([['geofence.dwelled', 5, ['c2']]]);
  });

  it('carries over untouched the visits a store-restricted caller may not move', () => {
    const first = advanceVisits(NO_VISITS, {
      ...fixAt(0),
      matches: [
        { fence: fence('mine', 'st_1'), confidence: 'high' },
        { fence: fence('theirs', 'st_2'), confidence: 'high' },
      ],
      near: new Set(['mine', 'theirs']),
    });
    const state = { ...first.state, version: 1 };
    const step = advanceVisits(state, { ...fixAt(1), owns: (s) => s === 'st_1' });
    expect(step.events.map((e) => [e.type, e.geofenceId])).toEqual([['geofence.exited', 'mine']]);
    expect(Object.keys(step.state.fences)).toEqual(['theirs']);
  });
});

describe('firedBy', () => {
  it('matches enter, exit and the dwell campaigns an event names', () => {
    expect(firedBy({ type: 'geofence.entered' }, { id: 'c', trigger: 'enter' })).toBe(true);
    expect(firedBy({ type: 'geofence.entered' }, { id: 'c', trigger: 'inside' })).toBe(false);
    expect(firedBy({ type: 'geofence.exited' }, { id: 'c', trigger: 'exit' })).toBe(true);
    const dwelled = { type: 'geofence.dwelled' as const, dwellMinutes: 5, campaignIds: ['c'] };
    expect(firedBy(dwelled, { id: 'c', trigger: 'dwell', dwellMinutes: 5 })).toBe(true);
    expect(firedBy(dwelled, { id: 'd', trigger: 'dwell', dwellMinutes: 5 })).toBe(false);
  });
});
