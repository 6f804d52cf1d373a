/**
 * `npm run operator-key` — create an operator key in a deployed table (AWS).
 * Uses the standard AWS credential chain; TABLE_NAME is the stack's TableName
 * output. Prints the key once; only its SHA-256 is stored.
 */
import { generateKey } from '../../shared/auth/apikey.js';
import { registerOperatorKey } from '../local/operator.js';

if (!process.env.TABLE_NAME) {
  process.stderr.write('Set TABLE_NAME to the deployed table (see the stack outputs).\n');
  process.exit(1);
}
const { key } = generateKey('operator');
await registerOperatorKey(key);
process.stdout.write(`operator key (shown once): ${key}\n`);
