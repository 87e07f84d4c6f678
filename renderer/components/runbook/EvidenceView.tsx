/** A step's evidence: what ran, the result, counts, the digest and the ids of what it made. */
import type { Evidence } from '../../../shared/runbook.js';

/** The evidence, expanded. */
export function EvidenceView({ e }: { e: Evidence }) {
  const counts = Object.entries(e.counts);
  const refs = Object.entries(e.refs);
  return (
    <div className="evidence" data-testid="evidence">
      <p><strong>Result:</strong> {e.result}</p>
      {counts.length > 0 && (
        <dl className="evidence-counts">
          {counts.map(([k, v]) => <div key={k}><dt>{k}</dt><dd className="num">{v.toLocaleString('en-US')}</dd></div>)}
        </dl>
      )}
      {e.digest && <p className="small-text">Digest <code className="mono" title={e.digest}>{e.digest}</code></p>}
      {refs.length > 0 && <p className="small-text">Made or referenced: {refs.map(([k, v]) => <span key={k} className="evidence-ref">{k}: <code>{v}</code></span>)}</p>}
      {e.ran.length > 0 && (
        <details>
          <summary>What ran ({e.ran.length})</summary>
          <ol className="evidence-ran">{e.ran.map((r, i) => <li key={i}><code>{r}</code></li>)}</ol>
        </details>
      )}
    </div>
  );
}
