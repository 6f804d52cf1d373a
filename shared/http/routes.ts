import type { FunctionName, RouteDef } from './route.js';
import { coreRoutes } from './routes/core.js';
import { geoRoutes } from './routes/geo.js';
import { marketingRoutes } from './routes/marketing.js';

/**
 * THE route table. The local gateway, the CDK stack and the OpenAPI document
 * all read this one list; adding a route is one entry in an area file.
 */
export const routes = [...coreRoutes, ...geoRoutes, ...marketingRoutes] as const satisfies readonly RouteDef[];

export type AppRoute = (typeof routes)[number];
export type RoutesOf<F extends FunctionName> = Extract<AppRoute, { fn: F }>;

export const functionNames = (): FunctionName[] => [...new Set(routes.map((r) => r.fn))];
