import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { KeyCreateSchema, KeySchema } from '../../../../shared/http/routes/keys.js';

/** Paths of the issues a schema reports for a value, dotted, sorted. */
function issuePaths(schema: z.ZodType, value: unknown): string[] {
  const result = schema.safeParse(value);
  expect(result.success).toBe(false);
  return result.success ? [] : result.error.issues.map((i) => i.path.join('.')).sort();
}

describe('key creation schema: deviceAttributes', () => {
  const app = { name: 'Shopper app', kind: 'publishable' };

  it('accepts up to 20 attribute names', () => {
    const twenty = Array.from({ length: 20 }, (_, i) => `attr_${i}`);
    expect(KeyCreateSchema.parse({ ...app, deviceAttributes: twenty }).deviceAttributes).toEqual(twenty);
    expect(KeyCreateSchema.parse(app)).not.toHaveProperty('deviceAttributes');
  });

  it('refuses more than 20, and names that are not attribute names, naming each', () => {
    const twentyOne = Array.from({ length: 21 }, (_, i) => `attr_${i}`);
    expect(issuePaths(KeyCreateSchema, { ...app, deviceAttributes: twentyOne })).toEqual(['deviceAttributes']);
    expect(
      issuePaths(KeyCreateSchema, { ...app, deviceAttributes: ['ok', 'attributes.appVersion', 'home city', '', '__proto__', 3] }),
    ).toEqual(['deviceAttributes.1', 'deviceAttributes.2', 'deviceAttributes.3', 'deviceAttributes.4', 'deviceAttributes.5']);
  });

  it('documents deviceAttributes on creation and in the key a list returns', () => {
    const create = z.toJSONSchema(KeyCreateSchema, { io: 'input' }) as { properties: Record<string, any> };
    expect(create.properties.deviceAttributes).toMatchObject({ type: 'array', maxItems: 20 });
    expect(create.properties.deviceAttributes.description).toMatch(/Publishable keys only/);
    const key = z.toJSONSchema(KeySchema, { io: 'output' }) as { required: string[] };
    expect(key.required).toContain('deviceAttributes');
  });
});
