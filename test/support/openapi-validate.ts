import * as z from 'zod';

/**
 * Checks HTTP responses (and webhook deliveries) against an OpenAPI 3.1
 * document: the status is documented for the operation, the media type is
 * the documented one, the body matches the documented JSON Schema and every
 * required header is present and matches its schema. The JSON Schemas are
 * read from the document itself (through zod's JSON Schema reader), never
 * from the route table's zod schemas.
 */

type Json = Record<string, any>;

export interface Observed {
  status: number;
  headers: Headers | Record<string, string | string[] | undefined>;
  /** The raw body text ('' when there is none). */
  text: string;
}

const REF_PREFIX = '#/components/';

export class OpenApiChecker {
  private readonly defs: Json;
  private readonly cache = new Map<string, z.ZodType>();

  constructor(readonly doc: Json) {
    // Component schemas refer to each other as #/components/schemas/X; the reader resolves #/$defs/X.
    this.defs = JSON.parse(JSON.stringify(doc.components?.schemas ?? {}).replaceAll('"#/components/schemas/', '"#/$defs/'));
  }

  /** Follow a `$ref` into the document's components (one level, as OpenAPI objects use them). */
  resolve<T = Json>(obj: Json): T {
    if (typeof obj?.$ref !== 'string') return obj as T;
    if (!obj.$ref.startsWith(REF_PREFIX)) throw new Error(`unsupported $ref ${obj.$ref}`);
    const [kind, name] = obj.$ref.slice(REF_PREFIX.length).split('/');
    const target = this.doc.components?.[kind]?.[name];
    if (!target) throw new Error(`dangling $ref ${obj.$ref}`);
    return target as T;
  }

  /** Problems of one value against one JSON Schema of the document; [] when it matches. */
  schemaProblems(schema: Json, value: unknown): string[] {
    const key = JSON.stringify(schema);
    let zodSchema = this.cache.get(key);
    if (!zodSchema) {
      const local = JSON.parse(key.replaceAll('"#/components/schemas/', '"#/$defs/'));
      zodSchema = z.fromJSONSchema({ ...local, $defs: this.defs } as never);
      this.cache.set(key, zodSchema);
    }
    const result = zodSchema.safeParse(value);
    return result.success ? [] : result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
  }

  /** Problems of a response of the operation `method pathTemplate`; [] when it is as documented. */
  responseProblems(method: string, pathTemplate: string, res: Observed): string[] {
    const op = this.doc.paths?.[pathTemplate]?.[method.toLowerCase()];
    if (!op) return [`${method} ${pathTemplate} is not in the document`];
    const documented = op.responses?.[String(res.status)];
    if (!documented)
      return [`${op.operationId}: status ${res.status} is not documented (${Object.keys(op.responses ?? {}).join(', ')})`];
    return this.messageProblems(op.operationId, this.resolve(documented), res);
  }

  /**
   * Fields of a response body that its schema does not declare. Response
   * objects are open to added fields, so validation alone cannot see them;
   * objects meant to carry any field say so (`additionalProperties: {}`).
   */
  undeclaredFields(method: string, pathTemplate: string, res: Observed): string[] {
    const documented = this.doc.paths?.[pathTemplate]?.[method.toLowerCase()]?.responses?.[String(res.status)];
    const schema = documented && this.resolve(documented).content?.['application/json']?.schema;
    if (!schema) return [];
    return this.undeclared(schema, JSON.parse(res.text), '').map(
      (p) => `${method} ${pathTemplate} ${res.status}: ${p} is not declared`,
    );
  }

  private undeclared(schema: Json, value: unknown, at: string): string[] {
    const s = this.resolveSchema(schema);
    const branches = (s.anyOf ?? s.oneOf) as Json[] | undefined;
    if (branches) {
      const fits = branches.filter((b) => this.schemaProblems(b, value).length === 0);
      const found = fits.map((b) => this.undeclared(b, value, at));
      return found.find((f) => f.length === 0) ?? found[0] ?? [];
    }
    if (Array.isArray(value)) return s.items ? value.flatMap((v, i) => this.undeclared(s.items, v, `${at}[${i}]`)) : [];
    if (!value || typeof value !== 'object' || !s.properties) return [];
    const out: string[] = [];
    for (const [k, v] of Object.entries(value)) {
      const path = at ? `${at}.${k}` : k;
      if (k in s.properties) out.push(...this.undeclared(s.properties[k], v, path));
      else if (!('additionalProperties' in s)) out.push(path);
    }
    return out;
  }

  private resolveSchema(schema: Json): Json {
    const prefix = '#/components/schemas/';
    return typeof schema.$ref === 'string' && schema.$ref.startsWith(prefix)
      ? this.resolveSchema(this.doc.components.schemas[schema.$ref.slice(prefix.length)])
      : schema;
  }

  /** Problems of a webhook delivery (a request the API sends) against `webhooks[name].post`. */
  webhookProblems(name: string, req: { headers: Observed['headers']; text: string }): string[] {
    const op = this.doc.webhooks?.[name]?.post;
    if (!op) return [`webhook ${name} is not in the document`];
    const problems: string[] = [];
    for (const p of (op.parameters ?? []).map((x: Json) => this.resolve(x)))
      if (p.in === 'header') problems.push(...this.headerProblems(`${name} ${p.name}`, p, headerOf(req.headers, p.name)));
    const body = this.resolve(op.requestBody ?? {});
    return [...problems, ...this.messageProblems(name, body, { status: 0, ...req })];
  }

  private messageProblems(where: string, message: Json, res: Observed): string[] {
    const problems: string[] = [];
    for (const [name, h] of Object.entries(message.headers ?? {}))
      problems.push(...this.headerProblems(`${where} ${name}`, this.resolve(h as Json), headerOf(res.headers, name)));
    const content = message.content as Record<string, { schema?: Json }> | undefined;
    if (!content) {
      if (res.text !== '') problems.push(`${where}: a body was sent where none is documented`);
      return problems;
    }
    const type = (headerOf(res.headers, 'content-type') ?? '').split(';')[0].trim().toLowerCase();
    const media = content[type];
    if (!media) return [...problems, `${where}: content type "${type}" is not documented (${Object.keys(content).join(', ')})`];
    let body: unknown;
    try {
      body = JSON.parse(res.text);
    } catch {
      return [...problems, `${where}: the body is not JSON`];
    }
    if (media.schema) problems.push(...this.schemaProblems(media.schema, body).map((p) => `${where}: ${p}`));
    return problems;
  }

  private headerProblems(where: string, h: Json, value: string | undefined): string[] {
    if (value === undefined) return h.required ? [`${where}: required header missing`] : [];
    if (!h.schema) return [];
    const typed =
      h.schema.type === 'integer' || h.schema.type === 'number' ? (/^-?\d+(\.\d+)?$/.test(value) ? Number(value) : value) : value;
    return this.schemaProblems(h.schema, typed).map((p) => `${where}: ${p}`);
  }
}

function headerOf(headers: Observed['headers'], name: string): string | undefined {
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  const entry = Object.entries(headers).find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1];
  return Array.isArray(entry) ? entry.join(', ') : entry;
}
