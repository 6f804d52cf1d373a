import * as z from 'zod';
import { IsoDateSchema, IsoDateTimeSchema, isoInstant } from '../values/time.js';
import { ATTRIBUTE_PREFIX, ATTRIBUTE_REF_PATTERN, LIMITS, PROFILE_FIELD_NAMES, resolveAttribute } from './fields.js';

/** Value schemas of an audience (who a campaign targets), and the checks its schema cannot express. */

/** A semantic problem found in a value; `path` is relative to the checked object. */
export interface TargetingIssue {
  path: (string | number)[];
  message: string;
}

export const AUDIENCE_OPS = [
  'eq',
  'neq',
  'in',
  'nin',
  'gte',
  'lte',
  'between',
  'containsAny',
  'exists',
  'olderThanDays',
  'withinDays',
] as const;
export type AudienceOp = (typeof AUDIENCE_OPS)[number];

const ATTRIBUTE_MESSAGE = `must be a profile field (${PROFILE_FIELD_NAMES.join(', ')}) or "attributes.<name>"`;
const ATTRIBUTE_PATTERN = new RegExp(`^(?:${PROFILE_FIELD_NAMES.join('|')}|${ATTRIBUTE_REF_PATTERN.source.slice(1, -1)})$`);

const attributeRef = z
  .string()
  .max(ATTRIBUTE_PREFIX.length + 64)
  .regex(ATTRIBUTE_PATTERN, { error: ATTRIBUTE_MESSAGE })
  .describe(`Profile field (${PROFILE_FIELD_NAMES.join(', ')}) or "attributes.<name>" for a custom attribute.`);

const ruleString = z.string().max(LIMITS.ruleStringValueMax);
const ruleNumber = z.number().min(-LIMITS.ruleNumberAbsMax).max(LIMITS.ruleNumberAbsMax);
const ruleScalar = z.union([ruleString, ruleNumber, z.boolean()]);
const ruleBound = z
  .union([ruleNumber, IsoDateTimeSchema, IsoDateSchema])
  .describe('A number, or an ISO 8601 date-time or date (a date alone means 00:00 UTC); dates compare as instants.');
const ruleDays = z
  .number()
  .positive()
  .max(LIMITS.daysMax)
  .describe('Number of days (> 0) counted back from the time of the request.');

const rule = <Op extends readonly [AudienceOp, ...AudienceOp[]], V extends z.ZodType>(ops: Op, value: V, text: string) =>
  z
    .strictObject({
      attribute: attributeRef,
      op: z.enum(ops as unknown as [Op[number], ...Op[number][]]),
      value,
    })
    .describe(text);

export const AudienceRuleSchema = z
  .discriminatedUnion('op', [
    rule(
      ['eq', 'neq'] as const,
      ruleScalar.describe('Value to compare with; text compares case-insensitively.'),
      'eq / neq: equal or not equal. neq also matches shoppers without the attribute.',
    ),
    rule(
      ['in', 'nin'] as const,
      z.array(ruleScalar).min(1).max(LIMITS.ruleValuesMax).describe('1-100 values.'),
      'in / nin: one of, or none of, the values. nin also matches shoppers without the attribute.',
    ),
    rule(['gte', 'lte'] as const, ruleBound, 'gte / lte: at least or at most the value (numbers or dates).'),
    rule(
      ['between'] as const,
      z.tuple([ruleBound, ruleBound]).describe('[low, high], both inclusive.'),
      'between: within [low, high], both inclusive (numbers or dates).',
    ),
    rule(
      ['containsAny'] as const,
      z.array(z.string().min(1).max(LIMITS.ruleStringValueMax)).min(1).max(LIMITS.ruleValuesMax).describe('1-100 values.'),
      'containsAny: the list field (e.g. needs) shares at least one value, case-insensitively.',
    ),
    rule(
      ['exists'] as const,
      z.boolean().default(true).describe('true: the attribute is set and not empty; false: it is not.'),
      'exists: whether the shopper has the attribute.',
    ),
    rule(
      ['olderThanDays', 'withinDays'] as const,
      ruleDays,
      'olderThanDays / withinDays: a date field (e.g. lastPurchaseAt) lies more than, or within, N days before now.',
    ),
  ])
  .describe('One audience rule: {attribute, op, value}.');

const INCOMPATIBLE: Record<string, { ops: readonly AudienceOp[]; hint: string }> = {
  string: {
    ops: ['gte', 'lte', 'between', 'olderThanDays', 'withinDays'],
    hint: 'text fields support eq, neq, in, nin, containsAny and exists',
  },
  enum: {
    ops: ['gte', 'lte', 'between', 'olderThanDays', 'withinDays'],
    hint: 'this field supports eq, neq, in, nin, containsAny and exists',
  },
  stringArray: {
    ops: ['gte', 'lte', 'between', 'olderThanDays', 'withinDays'],
    hint: 'list fields support containsAny, eq, neq, in, nin and exists',
  },
  number: {
    ops: ['containsAny', 'olderThanDays', 'withinDays'],
    hint: 'number fields support eq, neq, in, nin, gte, lte, between and exists',
  },
  date: {
    ops: ['eq', 'neq', 'in', 'nin', 'containsAny'],
    hint: 'date fields support gte, lte, between, withinDays, olderThanDays and exists',
  },
};

function boundKind(v: unknown): 'number' | 'date' | undefined {
  if (typeof v === 'number') return 'number';
  return isoInstant(v) === undefined ? undefined : 'date';
}

function boundValue(v: unknown): number {
  return typeof v === 'number' ? v : (isoInstant(v) ?? Number.NaN);
}

/**
 * Semantic checks on an audience that its schema cannot express: the op must
 * suit the field (no `gte` on a job title, no `withinDays` on a number),
 * values must have the field's type (numbers for `companySize`, dates for
 * `lastPurchaseAt`, a known value for `relationship` and `priceSensitivity`,
 * so a typo such as "custmer" is refused instead of matching nobody), and
 * `between` bounds must be of one kind with low <= high. Custom
 * `attributes.<name>` fields have no declared type and are only checked for
 * `between` order. Paths are relative to the audience (`["rules", 0, "value"]`).
 */
export function audienceIssues(audience: { rules?: readonly unknown[] } | undefined | null): TargetingIssue[] {
  return collectAudienceIssues(audience, true);
}

function collectAudienceIssues(
  audience: { rules?: readonly unknown[] } | undefined | null,
  structural: boolean,
): TargetingIssue[] {
  const issues: TargetingIssue[] = [];
  const rules = audience?.rules;
  if (!Array.isArray(rules)) return issues;
  rules.forEach((raw, i) => {
    if (raw === null || typeof raw !== 'object') {
      if (structural) issues.push({ path: ['rules', i], message: 'must be an object {attribute, op, value}' });
      return;
    }
    const r = raw as { attribute?: unknown; op?: unknown; value?: unknown };
    const at = (...rest: (string | number)[]) => ['rules', i, ...rest];
    if (typeof r.attribute !== 'string' || !resolveAttribute(r.attribute)) {
      if (structural) issues.push({ path: at('attribute'), message: ATTRIBUTE_MESSAGE });
      return;
    }
    if (typeof r.op !== 'string' || !(AUDIENCE_OPS as readonly string[]).includes(r.op)) {
      if (structural) issues.push({ path: at('op'), message: `must be one of ${AUDIENCE_OPS.join(', ')}` });
      return;
    }
    const op = r.op as AudienceOp;
    const field = resolveAttribute(r.attribute)!;
    const bad = INCOMPATIBLE[field.kind];
    if (bad?.ops.includes(op)) {
      issues.push({ path: at('op'), message: `"${op}" does not apply to ${r.attribute}; ${bad.hint}` });
      return;
    }

    // Values each op compares with, paired with their path.
    const values: { v: unknown; path: (string | number)[] }[] = [];
    if (op === 'eq' || op === 'neq' || op === 'gte' || op === 'lte') values.push({ v: r.value, path: at('value') });
    if ((op === 'in' || op === 'nin' || op === 'containsAny' || op === 'between') && Array.isArray(r.value)) {
      r.value.forEach((v, j) => {
        values.push({ v, path: at('value', j) });
      });
    }

    for (const { v, path } of values) {
      switch (field.kind) {
        case 'enum': {
          const allowed = field.values ?? [];
          if (typeof v !== 'string' || !allowed.includes(v.trim().toLowerCase())) {
            issues.push({ path, message: `must be one of ${allowed.join(', ')}` });
          }
          break;
        }
        case 'string':
        case 'stringArray':
          if (typeof v !== 'string') issues.push({ path, message: `${r.attribute} is text; compare it with text` });
          break;
        case 'number':
          if (typeof v !== 'number') issues.push({ path, message: `${r.attribute} is a number; compare it with a number` });
          break;
        case 'date':
          if (boundKind(v) !== 'date') {
            issues.push({ path, message: `${r.attribute} is a date; compare it with an ISO 8601 date-time` });
          }
          break;
        default:
          break;
      }
    }

    if (op === 'between' && Array.isArray(r.value) && r.value.length === 2) {
      const [lo, hi] = r.value;
      const kl = boundKind(lo);
      const kh = boundKind(hi);
      if (kl && kh && kl !== kh) {
        issues.push({ path: at('value'), message: 'both bounds must be numbers or both dates' });
      } else if (kl && kh && boundValue(lo) > boundValue(hi)) {
        issues.push({ path: at('value'), message: 'the low bound must not exceed the high bound' });
      }
    }
  });
  return issues;
}

/** Who a campaign targets. Omitted or no rules: every consenting shopper in its geofences. */
export const AudienceSchema = z
  .strictObject({
    match: z.enum(['all', 'any']).default('all').describe('"all": a shopper must satisfy every rule; "any": at least one rule.'),
    rules: z.array(AudienceRuleSchema).max(LIMITS.rulesMax).describe('At most 50 rules; none means everyone.'),
  })
  .superRefine(
    (audience, ctx) => {
      // Runs even when some rules are malformed, so every problem is reported in one response;
      // rules the rule schema already refused are not checked again.
      const refused = new Set(ctx.issues.filter((i) => i.path?.[0] === 'rules').map((i) => i.path?.[1]));
      for (const issue of collectAudienceIssues(audience, false)) {
        if (!refused.has(issue.path[1])) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
      }
    },
    { when: (payload) => typeof payload.value === 'object' && payload.value !== null },
  )
  .describe('Audience: which shoppers a campaign targets, as rules on profile fields.');

export type AudienceRule = z.output<typeof AudienceRuleSchema>;
export type AudienceRuleInput = z.input<typeof AudienceRuleSchema>;
export type Audience = z.output<typeof AudienceSchema>;
export type AudienceInput = z.input<typeof AudienceSchema>;
