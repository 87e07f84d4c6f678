/** Horizontal SVG bar charts: one or two series per row, labelled with the numbers. */
import { count } from '../lib/format.js';

/** A row of the chart. */
export interface BarDatum {
  label: string;
  a: number;
  b?: number;
}

/** The chart; `aLabel`/`bLabel` name the series in the legend. */
export function Bars({ data, aLabel, bLabel, title }: { data: BarDatum[]; aLabel: string; bLabel?: string; title: string }) {
  const max = Math.max(1, ...data.map((d) => Math.max(d.a, d.b ?? 0)));
  const two = bLabel !== undefined;
  const rowH = two ? 30 : 20;
  const labelW = 190;
  const width = 640;
  const barW = width - labelW - 80;
  const height = data.length * rowH + 24;
  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${width} ${height}`} width="100%" role="img" aria-label={title}>
        <title>{title}</title>
        <g className="legend">
          <rect x={labelW} y={2} width={10} height={10} className="bar-a" />
          <text x={labelW + 14} y={11}>{aLabel}</text>
          {two && (
            <>
              <rect x={labelW + 180} y={2} width={10} height={10} className="bar-b" />
              <text x={labelW + 194} y={11}>{bLabel}</text>
            </>
          )}
        </g>
        {data.map((d, i) => {
          const y = 24 + i * rowH;
          const h = two ? 12 : 14;
          return (
            <g key={d.label + i}>
              <text x={labelW - 8} y={y + h} textAnchor="end" className="bar-label">{d.label.length > 28 ? `${d.label.slice(0, 27)}…` : d.label}</text>
              <rect x={labelW} y={y} width={Math.max(d.a > 0 ? 2 : 0, (d.a / max) * barW)} height={h} className="bar-a" />
              <text x={labelW + (d.a / max) * barW + 4} y={y + h - 2} className="bar-value">{count(d.a)}</text>
              {two && (
                <>
                  <rect x={labelW} y={y + h + 1} width={Math.max((d.b ?? 0) > 0 ? 2 : 0, ((d.b ?? 0) / max) * barW)} height={h} className="bar-b" />
                  <text x={labelW + ((d.b ?? 0) / max) * barW + 4} y={y + 2 * h - 1} className="bar-value">{count(d.b ?? 0)}</text>
                </>
              )}
            </g>
          );
        })}
      </svg>
    </figure>
  );
}
