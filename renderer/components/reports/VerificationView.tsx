/** A report's verification: unchanged (digest and signature hold), or where it no longer matches what was signed. */
import type { ReportVerification } from '../../../shared/report.js';

/** The verification result. */
export function VerificationView({ v, ownKey }: { v: ReportVerification; ownKey: string | null }) {
  const keyNote = v.keyId === null ? null : v.trustedKey ? `signed with this installation's key ${v.keyId}` : `signed with key ${v.keyId}, which is not this installation's${ownKey ? ` (${ownKey})` : ''}: check it against the key the issuer published`;
  return (
    <div className={`verification ${v.ok ? 'status status-ok' : 'status status-error'}`} data-testid="verification" data-ok={v.ok} role="status">
      <strong>{v.ok ? 'Verified: unchanged since it was signed' : 'FAILED: this report does not match what was signed'}</strong>
      {v.digest && <div className="small-text">sha256 <code>{v.digest}</code></div>}
      {keyNote && <div className="small-text">{keyNote}</div>}
      {v.problems.length > 0 && (
        <ul className="problems">
          {v.problems.map((p, i) => <li key={i}><code>{p.where}</code>: {p.what}</li>)}
        </ul>
      )}
    </div>
  );
}
