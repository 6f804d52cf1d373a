import type { z } from 'zod';
import type { Scope } from '../auth/principal.js';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * The Lambda functions of the deployment. Each route names the function that
 * serves it; a function serves several routes of one resource.
 */
export type FunctionName =
  | 'ops'
  | 'tenants'
  | 'keys'
  | 'stores'
  | 'partners'
  | 'geofences'
  | 'shoppers'
  | 'campaigns'
  | 'offers'
  | 'webhook'
  | 'stats';

/** One route: declared once, read by the local gateway, the CDK stack and the OpenAPI document. */
export interface RouteDef {
  /** operationId, and the name of the implementation in the function module. */
  id: string;
  method: Method;
  /** API Gateway resource path, e.g. `/v1/geofences/{id}`. */
  path: string;
  fn: FunctionName;
  /** `none` = public; `operator` = operator key only; otherwise the scope required. */
  auth: 'none' | 'operator' | Scope;
  summary: string;
  description?: string;
  tags?: string[];
  body?: z.ZodType;
  query?: z.ZodType;
  /** Response body schema of the success status (documentation). */
  response?: z.ZodType;
  successStatus?: number;
  /** Error statuses particular to this route (beyond the common ones), for the OpenAPI document. */
  extraErrors?: readonly number[];
  /** Honours the Idempotency-Key header (Stripe semantics). */
  idempotent?: boolean;
}

export function route<const R extends RouteDef>(r: R): R {
  return r;
}
