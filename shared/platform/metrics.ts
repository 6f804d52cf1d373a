import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { SERVICE_NAME } from './config.js';

/**
 * CloudWatch metrics in Embedded Metric Format (Powertools Metrics): one
 * JSON line on stdout per flush, on AWS and locally alike. `LOG_LEVEL=silent`
 * (test runs) silences them too, unless POWERTOOLS_METRICS_DISABLED says
 * otherwise.
 */
export const metrics = new Metrics({ namespace: 'GeoOffers', serviceName: SERVICE_NAME });

const silent =
  process.env.POWERTOOLS_METRICS_DISABLED === undefined && (process.env.LOG_LEVEL ?? '').trim().toLowerCase() === 'silent';

export type CountMetric =
  | 'OffersRequested'
  | 'FencesMatched'
  | 'OffersMade'
  | 'HeldOut'
  | 'DeliverySucceeded'
  | 'DeliveryFailed'
  | 'OffersQueued'
  | 'ExposuresCounted';

/** Add to a count metric (flushed with the invocation's other metrics). */
export function count(name: CountMetric, value = 1): void {
  metrics.addMetric(name, MetricUnit.Count, value);
}

/** Record a request's latency. */
export function latency(name: 'RequestLatency' | 'DeliveryLatency', ms: number): void {
  metrics.addMetric(name, MetricUnit.Milliseconds, ms);
}

/** Write the stored metrics out (end of an invocation); nothing when none were stored. */
export function flushMetrics(): void {
  if (!metrics.hasStoredMetrics()) return;
  if (silent) metrics.clearMetrics();
  else metrics.publishStoredMetrics();
}
