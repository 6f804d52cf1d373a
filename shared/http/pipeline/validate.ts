import type { z } from 'zod';
import { notFound, unprocessable } from '../../platform/errors.js';
import type { RouteDef } from '../route.js';
import { IdSchema } from '../../domain/values/id.js';
import { zodIssues } from '../zod-issues.js';

/**
 * Path ids have the shape of every id we issue; anything else cannot exist
 * (404), except where the caller names a new resource (PUT), which is a 422.
 */
export function validatePathIds(
  route: Pick<RouteDef, 'method'>,
  params: Record<string, string | undefined> | null | undefined,
): Record<string, string> {
  const valid = (params ?? {}) as Record<string, string>;
  for (const [name, value] of Object.entries(valid))
    if (!IdSchema.safeParse(value).success)
      throw route.method === 'PUT' ? unprocessable([{ path: name, message: 'Use 1-128 letters, digits, _ . : -' }]) : notFound();
  return valid;
}

/**
 * The body through the route's schema: 422 naming every bad field. No body at
 * all is an empty object for routes whose fields are all optional (e.g. redeem),
 * otherwise a 422 on `body`.
 */
export function validateBody(schema: z.ZodType, raw: unknown): unknown {
  const input = raw === undefined && schema.safeParse({}).success ? {} : raw;
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw unprocessable(zodIssues(parsed.error, input === undefined ? 'body' : ''));
  return parsed.data;
}

/** The query string through the route's schema (no query string is `{}`): 422 naming every bad parameter. */
export function validateQuery(schema: z.ZodType, query: Record<string, string | undefined> | null | undefined): unknown {
  const parsed = schema.safeParse(query ?? {});
  if (!parsed.success) throw unprocessable(zodIssues(parsed.error));
  return parsed.data;
}
