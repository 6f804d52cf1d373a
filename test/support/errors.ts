import { expect } from 'vitest';
import { DomainError } from '../../shared/platform/errors.js';

/** The domain error a call throws (fails the test when it throws nothing, or something else). */
export function thrown(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(DomainError);
    return err as DomainError;
  }
  throw new Error('expected a DomainError');
}
