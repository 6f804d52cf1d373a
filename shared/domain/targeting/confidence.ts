import { CONFIDENCES, type Confidence } from './fields.js';

/** Rank of a location confidence: low 0 < medium 1 < high 2. */
export function confidenceRank(confidence: Confidence): number {
  return CONFIDENCES.indexOf(confidence);
}

/**
 * Whether a match of confidence `confidence` satisfies a campaign's
 * `minConfidence` (default "low", which every match satisfies).
 */
export function meetsMinConfidence(confidence: Confidence, min: Confidence = 'low'): boolean {
  const have = confidenceRank(confidence);
  return have >= 0 && have >= confidenceRank(min);
}
