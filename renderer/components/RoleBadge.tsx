/** A table's role in the model (tenant / scoped through PATH / global / unscoped / tenant table), and an accepted finding's badge. */
import type { Finding } from '../../shared/findings.js';
import type { TenancyModel } from '../../shared/model.js';
import { acceptedBy, tableRole } from '../lib/table-roles.js';

/** The role badge; `long` shows the path of a scoped table inline. */
export function RoleBadge({ model, table, long = false }: { model: TenancyModel; table: { schema: string; table: string }; long?: boolean }) {
  const r = tableRole(model, table);
  return (
    <span className={`badge role role-${r.role.replace(/ /g, '-')}`} data-testid="table-role" data-role={r.role} title={r.detail}>
      {long ? r.detail : r.label}
    </span>
  );
}

/** In a role badge's place while the model is still loading (Overview shows the estimate's findings first): a badge of its own, replaced when the role arrives. */
export function RolePending() {
  return <span className="badge role role-pending" data-testid="table-role" data-role="pending" title="reading the model…">role …</span>;
}

/** "accepted" with who declared it (profile or flag), for a finding the operator declared by design. */
export function AcceptedBadge({ finding }: { finding: Finding }) {
  if (!finding.accepted) return null;
  return (
    <span className="badge accepted" data-testid="accepted" data-declared-by={acceptedBy(finding.accepted)} title={finding.accepted}>
      accepted · {acceptedBy(finding.accepted)}
    </span>
  );
}
