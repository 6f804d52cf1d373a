import type { FunctionName, RouteDef } from './route.js';
import { auditRoutes } from './routes/audit.js';
import { campaignRoutes } from './routes/campaigns.js';
import { geofenceRoutes } from './routes/geofences.js';
import { keyRoutes } from './routes/keys.js';
import { offerRoutes } from './routes/offers.js';
import { opsRoutes } from './routes/ops.js';
import { partnerRoutes } from './routes/partners.js';
import { settingsRoutes } from './routes/settings.js';
import { shopperRoutes } from './routes/shoppers.js';
import { statsRoutes } from './routes/stats.js';
import { storeRoutes } from './routes/stores.js';
import { tenantRoutes } from './routes/tenants.js';
import { tokenRoutes } from './routes/tokens.js';
import { webhookRoutes } from './routes/webhook.js';

/**
 * THE route table. The local gateway, the CDK stack and the OpenAPI document
 * all read this one list; adding a route is one entry in its resource's file
 * (`routes/<resource>.ts`, which also holds that resource's request and
 * response schemas). The OpenAPI paths and the function list follow this
 * order.
 */
export const routes = [
  ...opsRoutes,
  ...tenantRoutes,
  ...keyRoutes,
  ...tokenRoutes,
  ...storeRoutes,
  ...partnerRoutes,
  ...geofenceRoutes,
  ...shopperRoutes,
  ...campaignRoutes,
  ...statsRoutes,
  ...offerRoutes,
  ...webhookRoutes,
  ...settingsRoutes,
  ...auditRoutes,
] as const satisfies readonly RouteDef[];

export type AppRoute = (typeof routes)[number];
export type RoutesOf<F extends FunctionName> = Extract<AppRoute, { fn: F }>;

export const functionNames = (): FunctionName[] => [...new Set(routes.map((r) => r.fn))];
