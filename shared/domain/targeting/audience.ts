import { isoInstant } from '../values/time.js';
import type { Audience, AudienceInput, AudienceRuleInput } from './audience-schema.js';
import { ATTRIBUTE_PREFIX } from './fields.js';
import type { ProfileFields } from './profile-schema.js';

const DAY_MS = 86_400_000;

type Scalar = string | number | boolean;

/** Reads the value a rule refers to (`industry`, `attributes.homeCity`), own properties only. */
export function readAttribute(profile: ProfileFields | undefined | null, attribute: string): unknown {
  if (!profile) return undefined;
  if (attribute.startsWith(ATTRIBUTE_PREFIX)) {
    const attrs = profile.attributes;
    const key = attribute.slice(ATTRIBUTE_PREFIX.length);
    return attrs && Object.hasOwn(attrs, key) ? attrs[key] : undefined;
  }
  return Object.hasOwn(profile, attribute) ? (profile as Record<string, unknown>)[attribute] : undefined;
}

/** A value counts as present when it is set and not blank text or an empty list. */
export function isPresent(value: unknown): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value === 'string') return value.trim().length > 0;
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.some(isPresent);
  return true;
}

function normText(s: string): string {
  return s.normalize('NFC').trim().replace(/\s+/g, ' ').toLowerCase();
}

function sameValue(a: unknown, b: unknown): boolean {
  if (typeof a === 'string' && typeof b === 'string') return normText(a) === normText(b);
  if (typeof a === 'number' && typeof b === 'number') return a === b;
  if (typeof a === 'boolean' && typeof b === 'boolean') return a === b;
  return false;
}

/** The profile value as a list: list fields as they are, a single value as a one-item list. */
function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [value];
}

function anyMatches(actual: unknown, candidates: readonly unknown[]): boolean {
  if (!isPresent(actual)) return false;
  return asList(actual).some((x) => candidates.some((c) => sameValue(x, c)));
}

/** Orderable form of a value: numbers as they are, ISO 8601 dates as epoch milliseconds. */
function orderable(value: unknown): { kind: 'number' | 'date'; n: number } | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return { kind: 'number', n: value };
  const n = isoInstant(value);
  return n === undefined ? undefined : { kind: 'date', n };
}

function compare(actual: unknown, bound: unknown, test: (a: number, b: number) => boolean): boolean {
  const a = orderable(actual);
  const b = orderable(bound);
  return a !== undefined && b !== undefined && a.kind === b.kind && test(a.n, b.n);
}

function ageCutoff(value: unknown, now: Date): { t: number; cutoff: (days: number) => number } | undefined {
  const a = orderable(value);
  const nowMs = now.getTime();
  if (a?.kind !== 'date' || !Number.isFinite(nowMs)) return undefined;
  return { t: a.n, cutoff: (days) => nowMs - days * DAY_MS };
}

/**
 * Evaluates one audience rule against a profile at the instant `now`.
 *
 * - eq / in: text compares trimmed, case-insensitively and with runs of
 *   spaces collapsed; numbers and booleans exactly; a value of another type
 *   never matches (the number 5 is not the text "5"). On a list field such
 *   as `needs` they match when any item does.
 * - neq / nin are the exact negation of eq / in, so they also match a
 *   shopper who does not have the attribute: "industry nin [Tobacco]" keeps
 *   shoppers whose industry is unknown. Add `{op:"exists"}` to require it.
 * - gte / lte / between (inclusive) compare numbers with numbers and ISO
 *   8601 dates with dates, as instants.
 * - containsAny: the list field shares at least one value (as eq compares);
 *   a single-valued field counts as a one-item list.
 * - exists: `true` (the default) when set and not blank or empty; `false`
 *   when not.
 * - olderThanDays N: the date lies more than N days before `now`;
 *   withinDays N: it lies N days before `now` or later (a date slightly in
 *   the future, as clock skew produces, is recent). For a present date
 *   exactly one of the two holds.
 * - Every other op on a missing attribute is false, and an unknown op never
 *   matches.
 */
export function evaluateRule(rule: AudienceRuleInput, profile: ProfileFields, now: Date): boolean {
  const actual = readAttribute(profile, rule.attribute);
  switch (rule.op) {
    case 'eq':
      return anyMatches(actual, [rule.value]);
    case 'neq':
      return !anyMatches(actual, [rule.value]);
    case 'in':
      return Array.isArray(rule.value) && anyMatches(actual, rule.value);
    case 'nin':
      return !(Array.isArray(rule.value) && anyMatches(actual, rule.value));
    case 'containsAny':
      return Array.isArray(rule.value) && anyMatches(actual, rule.value);
    case 'gte':
      return compare(actual, rule.value, (a, b) => a >= b);
    case 'lte':
      return compare(actual, rule.value, (a, b) => a <= b);
    case 'between': {
      if (!Array.isArray(rule.value) || rule.value.length !== 2) return false;
      const [lo, hi] = rule.value as [Scalar, Scalar];
      return compare(actual, lo, (a, b) => a >= b) && compare(actual, hi, (a, b) => a <= b);
    }
    case 'exists':
      return (rule.value ?? true) === isPresent(actual);
    case 'olderThanDays': {
      const age = ageCutoff(actual, now);
      return age !== undefined && age.t < age.cutoff(rule.value);
    }
    case 'withinDays': {
      const age = ageCutoff(actual, now);
      return age !== undefined && age.t >= age.cutoff(rule.value);
    }
    default:
      return false;
  }
}

/**
 * Whether a shopper belongs to a campaign's audience at the instant `now`.
 * No audience, or one without rules, takes everyone. `match: "all"` (the
 * default) needs every rule to hold, `match: "any"` at least one. Rule
 * semantics, including the handling of missing attributes, are described on
 * {@link evaluateRule}. Consent is not part of the audience; see `hasConsent`.
 */
export function evaluateAudience(
  audience: Audience | AudienceInput | undefined | null,
  profile: ProfileFields,
  now: Date,
): boolean {
  const rules = audience?.rules;
  if (!rules || rules.length === 0) return true;
  const holds = (r: AudienceRuleInput) => evaluateRule(r, profile, now);
  return audience.match === 'any' ? rules.some(holds) : rules.every(holds);
}
