import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';

/**
 * CloudWatch metrics in Embedded Metric Format (Powertools Metrics): one
 * JSON line on stdout per flush, on AWS and locally alike.
 */
export const metrics = new Metrics({ namespace: 'GeoOffers', serviceName: 'geo-offers' });

export type CountMetric = 'OffersRequested' | 'FencesMatched' | 'OffersMade' | 'HeldOut' | 'DeliverySucceeded' | 'DeliveryFailed';

/** Add to a count metric (flushed with the invocation's other metrics). */
export function count(name: CountMetric, value = 1): void {
  metrics.addMetric(name, MetricUnit.Count, value);
}

/** Record a request's latency. */
export function latency(name: 'RequestLatency' | 'DeliveryLatency', ms: number): void {
  metrics.addMetric(name, MetricUnit.Milliseconds, ms);
}

/** Write the stored metrics out (end of an invocation). */
export function flushMetrics(): void {
  metrics.publishStoredMetrics();
}
