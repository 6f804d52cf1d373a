import * as z from 'zod';

/**
 * Object keys with a special meaning in JavaScript. Refused as the names of
 * caller-named records (geofence metadata, shopper attributes), so a stored
 * record never shadows what every object inherits (regression: a
 * "constructor" key answered 500).
 */
export const RESERVED_KEYS: readonly string[] = ['__proto__', 'constructor', 'prototype'];

export const RESERVED_KEY_MESSAGE = 'this name is reserved (__proto__, constructor and prototype cannot be used)';

export function isReservedKey(key: string): boolean {
  return RESERVED_KEYS.includes(key);
}

/**
 * The key schema of a caller-named record: matches `pattern` (with
 * `patternMessage`, or zod's own message) and is not a reserved key.
 */
export function recordKeySchema(pattern: RegExp, patternMessage?: string) {
  return z
    .string()
    .regex(pattern, patternMessage === undefined ? undefined : { error: patternMessage })
    .refine((key) => !isReservedKey(key), { error: RESERVED_KEY_MESSAGE });
}
