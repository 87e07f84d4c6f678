/**
 * Rows per tenant, every tenant sorted biggest first, on a zero-based scale, with the no-tenant (NULL)
 * and missing-tenant buckets drawn as their own bars on the same scale: a skewed or empty tenant and
 * stray rows are seen at a glance. One SVG path for the tenants, whatever their number (10,000 tenants
 * stay one element); the tenant list and the bucket cards are its table equivalent.
 */
import type { DistributionSummary, TenantTotal } from '../../shared/distribution-summary.js';
import { count } from '../lib/format.js';

/** The chart's input: tenant totals (sorted biggest first) and the two bucket totals. */
export interface TenantDistributionProps {
  tenants: TenantTotal[];
  noTenant: number;
  missingTenant: number;
}

const W = 760;
const H = 200;
const LEFT = 64;
const TOP = 12;
const BOTTOM = 36;
const BUCKET_W = 60;
const GAP = 28;
const PLOT_W = W - LEFT - GAP - 2 * BUCKET_W - 24;
const PLOT_H = H - TOP - BOTTOM;

/** A step path over the sorted totals: one column per tenant, or per pixel (its largest tenant) when there are more tenants than pixels. */
function tenantPath(values: number[], max: number): string {
  if (values.length === 0) return '';
  const columns = Math.min(values.length, PLOT_W);
  const step = PLOT_W / columns;
  const y = (v: number) => TOP + PLOT_H - (v / max) * PLOT_H;
  const base = TOP + PLOT_H;
  const parts = [`M${LEFT},${base}`];
  for (let c = 0; c < columns; c += 1) {
    const v = values[Math.floor((c * values.length) / columns)]!; // sorted descending: the first of the range is its largest
    parts.push(`V${y(v).toFixed(1)}H${(LEFT + (c + 1) * step).toFixed(1)}`);
  }
  parts.push(`V${base}Z`);
  return parts.join('');
}

/** A median of totals sorted biggest first. */
function median(values: number[]): number {
  if (values.length === 0) return 0;
  const mid = Math.floor(values.length / 2);
  return values.length % 2 ? values[mid]! : (values[mid - 1]! + values[mid]!) / 2;
}

/** The chart component. */
export function TenantDistributionChart({ tenants, noTenant, missingTenant }: TenantDistributionProps) {
  const values = tenants.map((t) => t.rows);
  const max = Math.max(1, values[0] ?? 0, noTenant, missingTenant);
  const empty = values.filter((v) => v === 0).length;
  const title = `Rows per tenant, ${count(tenants.length)} tenants sorted biggest first`;
  const desc = `Zero-based scale up to ${count(max)} rows. Largest tenant ${count(values[0] ?? 0)} rows${tenants[0] ? ` (${tenants[0].name ?? tenants[0].id})` : ''}, median ${count(median(values))}, smallest ${count(values[values.length - 1] ?? 0)}; ${count(empty)} tenants with no rows. No tenant (NULL): ${count(noTenant)} rows. Missing tenant: ${count(missingTenant)} rows.`;
  const y = (v: number) => TOP + PLOT_H - (v / max) * PLOT_H;
  const bucketX = LEFT + PLOT_W + GAP;
  const bucket = (label: string, v: number, i: number, testId: string) => {
    const x = bucketX + i * (BUCKET_W + 12);
    const h = (v / max) * PLOT_H;
    return (
      <g key={label} data-testid={testId} data-rows={v}>
        <rect x={x} y={TOP + PLOT_H - Math.max(v > 0 ? 2 : 0, h)} width={BUCKET_W} height={Math.max(v > 0 ? 2 : 0, h)} className={v > 0 ? 'bar-bad' : 'bar-bg'} />
        <text x={x + BUCKET_W / 2} y={Math.min(y(v), TOP + PLOT_H) - 4} textAnchor="middle" className="bar-value">{count(v)}</text>
        <text x={x + BUCKET_W / 2} y={H - 20} textAnchor="middle" className="bar-label">{label}</text>
      </g>
    );
  };
  const ticks = [0, max / 2, max];
  return (
    <figure className="chart card tenant-dist-chart" data-testid="tenant-distribution-chart" data-tenants={tenants.length} data-max={max}>
      <svg viewBox={`0 0 ${W} ${H}`} width="100%" role="img" aria-labelledby="tdc-title tdc-desc">
        <title id="tdc-title">{title}</title>
        <desc id="tdc-desc">{desc}</desc>
        {ticks.map((t) => (
          <g key={t} className="axis">
            <line x1={LEFT} x2={LEFT + PLOT_W} y1={y(t)} y2={y(t)} className="grid-line" />
            <text x={LEFT - 6} y={y(t) + 4} textAnchor="end" className="bar-value">{count(Math.round(t))}</text>
          </g>
        ))}
        <path d={tenantPath(values, max)} className="bar-a" data-testid="tenant-distribution-path" />
        <text x={LEFT} y={H - 20} className="bar-label">Biggest tenant</text>
        <text x={LEFT + PLOT_W} y={H - 20} textAnchor="end" className="bar-label">Smallest</text>
        <text x={LEFT + PLOT_W / 2} y={H - 4} textAnchor="middle" className="bar-label">{count(tenants.length)} tenants, sorted by rows</text>
        {bucket('No tenant', noTenant, 0, 'chart-no-tenant')}
        {bucket('Missing', missingTenant, 1, 'chart-missing-tenant')}
        <text x={bucketX + BUCKET_W + 6} y={H - 4} textAnchor="middle" className="bar-label">Stray rows</text>
      </svg>
      <figcaption className="muted small-text">{desc}</figcaption>
    </figure>
  );
}

/** The chart for a distribution summary as the page holds it: totals per tenant (sorted by the host) and the two buckets summed. */
export function DistributionChart({ d }: { d: DistributionSummary }) {
  const tenants = d.tenants;
  const noTenant = d.noTenant.reduce((a, r) => a + r.rows, 0);
  const missingTenant = d.missingTenant.reduce((a, r) => a + r.rows, 0);
  return <TenantDistributionChart tenants={tenants} noTenant={noTenant} missingTenant={missingTenant} />;
}
