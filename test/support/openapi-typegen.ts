import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import openapiTS, { COMMENT_HEADER, astToString } from 'openapi-typescript';
import { buildOpenApi } from '../../shared/http/openapi.js';

/** The committed client types; `npm run openapi:types` regenerates them, a test refuses drift. */
export const TYPES_FILE = fileURLToPath(new URL('./openapi-types.ts', import.meta.url));

/** TypeScript types (`paths`, `components`, `webhooks`) of the document, as openapi-typescript prints them. */
export async function generateTypes(): Promise<string> {
  // A field with a default is optional in a request body; response schemas already list such fields as required.
  const ast = await openapiTS(buildOpenApi() as never, { silent: true, defaultNonNullable: false });
  return `${COMMENT_HEADER}// Regenerate with \`npm run openapi:types\` (from shared/http/openapi.ts).\n\n${astToString(ast)}`;
}

export const committedTypes = () => readFile(TYPES_FILE, 'utf8');

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await writeFile(TYPES_FILE, await generateTypes());
  console.log(`wrote ${TYPES_FILE}`);
}
