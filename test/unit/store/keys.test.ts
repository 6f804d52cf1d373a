import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { TENANT_ENTITY_KINDS } from '../../../shared/store/entities.js';
import { shopperPartition, tenantPartition } from '../../../shared/store/keys.js';

/**
 * Every DynamoDB key string is built in shared/store: nowhere else
 * concatenates a key prefix or a sort-key suffix, names a key attribute, or
 * reads the TTL. The prefixes are read from the store's own sources, so a
 * prefix added there is covered here without touching this test.
 */

const root = fileURLToPath(new URL('../../../', import.meta.url));
const storeDir = path.join(root, 'shared', 'store');
const SCANNED = ['shared', 'functions', 'infra'];
/** Storage attributes no code outside the store may name. */
const KEY_ATTRIBUTES = new Set(['pk', 'sk', 'gsi1pk', 'gsi1sk', 'ttl']);
/** Store modules that are plumbing of the entity modules, not an API. */
const PRIVATE_MODULES = ['keys.js', 'batch.js'];

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : tsFiles(p);
    return e.name.endsWith('.ts') ? [p] : [];
  });
}

const parse = (fileName: string, text: string) => ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true);

/** The text of every string, template and regular-expression literal of a file (module specifiers left out). */
function literals(source: ts.SourceFile): { text: string; node: ts.Node }[] {
  const out: { text: string; node: ts.Node }[] = [];
  const visit = (node: ts.Node) => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier) return;
    if (
      ts.isStringLiteral(node) ||
      ts.isNoSubstitutionTemplateLiteral(node) ||
      ts.isTemplateHead(node) ||
      ts.isTemplateMiddle(node) ||
      ts.isTemplateTail(node) ||
      ts.isRegularExpressionLiteral(node)
    )
      out.push({ text: node.text, node });
    node.forEachChild(visit);
  };
  visit(source);
  return out;
}

/** Key-prefix tokens in a literal: an upper-case word ending in `#` (`T#`, `OFFER#`, the `S#` of `#S#`). */
const tokensIn = (text: string) => [...text.matchAll(/(?<![A-Za-z0-9])([A-Z][A-Z0-9]*#)/g)].map((m) => m[1]);

/** Every key-prefix token the store's sources build keys with, plus the `<KIND>#` of the tenant entities. */
function storePrefixes(): string[] {
  const found = new Set<string>(TENANT_ENTITY_KINDS.map((k) => `${k}#`));
  for (const file of tsFiles(storeDir))
    for (const l of literals(parse(file, readFileSync(file, 'utf8')))) for (const t of tokensIn(l.text)) found.add(t);
  return [...found].sort();
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Where a file builds or reads a key outside the store: `line: what`. */
function keyBuilding(fileName: string, text: string, prefixes: string[]): string[] {
  const source = parse(fileName, text);
  const line = (n: ts.Node) => source.getLineAndCharacterOfPosition(n.getStart(source)).line + 1;
  const prefixRe = new RegExp(`(?<![A-Za-z0-9])(${prefixes.map(escapeRegExp).join('|')})`);
  const out: string[] = [];
  for (const l of literals(source)) {
    const m = prefixRe.exec(l.text);
    if (m) out.push(`${line(l.node)}: key prefix ${m[1]} in ${JSON.stringify(l.text)}`);
  }
  const nameOf = (n: ts.Node | undefined) =>
    n && (ts.isIdentifier(n) || ts.isStringLiteral(n) || ts.isPrivateIdentifier(n)) ? n.text : undefined;
  const visit = (node: ts.Node) => {
    let name: string | undefined;
    if (ts.isPropertyAssignment(node) || ts.isPropertySignature(node) || ts.isPropertyDeclaration(node)) name = nameOf(node.name);
    else if (ts.isShorthandPropertyAssignment(node)) name = node.name.text;
    else if (ts.isPropertyAccessExpression(node)) name = node.name.text;
    else if (ts.isElementAccessExpression(node)) name = nameOf(node.argumentExpression);
    else if (ts.isBindingElement(node) && ts.isObjectBindingPattern(node.parent)) name = nameOf(node.propertyName ?? node.name);
    if (name && KEY_ATTRIBUTES.has(name)) out.push(`${line(node)}: key attribute ${name}`);
    if (
      (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      const spec = node.moduleSpecifier.text;
      if (PRIVATE_MODULES.some((m) => spec.endsWith(`/store/${m}`))) out.push(`${line(node)}: imports store plumbing ${spec}`);
    }
    node.forEachChild(visit);
  };
  visit(source);
  return out;
}

describe('shared partitions', () => {
  it("keeps a shopper's partition under their tenant", () => {
    expect(tenantPartition('ten_1')).toBe('T#ten_1');
    expect(shopperPartition('ten_1', 'shopper-1')).toBe('T#ten_1#S#shopper-1');
    expect(shopperPartition('ten_1', 'shopper-1').startsWith(`${tenantPartition('ten_1')}#`)).toBe(true);
  });
});

describe('keys outside the store', () => {
  const prefixes = storePrefixes();

  it('reads every key prefix the table uses from the store sources', () => {
    const expected = [
      'T#',
      'S#',
      'KEY#',
      'RL#',
      'OFFER#',
      'CAP#',
      'ELIG#',
      'CONV#',
      'SEEN#',
      'IDEMREF#',
      'IDEM#',
      'STATS#',
      'GF#',
      'C#',
      'CELL#',
    ];
    const more = [
      'LINKS#',
      'GFOWNER#',
      'I#',
      'O#',
      'D#',
      'G#',
      'RD#',
      'STORE#',
      'PARTNER#',
      'GEOFENCE#',
      'CAMPAIGN#',
      'APIKEY#',
      'WEBHOOK#',
    ];
    expect(prefixes).toEqual(expect.arrayContaining([...expected, ...more]));
  });

  it('flags a template literal that builds a tenant key', () => {
    expect(keyBuilding('sample.ts', 'const k = `T#${tenantId}`;', prefixes)).toEqual(['1: key prefix T# in "T#"']);
  });

  it('flags sort-key suffixes, prefix parsing and key attributes', () => {
    const sample = [
      'await markSeen(t, s, c, `D#${day}`);',
      "if (String(item.sk).startsWith('SEEN#')) skip();",
      'const Key = { pk: a, sk: b };',
      'const { gsi1pk } = row;',
      "const exp = item['ttl'];",
      'const p = `${a}#S#${b}`;',
      "import { batchWrite } from '../store/batch.js';",
    ].join('\n');
    expect(keyBuilding('sample.ts', sample, prefixes)).toEqual([
      '1: key prefix D# in "D#"',
      '2: key prefix SEEN# in "SEEN#"',
      '6: key prefix S# in "#S#"',
      '2: key attribute sk',
      '3: key attribute pk',
      '3: key attribute sk',
      '4: key attribute gsi1pk',
      '5: key attribute ttl',
      '7: imports store plumbing ../store/batch.js',
    ]);
  });

  it('leaves ordinary strings and names alone', () => {
    const sample = [
      'const label = `Hello ${name}#1`;',
      'const o = { pkg: 1, task: 2, skip: true };',
      "const kind = m[1] === 'sk' ? 'secret' : 'publishable';",
      'const re = /^geo_(op|sk|pk)_/;',
      "const color = '#FFAA00';",
      "const text = 'ABC#1 is not a key';",
      "import { getOffer } from '../store/offers.js';",
    ].join('\n');
    expect(keyBuilding('sample.ts', sample, prefixes)).toEqual([]);
  });

  it('finds no key built outside shared/store', () => {
    const files = SCANNED.flatMap((d) => tsFiles(path.join(root, d))).filter((f) => !f.startsWith(storeDir + path.sep));
    expect(files.length).toBeGreaterThan(40);
    const found = files.flatMap((f) =>
      keyBuilding(f, readFileSync(f, 'utf8'), prefixes).map((v) => `${path.relative(root, f)}:${v}`),
    );
    expect(found).toEqual([]);
  });
});
