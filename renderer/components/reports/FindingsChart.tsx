/**
 * Findings over time for one database: a stacked bar per report (errors, warnings, info) on a
 * zero-based axis, in time order; estimate reports drawn hollow, since they cannot see row-count findings.
 */
import type { SavedReport } from '../../../shared/contract/reports.js';
import { count } from '../../lib/format.js';

const W = 640;
const H = 200;
const PAD = { left: 40, right: 10, top: 16, bottom: 34 };

/** A readable step for the y axis: 1, 2, 5 × 10^n giving about four ticks. */
function tickStep(max: number): number {
  const raw = Math.max(1, max / 4);
  const p = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw)!;
}

/** The chart. */
export function FindingsChart({ reports, title }: { reports: SavedReport[]; title: string }) {
  const rows = reports.filter((r) => r.bySeverity);
  const max = Math.max(1, ...rows.map((r) => r.bySeverity!.error + r.bySeverity!.warning + r.bySeverity!.info));
  const step = tickStep(max);
  const top = Math.ceil(max / step) * step;
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const slot = plotW / Math.max(1, rows.length);
  const barW = Math.min(36, slot * 0.6);
  const y = (v: number) => PAD.top + plotH - (v / top) * plotH;
  // Reports of one day are told apart by time, of several days by date.
  const oneDay = new Set(rows.map((r) => (r.createdAt ?? '').slice(0, 10))).size <= 1;
  const when = (r: SavedReport) => (oneDay ? (r.createdAt ?? '').slice(11, 16) : (r.createdAt ?? '').slice(5, 10));
  const ticks = Array.from({ length: Math.round(top / step) + 1 }, (_, i) => i * step);
  return (
    <figure className="chart findings-chart" data-testid="findings-chart">
      <svg viewBox={`0 0 ${W} ${H}`} width="100%" role="img" aria-label={title}>
        <title>{title}</title>
        {ticks.map((t) => (
          <g key={t}>
            <line x1={PAD.left} x2={W - PAD.right} y1={y(t)} y2={y(t)} className="grid-line" />
            <text x={PAD.left - 6} y={y(t) + 4} textAnchor="end" className="bar-value">{count(t)}</text>
          </g>
        ))}
        {rows.map((r, i) => {
          const s = r.bySeverity!;
          const x = PAD.left + i * slot + (slot - barW) / 2;
          const hollow = r.mode === 'estimate';
          let base = 0;
          const seg = (v: number, cls: string) => {
            const el = v > 0 ? <rect key={cls} x={x} y={y(base + v)} width={barW} height={y(base) - y(base + v)} className={`${cls}${hollow ? ' hollow' : ''}`} /> : null;
            base += v;
            return el;
          };
          return (
            <g key={r.name} data-report={r.name}>
              <title>{`${(r.createdAt ?? '').slice(0, 16).replace('T', ' ')} · ${r.mode}: ${s.error} errors, ${s.warning} warnings, ${s.info} info`}</title>
              {seg(s.error, 'sev-bar-error')}{seg(s.warning, 'sev-bar-warning')}{seg(s.info, 'sev-bar-info')}
              <text x={x + barW / 2} y={y(s.error + s.warning + s.info) - 3} textAnchor="middle" className="bar-value">{count(s.error + s.warning + s.info)}</text>
              <text x={x + barW / 2} y={H - PAD.bottom + 14} textAnchor="middle" className="bar-label">{when(r)}</text>
              <text x={x + barW / 2} y={H - PAD.bottom + 27} textAnchor="middle" className="bar-label">{r.mode === 'estimate' ? 'est.' : 'exact'}</text>
            </g>
          );
        })}
      </svg>
      <figcaption className="muted small-text">
        <span className="legend-swatch sev-bar-error" aria-hidden="true" /> errors · <span className="legend-swatch sev-bar-warning" aria-hidden="true" /> warnings · <span className="legend-swatch sev-bar-info" aria-hidden="true" /> info · hollow bars: estimate reports (statistics only: they cannot see orphan rows, cross-tenant references or the distribution)
      </figcaption>
    </figure>
  );
}
