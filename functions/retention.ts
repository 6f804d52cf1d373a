import type { Context } from 'aws-lambda';
import '../shared/http/pipeline/xray.js';
import { withLogContext } from '../shared/platform/log.js';
import { flushMetrics } from '../shared/platform/metrics.js';
import { sweepRetention } from '../shared/services/retention-sweep.js';

/**
 * The retention sweep, run daily by a schedule: deletes the items about shoppers that a tenant's shortened
 * retention no longer keeps (reads already treat them as absent). Returns its counts.
 */
export const handler = (_event: unknown, context?: Context) =>
  withLogContext(context, {}, async () => {
    try {
      return await sweepRetention();
    } finally {
      flushMetrics();
    }
  });
