import * as z from 'zod';
import { describe, expect, it } from 'vitest';
import { formatPath, zodIssues } from '../../../shared/http/zod-issues.js';

describe('validation error paths', () => {
  it('formats paths like geometry.coordinates[0][3]', () => {
    expect(formatPath(['geometry', 'coordinates', 0, 3])).toBe('geometry.coordinates[0][3]');
    expect(formatPath([0, 'a'])).toBe('[0].a');
    expect(formatPath([], 'body')).toBe('body');
  });

  it('names unknown fields and missing ones', () => {
    const schema = z.object({ name: z.string(), n: z.number() }).strict();
    const r = schema.safeParse({ extra: 1, n: 'x' });
    expect(r.success).toBe(false);
    const issues = zodIssues(r.error!);
    expect(issues).toEqual(
      expect.arrayContaining([
        { path: 'name', message: 'Required.' },
        { path: 'n', message: expect.any(String) },
        { path: '(root)', message: 'Unknown field(s): extra' },
      ]),
    );
  });
});
