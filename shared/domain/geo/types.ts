/** A GeoJSON position, RFC 7946 order: `[lng, lat]` in degrees. */
export type Position = [number, number];

/** A circle: centre `[lng, lat]` and a radius in metres (great-circle distance). */
export interface CircleGeometry {
  type: 'Circle';
  coordinates: Position;
  radiusM: number;
}

/** A GeoJSON Polygon: ring 0 is the shell, further rings are holes. */
export interface PolygonGeometry {
  type: 'Polygon';
  coordinates: Position[][];
}

/** A GeoJSON MultiPolygon: the fence is the union of its polygons. */
export interface MultiPolygonGeometry {
  type: 'MultiPolygon';
  coordinates: Position[][][];
}

export type FenceGeometry = CircleGeometry | PolygonGeometry | MultiPolygonGeometry;

/** One problem with a geometry, `path` naming the bad part (`geometry.coordinates[0][3]`). */
export interface GeoIssue {
  path: string;
  message: string;
}

/** Location confidence of a match, weakest first. */
export type MatchConfidence = 'high' | 'medium' | 'low';

export interface GeoLimits {
  /** Smallest circle radius, metres. */
  readonly minRadiusM: 10;
  /** Largest circle radius, metres. */
  readonly maxRadiusM: 50000;
  /**
   * Most vertices over the whole geometry. A vertex is a position of a ring
   * other than the closing one (which repeats the first), so a closed ring of
   * 5 positions has 4 vertices.
   */
  readonly maxVertices: 2000;
  /** Most H3 cells (index items) one fence may write. */
  readonly maxIndexCells: number;
  /** Largest location accuracy that still matches, metres; worse locations match nothing. */
  readonly maxAccuracyM: 1000;
  /**
   * Fences must stay between these latitudes (degrees, both signs), the edge
   * of Web Mercator maps. Beyond it longitude lines converge so fast that a
   * 1 km accuracy circle can wrap around a pole.
   */
  readonly maxAbsLatitude: 85;
}

export const GEO_LIMITS: GeoLimits = Object.freeze({
  minRadiusM: 10,
  maxRadiusM: 50000,
  maxVertices: 2000,
  maxIndexCells: 128,
  maxAccuracyM: 1000,
  maxAbsLatitude: 85,
} as const);

/** Base class of the errors this module throws; `issues` is ready for a 422 `errors[]`. */
export class GeometryError extends Error {
  readonly issues: GeoIssue[];
  constructor(message: string, issues: GeoIssue[]) {
    super(message);
    this.name = 'GeometryError';
    this.issues = issues;
  }
}

/** The fence cannot be indexed within `GEO_LIMITS.maxIndexCells` cells at any ladder resolution (422). */
export class GeometryTooLargeError extends GeometryError {
  constructor(issues: GeoIssue[]) {
    super(issues[0]?.message ?? 'geometry is too large to index', issues);
    this.name = 'GeometryTooLargeError';
  }
}

/** A geometry handed to a function that needs a valid one was not valid (422). */
export class InvalidGeometryError extends GeometryError {
  constructor(issues: GeoIssue[]) {
    super(issues[0]?.message ?? 'geometry is not valid', issues);
    this.name = 'InvalidGeometryError';
  }
}
