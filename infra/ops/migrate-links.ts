/**
 * `npm run migrate-links` — move campaign → geofence links written by an
 * older version (one partition per fence) to the partitions the offer path
 * reads today (see migrateLegacyLinks in shared/store/campaigns.ts). Run once
 * after deploying this version over an older one; until then the campaigns of
 * those links do not fire. Uses the standard AWS credential chain; TABLE_NAME
 * is the stack's TableName output. Safe to run again.
 */
import { migrateLegacyLinks } from '../../shared/store/campaigns.js';

if (!process.env.TABLE_NAME) {
  process.stderr.write('Set TABLE_NAME to the deployed table (see the stack outputs).\n');
  process.exit(1);
}
const moved = await migrateLegacyLinks();
process.stdout.write(`links moved: ${moved}\n`);
