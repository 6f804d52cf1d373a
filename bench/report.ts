/** Statistics, markdown tables and the latency chart of the benchmark report. */

/** The p-th percentile (nearest rank) of a list; NaN when empty. */
export function pct(xs: readonly number[], p: number): number {
  if (!xs.length) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

export const mean = (xs: readonly number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : Number.NaN);
export const max = (xs: readonly number[]) => (xs.length ? Math.max(...xs) : Number.NaN);

/** A number for a table: fixed decimals, thousands separated; "–" for NaN. */
export function num(x: number, digits = 1): string {
  if (!Number.isFinite(x)) return '–';
  return x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export const int = (x: number) => num(x, 0);
export const usd = (x: number, digits = 4) => (Number.isFinite(x) ? `$${x.toFixed(digits)}` : '–');

/** A markdown table, columns padded to their width (as the repository's formatter lays tables out). */
export function table(head: string[], rows: (string | number)[][]): string {
  const cells = [head, ...rows].map((r) => r.map(String));
  const width = head.map((_, i) => Math.max(3, ...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => `| ${width.map((w, i) => (r[i] ?? '').padEnd(w)).join(' | ')} |`;
  return [line(cells[0]), `| ${width.map((w) => '-'.repeat(w)).join(' | ')} |`, ...cells.slice(1).map(line)].join('\n');
}

export interface Series {
  name: string;
  color: string;
  dashed?: boolean;
  points: { n: number; ms: number }[];
}

/**
 * p50 latency against N, both axes logarithmic, as a self-contained SVG
 * (no scripts, no external fonts or files).
 */
export function latencySvg(series: Series[], title: string): string {
  const W = 720;
  const H = 440;
  const m = { l: 70, r: 215, t: 40, b: 56 };
  const pts = series.flatMap((s) => s.points).filter((p) => p.ms > 0 && p.n > 0);
  const decade = (x: number, f: (y: number) => number) => 10 ** f(Math.log10(x));
  // The benchmark's range (1,000 to 100,000) whatever was measured, so quick and full charts compare.
  const xMin = decade(Math.min(...pts.map((p) => p.n), 1000), Math.floor);
  const xMax = decade(Math.max(...pts.map((p) => p.n), 100000), Math.ceil);
  const yMin = decade(Math.max(0.1, Math.min(...pts.map((p) => p.ms))), Math.floor);
  const yMax = decade(Math.max(...pts.map((p) => p.ms), yMin * 10), Math.ceil);
  const x = (n: number) => m.l + ((Math.log10(n) - Math.log10(xMin)) / (Math.log10(xMax) - Math.log10(xMin))) * (W - m.l - m.r);
  const y = (ms: number) =>
    H - m.b - ((Math.log10(ms) - Math.log10(yMin)) / (Math.log10(yMax) - Math.log10(yMin))) * (H - m.t - m.b);
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" font-family="sans-serif" font-size="12">`,
  );
  out.push(`<title>${esc(title)}</title>`);
  out.push(`<rect width="${W}" height="${H}" fill="#fff"/>`);
  out.push(`<text x="${m.l}" y="22" font-size="14" font-weight="bold">${esc(title)}</text>`);
  for (let d = xMin; d <= xMax * 1.0001; d *= 10) {
    out.push(`<line x1="${x(d)}" y1="${m.t}" x2="${x(d)}" y2="${H - m.b}" stroke="#ddd"/>`);
    out.push(`<text x="${x(d)}" y="${H - m.b + 18}" text-anchor="middle">${d.toLocaleString('en-US')}</text>`);
  }
  for (let d = yMin; d <= yMax * 1.0001; d *= 10) {
    out.push(`<line x1="${m.l}" y1="${y(d)}" x2="${W - m.r}" y2="${y(d)}" stroke="#ddd"/>`);
    out.push(`<text x="${m.l - 8}" y="${y(d) + 4}" text-anchor="end">${d.toLocaleString('en-US')}</text>`);
    for (const k of [2, 5])
      if (d * k < yMax) out.push(`<line x1="${m.l}" y1="${y(d * k)}" x2="${W - m.r}" y2="${y(d * k)}" stroke="#f0f0f0"/>`);
  }
  out.push(`<rect x="${m.l}" y="${m.t}" width="${W - m.l - m.r}" height="${H - m.t - m.b}" fill="none" stroke="#888"/>`);
  out.push(`<text x="${(m.l + W - m.r) / 2}" y="${H - 14}" text-anchor="middle">geofences in the tenant (log)</text>`);
  out.push(
    `<text x="18" y="${(m.t + H - m.b) / 2}" text-anchor="middle" transform="rotate(-90 18 ${(m.t + H - m.b) / 2})">p50 latency, ms (log)</text>`,
  );
  series.forEach((s, i) => {
    const ps = s.points.filter((p) => p.ms > 0).sort((a, b) => a.n - b.n);
    const dash = s.dashed ? ' stroke-dasharray="6 4"' : '';
    if (ps.length > 1)
      out.push(
        `<polyline fill="none" stroke="${s.color}" stroke-width="2"${dash} points="${ps.map((p) => `${x(p.n).toFixed(1)},${y(p.ms).toFixed(1)}`).join(' ')}"/>`,
      );
    for (const p of ps)
      out.push(
        `<circle cx="${x(p.n).toFixed(1)}" cy="${y(p.ms).toFixed(1)}" r="3.5" fill="${s.color}"><title>${esc(`${s.name}: N=${p.n}, ${p.ms.toFixed(1)} ms`)}</title></circle>`,
      );
    const ly = m.t + 10 + i * 22;
    out.push(
      `<line x1="${W - m.r + 14}" y1="${ly}" x2="${W - m.r + 44}" y2="${ly}" stroke="${s.color}" stroke-width="2"${dash}/>`,
    );
    out.push(`<text x="${W - m.r + 50}" y="${ly + 4}">${esc(s.name)}</text>`);
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
