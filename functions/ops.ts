import { buildOpenApi } from '../shared/http/openapi.js';
import { lambda } from '../shared/http/lambda.js';

let doc: ReturnType<typeof buildOpenApi> | undefined;

export const handler = lambda('ops', {
  health: async () => ({ body: { status: 'ok' } }),
  openapi: async () => {
    doc ??= buildOpenApi();
    return { body: doc };
  },
});
