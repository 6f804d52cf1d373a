import * as z from 'zod';
import { describe, expect, it } from 'vitest';
import { validateBody, validatePathIds, validateQuery } from '../../../../shared/http/pipeline/validate.js';
import { thrown } from '../../../support/errors.js';

describe('validatePathIds', () => {
  it('passes ids of the shape we issue', () => {
    expect(validatePathIds({ method: 'GET' }, { id: 'gf_01jabc', shopperId: 'shopper.1:a-b' })).toEqual({
      id: 'gf_01jabc',
      shopperId: 'shopper.1:a-b',
    });
    expect(validatePathIds({ method: 'GET' }, null)).toEqual({});
  });

  it('answers 404 for an id that cannot exist', () => {
    for (const id of ['has space', 'x'.repeat(129), 'a/b', '']) {
      const err = thrown(() => validatePathIds({ method: 'GET' }, { id }));
      expect(err.kind, id).toBe('not_found');
      expect(err.message).toBe('Resource not found.');
    }
    expect(thrown(() => validatePathIds({ method: 'DELETE' }, { id: 'bad id' })).kind).toBe('not_found');
  });

  it('answers 422 naming the parameter when a PUT names a new resource with a bad id', () => {
    const err = thrown(() => validatePathIds({ method: 'PUT' }, { shopperId: 'bad id' }));
    expect(err.kind).toBe('validation');
    expect(err.errors).toEqual([{ path: 'shopperId', message: 'Use 1-128 letters, digits, _ . : -' }]);
  });
});

describe('validateBody', () => {
  const Create = z.object({ name: z.string().min(1), size: z.number().optional() }).strict();
  const AllOptional = z.object({ note: z.string().optional() }).strict();

  it('returns the parsed body', () => {
    expect(validateBody(Create, { name: 'a', size: 2 })).toEqual({ name: 'a', size: 2 });
  });

  it('reads no body as {} when every field is optional', () => {
    expect(validateBody(AllOptional, undefined)).toEqual({});
  });

  it('answers 422 on `body` when a body is required and none was sent', () => {
    expect(thrown(() => validateBody(Create, undefined)).errors).toEqual([{ path: 'body', message: 'Required.' }]);
  });

  it('answers 422 naming every bad field', () => {
    const err = thrown(() => validateBody(Create, { size: 'big', extra: 1 }));
    expect(err.kind).toBe('validation');
    expect(err.errors!.map((e) => e.path).sort()).toEqual(['(root)', 'name', 'size']);
    expect(err.errors).toContainEqual({ path: 'name', message: 'Required.' });
    expect(err.errors).toContainEqual({ path: '(root)', message: 'Unknown field(s): extra' });
  });
});

describe('validateQuery', () => {
  const Query = z.object({ limit: z.coerce.number().int().max(100).optional() });

  it('reads no query string as {}', () => {
    expect(validateQuery(Query, null)).toEqual({});
  });

  it('returns the parsed parameters', () => {
    expect(validateQuery(Query, { limit: '20' })).toEqual({ limit: 20 });
  });

  it('answers 422 naming the bad parameter', () => {
    const err = thrown(() => validateQuery(Query, { limit: '500' }));
    expect(err.kind).toBe('validation');
    expect(err.errors!.map((e) => e.path)).toEqual(['limit']);
  });
});
