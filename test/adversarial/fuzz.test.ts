import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { routes } from '../../shared/http/routes.js';
import type { RouteDef } from '../../shared/http/route.js';
import { apiUrl } from '../support/api.js';
import { fromSchema, headersArb, jsonSchemaOf, mutate, pathParam, queryArb } from './arbitraries.js';
import { buildFixture, encodeUri, type Fixture, fillPath, idFor } from './fixture.js';

/**
 * Every route of the route table, fuzzed from its own schemas: bodies and
 * query strings generated from the route's zod schemas (close to valid, then
 * broken: wrong types, prototype names, huge and odd strings, deep nesting),
 * path parameters that are real ids of the tenant, unknown ones or hostile
 * strings, and hostile headers. Whatever comes in, the answer is never a 5xx,
 * and every 4xx is an RFC 9457 problem document whose status is the HTTP
 * status. `npm test` runs FUZZ_RUNS (default 2,000) cases; `npm run fuzz`
 * 20,000. The seed is printed; FUZZ_SEED=<seed> replays a run.
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 2000);
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
const CONCURRENCY = 8;

interface Case {
  route: RouteDef;
  path: string;
  query: [string, string][];
  headers: [string, string][];
  body?: unknown;
  rawBody?: string;
  as: 'admin' | 'publishable' | 'operator' | 'none';
}

function caseArb(f: Fixture): fc.Arbitrary<Case> {
  const all = routes as readonly RouteDef[];
  return fc.constantFrom(...all).chain((route) => {
    const params = [...route.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
    const paramArb = fc.tuple(
      ...params.map((p) => {
        let real: string[] = [];
        try {
          real = [idFor(route.path, p, f)];
        } catch {
          real = [];
        }
        return pathParam(real);
      }),
    );
    const bodySchema = jsonSchemaOf(route.body);
    const bodyArb: fc.Arbitrary<{ body?: unknown; rawBody?: string }> = route.body
      ? fc.oneof(
          {
            weight: 8,
            arbitrary: fromSchema(bodySchema)
              .chain((v) => mutate(v))
              .map((body) => ({ body })),
          },
          {
            weight: 1,
            arbitrary: fc
              .constantFrom('{', '[]', 'null', '"x"', '{"a":1,"a":2}', '\u0000', '{"__proto__":{"x":1}}')
              .map((rawBody) => ({ rawBody })),
          },
        )
      : fc.oneof({ weight: 6, arbitrary: fc.constant({}) }, { weight: 1, arbitrary: fc.constant({ rawBody: '{"x":1}' }) });
    const asArb =
      route.auth === 'operator'
        ? fc.constantFrom<Case['as']>('operator', 'admin', 'none')
        : route.auth === 'offers:write' || route.auth === 'offers:redeem'
          ? fc.constantFrom<Case['as']>('admin', 'publishable', 'publishable', 'none')
          : fc.constantFrom<Case['as']>('admin', 'admin', 'admin', 'publishable', 'none');
    return fc
      .record({
        route: fc.constant(route),
        path: paramArb.map((vals) => fillPath(route.path, (p) => vals[params.indexOf(p)])),
        query: queryArb(jsonSchemaOf((route as { query?: never }).query)),
        headers: headersArb,
        b: bodyArb,
        as: asArb,
      })
      .map(({ b, ...rest }) => ({ ...rest, ...b }));
  });
}

async function send(c: Case, f: Fixture) {
  const headers = new Headers();
  for (const [k, v] of c.headers) {
    try {
      headers.append(k, v);
    } catch {
      /* a name or value fetch itself refuses never reaches the server */
    }
  }
  if (c.as === 'admin') headers.set('authorization', `Bearer ${f.adminKey}`);
  if (c.as === 'operator') headers.set('authorization', `Bearer ${f.operatorKey}`);
  if (c.as === 'publishable') {
    headers.set('authorization', `Bearer ${f.pubKey}`);
    if (f.shopperToken) headers.set('shopper-token', f.shopperToken);
  }
  let body: string | undefined;
  if (c.rawBody !== undefined) body = c.rawBody;
  else if (c.body !== undefined) body = JSON.stringify(c.body);
  if (body !== undefined && !headers.has('content-type')) headers.set('content-type', 'application/json');
  const qs = c.query.length ? `?${c.query.map(([k, v]) => `${encodeUri(k)}=${encodeUri(v)}`).join('&')}` : '';
  const method = c.route.method;
  const res = await fetch(`${apiUrl()}${c.path}${qs}`, { method, headers, body: method === 'GET' ? undefined : body });
  const text = await res.text();
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', text };
}

/** What is wrong with an answer, if anything. */
function problemWith(r: { status: number; contentType: string; text: string }): string | undefined {
  if (r.status === 599) return `no answer (${r.text})`;
  if (r.status >= 500) return `answered ${r.status}`;
  if (r.status < 400) return undefined;
  if (!r.contentType.startsWith('application/problem+json')) return `a ${r.status} that is not problem+json (${r.contentType})`;
  let b: Record<string, unknown>;
  try {
    b = JSON.parse(r.text);
  } catch {
    return `a ${r.status} whose body is not JSON`;
  }
  if (b.status !== r.status) return `a ${r.status} whose problem says status ${String(b.status)}`;
  for (const field of ['type', 'title', 'detail'])
    if (typeof b[field] !== 'string') return `a ${r.status} problem without ${field}`;
  return undefined;
}

describe('fuzzing every route from its own schemas', () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await buildFixture();
  }, 120_000);

  it(`${RUNS} generated requests: no 5xx, every 4xx a problem document`, { timeout: Math.max(300_000, RUNS * 100) }, async () => {
    const cases = fc.sample(caseArb(f), { numRuns: RUNS, seed: SEED });
    const failures: string[] = [];
    const byStatus = new Map<number, number>();
    const perRoute = new Map<string, number>();
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < cases.length) {
          const c = cases[next++];
          let r: Awaited<ReturnType<typeof send>>;
          try {
            r = await send(c, f).catch((err) => {
              // A kept-alive connection that the server closed as it idled, just as this request reused it (the
              // client's race, answered by nothing on the server's side): sent once more on a new connection.
              if ((err as { cause?: { code?: string } }).cause?.code === 'UND_ERR_SOCKET') return send(c, f);
              throw err;
            });
          } catch (err) {
            // The server closed the connection without an answer (or never took it): a failure like a 5xx.
            r = { status: 599, contentType: '', text: String((err as Error).cause ?? err) };
          }
          byStatus.set(r.status, (byStatus.get(r.status) ?? 0) + 1);
          perRoute.set(c.route.id, (perRoute.get(c.route.id) ?? 0) + 1);
          const wrong = problemWith(r);
          if (wrong && failures.length < 20)
            failures.push(
              `${wrong}: ${c.route.method} ${c.path} as ${c.as} query=${JSON.stringify(c.query).slice(0, 200)} headers=${JSON.stringify(c.headers).slice(0, 200)} body=${(c.rawBody ?? JSON.stringify(c.body) ?? '').slice(0, 300)} → ${r.text.slice(0, 200)}`,
            );
        }
      }),
    );
    if (failures.length) process.stderr.write(`fuzz seed ${SEED} (FUZZ_SEED=${SEED} replays it):\n${failures.join('\n')}\n`);
    expect(failures).toEqual([]);
    // Every route was exercised, and the requests reached past the first checks (not all refused alike).
    expect([...perRoute.keys()].sort()).toEqual([...new Set((routes as readonly RouteDef[]).map((r) => r.id))].sort());
    const statuses = [...byStatus.keys()];
    expect(statuses.some((s) => s >= 200 && s < 300)).toBe(true);
    expect(statuses).toEqual(expect.arrayContaining([401, 403, 404, 422]));
  });
});
