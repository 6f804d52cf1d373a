import * as z from 'zod';
import type { RouteDef } from '../../shared/http/route.js';
import { routes as table } from '../../shared/http/routes.js';

const routes: readonly RouteDef[] = table;

type Node = Record<string, unknown>;

/** A field of a route's request: `{ route: 'createStore', part: 'body', path: 'timezone' }`. */
export interface RequestField {
  route: string;
  part: 'body' | 'query';
  path: string;
}

/** Calls `visit` on every JSON Schema node of `node`, with its dotted path (`[]` for array items, `{}` for record keys). */
function walk(node: unknown, path: string, visit: (node: Node, path: string) => void): void {
  if (!node || typeof node !== 'object') return;
  const n = node as Node;
  visit(n, path);
  const at = (key: string) => (path ? `${path}.${key}` : key);
  for (const [key, child] of Object.entries((n.properties as Record<string, unknown>) ?? {})) walk(child, at(key), visit);
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const)
    for (const child of (n[key] as unknown[]) ?? []) walk(child, path, visit);
  if (n.items) walk(n.items, `${path}[]`, visit);
  for (const child of (n.prefixItems as unknown[]) ?? []) walk(child, `${path}[]`, visit);
  if (n.propertyNames) walk(n.propertyNames, `${path}{}`, visit);
  if (n.additionalProperties && typeof n.additionalProperties === 'object') walk(n.additionalProperties, `${path}.*`, visit);
}

/**
 * Every field of every request schema of the route table whose JSON Schema
 * node satisfies `match`: how a test finds all the places a shared rule is
 * used, so a new field that writes the rule again cannot go unnoticed.
 */
export function requestFields(match: (node: Node, path: string) => boolean): RequestField[] {
  const found = new Map<string, RequestField>();
  for (const r of routes) {
    for (const part of ['body', 'query'] as const) {
      const schema = r[part];
      if (!schema) continue;
      walk(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }), '', (node, path) => {
        if (match(node, path)) found.set(`${r.id} ${part} ${path}`, { route: r.id, part, path });
      });
    }
  }
  return [...found.values()];
}

/** The request schema of a route's body or query. */
export function requestSchema(field: Pick<RequestField, 'route' | 'part'>): z.ZodType {
  const r = routes.find((x) => x.id === field.route);
  const schema = r?.[field.part];
  if (!schema) throw new Error(`no ${field.part} schema on route ${field.route}`);
  return schema;
}

const offer = { title: 'Hi {{firstName}}', body: 'x', validForMinutes: 60 };
const schedule = { timezone: 'UTC', hours: { from: '08:15', to: '20:45' } };
const circle = { type: 'Circle', coordinates: [2.16, 41.39], radiusM: 100 };

/** A valid request body for each route with one, into which a test sets the value under test. */
const VALID_BODIES: Record<string, unknown> = {
  createTenant: { name: 'T' },
  createKey: { name: 'k', kind: 'secret' },
  createShopperToken: { shopperId: 's1' },
  createStore: { name: 'S', location: { lat: 41.39, lng: 2.16 }, timezone: 'UTC' },
  updateStore: {},
  createPartner: { name: 'P', category: 'cafe', location: { lat: 41.39, lng: 2.16 } },
  updatePartner: {},
  createGeofence: { name: 'g', geometry: circle },
  replaceGeofence: { name: 'g', geometry: circle },
  updateGeofence: {},
  putShopper: { consent: { location: true, marketing: true } },
  createCampaign: { name: 'Spring', kind: 'location', geofenceIds: ['gf_1'], offer, schedule },
  updateCampaign: { schedule },
  requestOffers: { shopperId: 's1', location: { lat: 41.39, lng: 2.16 } },
  redeemOffer: {},
  recordConversion: { shopperId: 's1' },
  setWebhook: { url: 'https://example.com/hook' },
  listAudit: {},
};

/** A valid body of `route` with `value` set at the dotted `path` (objects created on the way). */
export function bodyWith(route: string, path: string, value: unknown): unknown {
  if (!(route in VALID_BODIES)) throw new Error(`no valid body for route ${route}`);
  const body = structuredClone(VALID_BODIES[route]) as Record<string, unknown>;
  const keys = path.split('.');
  let at = body;
  for (const key of keys.slice(0, -1)) {
    if (typeof at[key] !== 'object' || at[key] === null) at[key] = {};
    at = at[key] as Record<string, unknown>;
  }
  at[keys[keys.length - 1]] = value;
  return body;
}

/** `[path, message]` of each issue a schema reports for a value (none when it parses). */
export function issuesOf(schema: z.ZodType, value: unknown): [string, string][] {
  const result = schema.safeParse(value);
  return result.success ? [] : result.error.issues.map((i) => [i.path.join('.'), i.message]);
}
