/** One finding: why, count, sample rows, evidence SQL and remedy SQL. */
import { CHECKS } from '../../shared/checks.js';
import type { Finding } from '../../shared/findings.js';
import { count, tableLabel } from '../lib/format.js';
import { splitSample } from '../lib/orphans.js';
import { recommendedRemedy, remedyWarning } from '../lib/remedy.js';
import { CodeBlock } from './CodeBlock.js';
import { Drawer } from './Drawer.js';
import { AcceptedBadge } from './RoleBadge.js';
import { SampleTable } from './SampleTable.js';

/** The finding drawer. */
export function FindingDetail({ finding, onClose }: { finding: Finding; onClose: () => void }) {
  const def = CHECKS[finding.check];
  const split = finding.check === 'cross-tenant-reference' && finding.sample ? finding.sample.map(splitSample) : null;
  return (
    <Drawer title={`${def.title}: ${tableLabel(finding)}`} onClose={onClose} testId="finding-detail">
      <p>{finding.accepted ? <AcceptedBadge finding={finding} /> : <span className={`badge sev-${finding.severity}`}>{finding.severity}</span>} <code>{finding.check}</code></p>
      {finding.accepted && <p className="status status-info" data-testid="accepted-detail">Accepted, not an error: {finding.accepted}.</p>}
      <p>{finding.message}</p>
      <p className="muted">{def.why}</p>
      {finding.count !== undefined && (
        <p>Count: <strong>{count(finding.count)}</strong>{finding.estimate && <span className="badge est"> estimate</span>}</p>
      )}
      <h3>Sample rows</h3>
      {split ? (
        <div className="side-by-side">
          <SampleTable caption="Child row" rows={split.map((s) => s.child)} />
          <SampleTable caption="Parent row" rows={split.map((s) => s.parent)} />
        </div>
      ) : finding.sample ? (
        <SampleTable rows={finding.sample} />
      ) : (
        <p className="muted">{finding.estimate ? 'Estimates have no samples: run the exact checks to see rows.' : 'This check has no rows to sample.'}</p>
      )}
      <CodeBlock label="Evidence SQL" code={finding.sql} testId="evidence-sql" />
      {recommendedRemedy(finding.remedy) && <p className="status status-info" data-testid="remedy-recommended">First remedy: {recommendedRemedy(finding.remedy)}</p>}
      {remedyWarning(finding.remedy) && <p className="status status-warn" role="note" data-testid="remedy-warning"><strong>Before you reassign:</strong> {remedyWarning(finding.remedy)}</p>}
      {finding.remedy ? <CodeBlock label="Remedy SQL" code={finding.remedy} testId="remedy-sql" /> : <p className="muted">No remedy statement suggested.</p>}
    </Drawer>
  );
}
