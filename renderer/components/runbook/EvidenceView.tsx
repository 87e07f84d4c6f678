/** A step's evidence: what ran, the result, counts, the digest and the ids of what it made. */
import type { Evidence } from '../../../shared/runbook.js';

/** Refs that hold text: a command's output tails, a response's first bytes, a notice's text. */
const TEXT_REFS = ['stdout', 'stderr', 'body', 'text'];
const TEXT_LABEL: Record<string, string> = { stdout: 'stdout (last 4 KB)', stderr: 'stderr (last 4 KB)', body: 'body (first 2 KB)', text: 'message sent' };

/** The evidence, expanded. */
export function EvidenceView({ e }: { e: Evidence }) {
  const counts = Object.entries(e.counts);
  // Output tails and bodies are blocks of text: shown as such, the rest inline.
  const refs = Object.entries(e.refs).filter(([k]) => !TEXT_REFS.includes(k));
  const texts = TEXT_REFS.flatMap((k) => (e.refs[k] !== undefined ? [[k, e.refs[k]!] as const] : []));
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
      {texts.map(([k, v]) => (
        <figure key={k} className="evidence-text" data-testid={`evidence-${k}`}>
          <figcaption className="small-text">{TEXT_LABEL[k]}</figcaption>
          <pre>{v === '' ? '(empty)' : v}</pre>
        </figure>
      ))}
      {e.ran.length > 0 && (
        <details>
          <summary>What ran ({e.ran.length})</summary>
          <ol className="evidence-ran">{e.ran.map((r, i) => <li key={i}><code>{r}</code></li>)}</ol>
        </details>
      )}
    </div>
  );
}
