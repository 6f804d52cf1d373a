/**
 * Geofence geometry: validation, exact containment and distance, match
 * confidence, and the H3 cell index used by the offer hot path. Pure
 * functions: no I/O, no environment, no SDK.
 */
export {
  GEO_LIMITS,
  GeometryError,
  GeometryTooLargeError,
  InvalidGeometryError,
  type CircleGeometry,
  type FenceGeometry,
  type GeoIssue,
  type GeoLimits,
  type MatchConfidence,
  type MultiPolygonGeometry,
  type PolygonGeometry,
  type Position,
} from './types.js';
export { validateGeometry } from './validate.js';
export {
  boundaryDistanceM,
  containsPoint,
  distanceToAnchorM,
  distanceToFenceM,
  fenceAnchor,
  isWithinM,
  matchConfidence,
} from './measure.js';
export { INDEX_RESOLUTIONS, indexCellsAt, indexCoversPoint, lookupCells, planIndex, type FenceIndex } from './h3index.js';
export { EARTH_RADIUS_M, destination, haversineM, normalizeLng } from './sphere.js';
export { ROW_UNCLIPPED_MAX_VERTICES, rowShape, rowVertexCount, type RowShape } from './clip.js';
