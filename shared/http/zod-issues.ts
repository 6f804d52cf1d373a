import type { z } from 'zod';
import type { FieldError } from './errors.js';

/** `['geometry','coordinates',0,3]` → `geometry.coordinates[0][3]`. */
export function formatPath(path: readonly PropertyKey[], root = ''): string {
  let out = root;
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out ? `.${String(seg)}` : String(seg);
  }
  return out || root || '(root)';
}

/** zod issues → `errors[]` of a 422, one per bad field, messages without echoing values. */
export function zodIssues(error: z.ZodError, root = ''): FieldError[] {
  return error.issues.slice(0, 50).map((i) => {
    const path = formatPath(i.path, root);
    if (i.code === 'unrecognized_keys') return { path, message: `Unknown field(s): ${i.keys.join(', ')}` };
    if (i.code === 'invalid_type' && /received undefined$/.test(i.message)) return { path, message: 'Required.' };
    return { path, message: i.message };
  });
}
