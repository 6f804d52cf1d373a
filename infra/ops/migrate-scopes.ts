/**
 * `npm run migrate-scopes` — give API keys made by an older version the
 * scopes this version splits out (see scopesAfterV11 in shared/store/apikeys.ts):
 * a tenant's admin key gets conversions:write, tokens:write and
 * settings:write; a secret key that could record conversions (offers:redeem)
 * gets conversions:write. Run once after deploying this version over an older
 * one. Uses the standard AWS credential chain; TABLE_NAME is the stack's
 * TableName output. Safe to run again.
 */
import { migrateKeyScopes } from '../../shared/store/apikeys.js';

if (!process.env.TABLE_NAME) {
  process.stderr.write('Set TABLE_NAME to the deployed table (see the stack outputs).\n');
  process.exit(1);
}
const changed = await migrateKeyScopes();
process.stdout.write(`keys given their new scopes: ${changed}\n`);
