import * as z from 'zod';

/**
 * An identifier: every id the API issues (`gf_01J…`) and every id a caller
 * chooses (a shopper id) has this shape, so a path id of any other shape
 * cannot name anything.
 */
export const ID_MAX = 128;
export const ID_PATTERN = /^[A-Za-z0-9_.:-]+$/;

export const IdSchema = z.string().min(1).max(ID_MAX).regex(ID_PATTERN, 'Use letters, digits, _ . : -');
