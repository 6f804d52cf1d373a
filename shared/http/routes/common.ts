import * as z from 'zod';

/** Schemas shared by the routes of several resources. */

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .describe('RFC 9457 problem details (application/problem+json).');

/** The name of a tenant, key, store, partner, geofence or campaign: trimmed, 1-200 characters. */
export const NameSchema = z.string().trim().min(1).max(200);

/** A number in a query string: plain decimal text only (no "", no hex), then checked as a number. */
export const queryNumber = <T extends z.ZodType<number, number>>(inner: T) =>
  z
    .string()
    .regex(/^-?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/, 'Must be a decimal number.')
    .transform(Number)
    .pipe(inner);

export const ListQuerySchema = z
  .object({
    limit: queryNumber(z.number().int().min(1).max(100)).default(25).describe('Page size, 1-100 (default 25).'),
    cursor: z.string().max(2048).optional().describe('Opaque cursor from a previous page (nextCursor).'),
  })
  .strict();

export const listOf = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), nextCursor: z.string().nullable() });
