import fc from 'fast-check';
import * as z from 'zod';

/**
 * Requests generated from the route table's own schemas: each route's body and
 * query schema (zod) becomes JSON Schema (`z.toJSONSchema`), and that becomes
 * a fast-check arbitrary that produces values close to valid (so that requests
 * get past the first check and reach deeper code) mixed with hostile ones:
 * wrong types, names from `Object.prototype`, huge and odd strings, extreme
 * numbers, deep nesting, missing and extra fields.
 */
type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema | false;
  prefixItems?: JsonSchema[];
  minItems?: number;
  maxItems?: number;
  enum?: unknown[];
  const?: unknown;
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  allOf?: JsonSchema[];
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
};

/** Property names that break code which treats JSON objects as plain maps. */
export const PROTO_NAMES = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'valueOf',
  'hasOwnProperty',
  'isPrototypeOf',
  '__defineGetter__',
  'toJSON',
] as const;

const HOSTILE_STRINGS = [
  '',
  ' ',
  '\u0000',
  '../../etc/passwd',
  '%00',
  '<script>alert(1)</script>',
  "' OR 1=1 --",
  '${jndi:ldap://x}',
  '{{firstName}}',
  '\uD800',
  '🙂'.repeat(50),
  'a'.repeat(5000),
  'NaN',
  '-0',
  '1e400',
  'null',
  'true',
  '2026-02-30T00:00:00Z',
  'http://169.254.169.254/latest/meta-data/',
  ...PROTO_NAMES,
];

const hostileString = fc.oneof(
  fc.constantFrom(...HOSTILE_STRINGS),
  fc.string({ maxLength: 300 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
);

const hostileNumber = fc.oneof(
  fc.constantFrom(0, -0, -1, 1e308, -1e308, 5e-324, Number.MAX_SAFE_INTEGER + 2, 2 ** 31, -(2 ** 63), 0.1 + 0.2),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
);

/** Any JSON value, nested a little (wrong types for any field). */
export const hostileValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    hostileString,
    hostileNumber,
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(fc.constantFrom(...PROTO_NAMES), fc.string({ maxLength: 12 })), tie('value'), { maxKeys: 4 }),
  ),
})).value;

/** A value 60 nested arrays deep (and objects), for parsers and validators with recursion. */
export const deepValue = fc.integer({ min: 20, max: 200 }).map((n) => {
  let v: unknown = 1;
  for (let i = 0; i < n; i++) v = i % 2 ? [v] : { a: v };
  return v;
});

function numberArb(s: JsonSchema, integer: boolean): fc.Arbitrary<number> {
  const min = s.minimum ?? (s.exclusiveMinimum !== undefined ? s.exclusiveMinimum : undefined);
  const max = s.maximum ?? (s.exclusiveMaximum !== undefined ? s.exclusiveMaximum : undefined);
  const lo = min ?? -1e6;
  const hi = max ?? 1e6;
  const inRange = integer
    ? fc.integer({ min: Math.ceil(Math.max(lo, -(2 ** 31))), max: Math.floor(Math.min(hi, 2 ** 31)) })
    : fc.double({ min: lo, max: hi, noNaN: true, noDefaultInfinity: true });
  // Edges and just outside them.
  const edges = [lo, hi, lo - 1, hi + 1, lo - 1e-9, hi + 1e-9].filter(Number.isFinite);
  return fc.oneof({ weight: 6, arbitrary: inRange }, { weight: 1, arbitrary: fc.constantFrom(...edges) });
}

function stringArb(s: JsonSchema): fc.Arbitrary<string> {
  const maxLength = Math.min(s.maxLength ?? 60, 400);
  const minLength = Math.min(s.minLength ?? 0, maxLength);
  if (s.pattern) {
    let re: RegExp | undefined;
    try {
      re = new RegExp(s.pattern);
    } catch {
      re = undefined;
    }
    if (re) return fc.stringMatching(re, { size: 'small' }).filter((x) => x.length >= minLength && x.length <= maxLength);
  }
  if (s.format === 'date-time')
    return fc.date({ min: new Date('2020-01-01'), max: new Date('2030-01-01'), noInvalidDate: true }).map((d) => d.toISOString());
  if (s.format === 'uri' || s.format === 'url') return fc.webUrl();
  if (s.format === 'email') return fc.emailAddress();
  return fc.string({ minLength, maxLength: Math.max(minLength, Math.min(maxLength, 40)) });
}

/** A fast-check arbitrary for a JSON Schema (the subset zod emits), close to valid. */
export function fromSchema(s: JsonSchema | boolean | undefined, depth = 0): fc.Arbitrary<unknown> {
  if (s === undefined || s === true || depth > 8) return hostileValue;
  if (s === false) return fc.constant(undefined);
  if (s.const !== undefined) return fc.constant(s.const);
  if (s.enum) return fc.constantFrom(...s.enum);
  const alts = s.oneOf ?? s.anyOf;
  if (alts?.length) return fc.oneof(...alts.map((a) => fromSchema({ ...a, ...(s.type ? { type: s.type } : {}) }, depth + 1)));
  if (s.allOf?.length) return fromSchema(Object.assign({}, ...s.allOf), depth + 1);
  const type = Array.isArray(s.type) ? s.type[0] : s.type;
  switch (type) {
    case 'object': {
      const props = Object.entries(s.properties ?? {});
      const required = new Set(s.required ?? []);
      const record: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [k, v] of props) record[k] = fromSchema(v, depth + 1);
      const base = fc.record(record, { requiredKeys: props.map(([k]) => k).filter((k) => required.has(k)) });
      if (s.additionalProperties && typeof s.additionalProperties === 'object') {
        const extra = fc.dictionary(fc.string({ minLength: 1, maxLength: 20 }), fromSchema(s.additionalProperties, depth + 1), {
          maxKeys: 4,
        });
        return fc.tuple(base, extra).map(([a, b]) => ({ ...b, ...a }));
      }
      return base;
    }
    case 'array': {
      if (s.prefixItems) return fc.tuple(...s.prefixItems.map((p) => fromSchema(p, depth + 1)));
      const maxLength = Math.min(s.maxItems ?? 5, 8);
      return fc.array(fromSchema(s.items === false ? undefined : s.items, depth + 1), {
        minLength: Math.min(s.minItems ?? 0, maxLength),
        maxLength,
      });
    }
    case 'string':
      return stringArb(s);
    case 'integer':
      return numberArb(s, true);
    case 'number':
      return numberArb(s, false);
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    default:
      return hostileValue;
  }
}

/** JSON Schema of a zod schema, as the OpenAPI document has it (input side). */
export function jsonSchemaOf(schema: z.ZodType | undefined): JsonSchema | undefined {
  if (!schema) return undefined;
  return z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
}

/**
 * Break a value the way an attacker would: replace one field with a hostile
 * value, drop one, add a prototype name, or leave it as it is.
 */
export function mutate(value: unknown): fc.Arbitrary<unknown> {
  if (!value || typeof value !== 'object' || Array.isArray(value))
    return fc.oneof({ weight: 3, arbitrary: fc.constant(value) }, { weight: 1, arbitrary: hostileValue });
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj);
  const options: fc.Arbitrary<unknown>[] = [
    fc.constant(obj),
    fc.tuple(fc.constantFrom(...PROTO_NAMES), hostileValue).map(([k, v]) => {
      const out: Record<string, unknown> = { ...obj };
      Object.defineProperty(out, k, { value: v, enumerable: true, configurable: true, writable: true });
      return out;
    }),
    hostileValue,
    deepValue,
  ];
  if (keys.length) {
    options.push(
      fc.tuple(fc.constantFrom(...keys), hostileValue).map(([k, v]) => ({ ...obj, [k]: v })),
      fc.constantFrom(...keys).map((k) => {
        const { [k]: _drop, ...rest } = obj;
        return rest;
      }),
      fc.constantFrom(...keys).chain((k) => mutate(obj[k]).map((v) => ({ ...obj, [k]: v }))),
    );
  }
  return fc.oneof(...options);
}

/** Path parameter values: real ids of the caller's tenant, well-formed unknown ones, and hostile strings. */
export function pathParam(realIds: string[]): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 4, arbitrary: realIds.length ? fc.constantFrom(...realIds) : fc.constant('x') },
    { weight: 2, arbitrary: fc.stringMatching(/^[A-Za-z0-9_]{1,40}$/) },
    { weight: 2, arbitrary: hostileString.filter((s) => s.length > 0) },
  );
}

/** A query string from the route's query schema, mutated, with prototype names now and then. */
export function queryArb(schema: JsonSchema | undefined): fc.Arbitrary<[string, string][]> {
  const base = schema ? fromSchema(schema) : fc.constant({});
  const fromBase = base
    .chain((v) => mutate(v))
    .map((v) =>
      v && typeof v === 'object' && !Array.isArray(v)
        ? Object.entries(v as Record<string, unknown>).map(([k, x]): [string, string] => [
            k,
            typeof x === 'string' ? x : (JSON.stringify(x) ?? ''),
          ])
        : [],
    );
  const extra = fc.array(
    fc.tuple(
      fc.oneof(fc.constantFrom(...PROTO_NAMES, 'limit', 'cursor', 'lat', 'lng'), fc.string({ maxLength: 10 })),
      hostileString,
    ),
    {
      maxLength: 3,
    },
  );
  return fc.tuple(fromBase, extra).map(([a, b]) => [...a, ...b]);
}

/** Extra request headers, prototype names included. */
export const headersArb: fc.Arbitrary<[string, string][]> = fc.array(
  fc.tuple(
    fc.oneof(
      fc.constantFrom(...PROTO_NAMES, 'idempotency-key', 'x-request-id', 'shopper-token', 'content-type', 'x-forwarded-for'),
      fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/),
    ),
    fc.oneof(
      hostileString.map((s) => s.replace(/[^\t\x20-\x7e]/g, '').slice(0, 200)),
      fc.stringMatching(/^[ -~]{0,60}$/),
    ),
  ),
  { maxLength: 3 },
);
