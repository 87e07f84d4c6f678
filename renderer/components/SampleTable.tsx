/** A small table of sample rows (primary key columns first, as the engine returns them). */
import type { SampleRow } from '../../shared/findings.js';

/** Sample rows as a table; NULL shown as NULL. */
export function SampleTable({ rows, caption }: { rows: SampleRow[]; caption?: string }) {
  if (rows.length === 0) return <p className="muted">No sample rows.</p>;
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  return (
    <table className="sample-table">
      {caption && <caption>{caption}</caption>}
      <thead>
        <tr>{columns.map((c) => <th key={c} scope="col">{c}</th>)}</tr>
      </thead>
      <tbody>
        {rows.map((r, i) => (
          <tr key={i}>
            {columns.map((c) => <td key={c} className={r[c] === null ? 'null' : undefined}>{r[c] ?? 'NULL'}</td>)}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
