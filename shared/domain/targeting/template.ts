/** Placeholders an offer title or body may use. */
export const TEMPLATE_PLACEHOLDERS = ['firstName', 'storeName', 'partnerName', 'distanceM'] as const;
export type TemplatePlaceholder = (typeof TEMPLATE_PLACEHOLDERS)[number];

/** Values available when an offer is personalised; any may be missing. */
export interface TemplateVars {
  firstName?: string | null;
  storeName?: string | null;
  partnerName?: string | null;
  /** Distance from the shopper to the store or partner, in metres; rendered rounded. */
  distanceM?: number | null;
}

/** Longest rendered title and body; longer output is cut and ends with "…". */
export const RENDERED_TITLE_MAX = 200;
export const RENDERED_BODY_MAX = 2000;
/** Longest single substituted value (a first name, a store name). */
export const TEMPLATE_VALUE_MAX = 200;

const PLACEHOLDER = /\{\{([^{}]{0,100})\}\}/g;
const GAP = '\u0000';
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F]/g;
// eslint-disable-next-line no-control-regex
const VALUE_CONTROL = /[\u0000-\u001F\u007F]+/g;

function isPlaceholder(name: string): name is TemplatePlaceholder {
  return (TEMPLATE_PLACEHOLDERS as readonly string[]).includes(name);
}

function valueFor(name: string, vars: TemplateVars): string | undefined {
  if (!isPlaceholder(name)) return undefined;
  if (name === 'distanceM') {
    const d = vars.distanceM;
    return typeof d === 'number' && Number.isFinite(d) && d >= 0 ? String(Math.round(d)) : undefined;
  }
  const raw = vars[name];
  if (typeof raw !== 'string') return undefined;
  const clean = raw.replace(VALUE_CONTROL, ' ').replace(/\s+/g, ' ').trim();
  if (clean.length === 0) return undefined;
  return truncate(clean, TEMPLATE_VALUE_MAX);
}

function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  if (max <= 0) return '';
  return `${chars
    .slice(0, max - 1)
    .join('')
    .trimEnd()}…`;
}

/**
 * Personalises an offer title or body.
 *
 * Replaces `{{firstName}}`, `{{storeName}}`, `{{partnerName}}` and
 * `{{distanceM}}` (inner spaces tolerated: `{{ firstName }}`). A missing or
 * blank value, and any unknown placeholder, renders as nothing — never as
 * "undefined" or "null" — and the text around it is tidied: the spaces it
 * leaves collapse to one, no space is left before `, . ! ? ; :`, and a line
 * that started with the placeholder loses the punctuation that followed it
 * ("Hi {{firstName}}, 10% off" → "Hi, 10% off"; "{{firstName}}, welcome" →
 * "welcome"). Tidying only touches the spots where a value was left out, so
 * the marketer's own spacing elsewhere is kept. Substituted values are never
 * expanded again, lose control characters and are capped at
 * {@link TEMPLATE_VALUE_MAX} characters; the output is trimmed and capped at
 * `maxLength` characters (cut with a trailing "…").
 */
export function renderTemplate(tpl: string, vars: TemplateVars, maxLength: number = RENDERED_BODY_MAX): string {
  const source = String(tpl ?? '').replace(CONTROL, '');
  let out = source.replace(PLACEHOLDER, (_m, inner: string) => valueFor(inner.trim(), vars) ?? GAP);
  if (out.includes(GAP)) {
    out = out
      // Adjacent gaps act as one.
      .replace(/\u0000(?:[ \t]*\u0000)+/g, GAP)
      // A gap opening a line takes the punctuation that followed it.
      .replace(/(^|\n)([ \t]*)\u0000[ \t]*[,;:.!?]*[ \t]*/g, '$1$2')
      // A gap before punctuation or at the end of a line leaves no space.
      .replace(/[ \t]*\u0000[ \t]*(?=[,;:.!?]|\n|$)/g, '')
      // A gap between words leaves a single space.
      .replace(/([ \t]*)\u0000([ \t]*)/g, (_m, before: string, after: string) => (before || after ? ' ' : ''));
  }
  return truncate(out.trim(), Math.max(0, Math.floor(maxLength)));
}

/** Renders an offer's title and body with the standard length caps. */
export function renderOfferText(offer: { title: string; body: string }, vars: TemplateVars): { title: string; body: string } {
  return {
    title: renderTemplate(offer.title, vars, RENDERED_TITLE_MAX),
    body: renderTemplate(offer.body, vars, RENDERED_BODY_MAX),
  };
}

/**
 * Problems a marketer should fix in a title or body before it is saved:
 * unknown placeholders (`{{firstname}}`, which would silently render as
 * nothing) and unbalanced `{{`/`}}`. Empty when the template is fine.
 */
export function templateIssues(tpl: string): string[] {
  const issues: string[] = [];
  for (const match of tpl.matchAll(PLACEHOLDER)) {
    const name = (match[1] ?? '').trim();
    if (!isPlaceholder(name)) {
      issues.push(`unknown placeholder {{${name}}}; use one of ${TEMPLATE_PLACEHOLDERS.map((p) => `{{${p}}}`).join(', ')}`);
    }
  }
  const rest = tpl.replace(PLACEHOLDER, '');
  if (rest.includes('{{') || rest.includes('}}')) {
    issues.push('unbalanced "{{" or "}}"; placeholders look like {{firstName}}');
  }
  return issues;
}
