/**
 * Small helpers for the HTML report: escaping, number formatting, and the inline SVG chart of
 * rows per tenant per table (no external assets: the chart is markup in the page).
 */
import type { Distribution } from '../../../shared/findings.js';

/** Escape text for HTML content and attribute values. */
export function esc(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** 1234567 -> "1,234,567". */
export function num(n: number | null | undefined): string {
  return n === null || n === undefined ? '' : n.toLocaleString('en-US');
}

const PALETTE = ['#3b6ea5', '#5a9e6f', '#8e6bb0', '#c08a3e', '#3f9ea5', '#a55a7a', '#6b7f3b', '#7a6a5a'];
const NO_TENANT = '#d64541';
const MISSING = '#f0a030';
const OTHER = '#b8bec6';

interface Segment {
  label: string;
  rows: number;
  color: string;
}

/**
 * Stacked bars, one per table, each the table's rows split by tenant (the largest tenants get
 * colours, the rest are "other tenants"), with the no-tenant and missing-tenant buckets in red
 * and orange. Returns an <svg> element, or a short note when there is nothing to draw.
 */
export function distributionSvg(d: Distribution, maxTenants = PALETTE.length): string {
  const tables = new Map<string, { schema: string; table: string; segs: Map<string, Segment> }>();
  const totals = new Map<string, number>();
  for (const r of d.rows) if (r.bucket === 'tenant') totals.set(r.tenant!, (totals.get(r.tenant!) ?? 0) + r.rows);
  const top = [...totals.entries()].sort((a, b) => b[1] - a[1]).slice(0, maxTenants).map(([id]) => id);
  const colorOf = new Map(top.map((id, i) => [id, PALETTE[i]!]));
  const names = new Map(d.tenants.map((t) => [t.id, t.name ?? t.id]));

  for (const r of d.rows) {
    const key = `${r.schema}.${r.table}`;
    const t = tables.get(key) ?? { schema: r.schema, table: r.table, segs: new Map<string, Segment>() };
    tables.set(key, t);
    let seg: Segment;
    if (r.bucket === 'no-tenant') seg = { label: 'no tenant', rows: 0, color: NO_TENANT };
    else if (r.bucket === 'missing-tenant') seg = { label: 'missing tenant', rows: 0, color: MISSING };
    else if (colorOf.has(r.tenant!)) seg = { label: names.get(r.tenant!) ?? r.tenant!, rows: 0, color: colorOf.get(r.tenant!)! };
    else seg = { label: 'other tenants', rows: 0, color: OTHER };
    const existing = t.segs.get(seg.label) ?? seg;
    existing.rows += r.rows;
    t.segs.set(seg.label, existing);
  }
  if (tables.size === 0) return '<p class="muted">No rows in tenant tables.</p>';

  const labelW = 240;
  const barW = 420;
  const rowH = 22;
  const legend: Segment[] = [
    ...top.map((id) => ({ label: names.get(id) ?? id, rows: 0, color: colorOf.get(id)! })),
    ...(totals.size > top.length ? [{ label: 'other tenants', rows: 0, color: OTHER }] : []),
    { label: 'no tenant', rows: 0, color: NO_TENANT },
    { label: 'missing tenant', rows: 0, color: MISSING },
  ];
  const legendRows = Math.ceil(legend.length / 4);
  const height = tables.size * rowH + legendRows * 18 + 16;
  const parts: string[] = [];
  [...tables.values()].forEach((t, i) => {
    const y = i * rowH;
    const total = [...t.segs.values()].reduce((n, s) => n + s.rows, 0);
    const name = `${t.schema}.${t.table}`;
    const shown = name.length > 34 ? `…${name.slice(-33)}` : name;
    parts.push(`<text x="${labelW - 6}" y="${y + 15}" text-anchor="end" class="lbl"><title>${esc(name)}</title>${esc(shown)}</text>`);
    let x = labelW;
    for (const s of t.segs.values()) {
      const w = total > 0 ? (s.rows / total) * barW : 0;
      parts.push(`<rect x="${x.toFixed(2)}" y="${y + 3}" width="${w.toFixed(2)}" height="${rowH - 6}" fill="${s.color}"><title>${esc(`${s.label}: ${num(s.rows)} rows`)}</title></rect>`);
      x += w;
    }
    parts.push(`<text x="${labelW + barW + 6}" y="${y + 15}" class="lbl">${esc(num(total))}</text>`);
  });
  legend.forEach((s, i) => {
    const lx = (i % 4) * 175;
    const ly = tables.size * rowH + 12 + Math.floor(i / 4) * 18;
    parts.push(`<rect x="${lx}" y="${ly}" width="10" height="10" fill="${s.color}"/><text x="${lx + 14}" y="${ly + 9}" class="lbl">${esc(s.label.length > 24 ? `${s.label.slice(0, 23)}…` : s.label)}</text>`);
  });
  return `<svg role="img" aria-label="Rows per tenant per table" width="${labelW + barW + 80}" height="${height}" viewBox="0 0 ${labelW + barW + 80} ${height}">${parts.join('')}</svg>`;
}
