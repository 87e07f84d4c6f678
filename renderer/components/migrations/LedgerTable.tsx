/** The ledger: every migration of the folder with its state and checksums; a row opens its SQL. */
import type { MigrationEntry, MigrationStatus } from '../../../shared/migrations.js';
import { VirtualRows } from '../VirtualRows.js';

const STATE_CLASS: Record<MigrationEntry['state'], string> = {
  applied: 'ok', pending: 'sev-info', changed: 'sev-error', 'missing-file': 'sev-error', failed: 'sev-error',
};

const short = (h: string | null) => (h ? h.slice(0, 12) : '–');

/** The ledger table of a status. */
export function LedgerTable({ status, selected, onSelect }: { status: MigrationStatus; selected: string | null; onSelect: (file: string | null) => void }) {
  const counts = Object.entries(status.counts).filter(([, n]) => n > 0).map(([k, n]) => `${n} ${k}`).join(' · ');
  return (
    <div className="card" data-testid="ledger">
      <div className="profile-main">
        <h2>Ledger <span className="muted small-text">{status.ledger.schema}.{status.ledger.table}{status.ledgerExists ? '' : ' (not created yet)'}</span></h2>
        <span className="muted" data-testid="ledger-counts">{counts || 'no migrations'}</span>
      </div>
      <div className="mig-row mig-head" role="row">
        <span>Migration</span><span>State</span><span>File checksum</span><span>Applied checksum</span><span>Applied at</span><span>Note</span>
      </div>
      <VirtualRows
        items={status.migrations}
        rowHeight={32}
        height={Math.min(320, status.migrations.length * 32 + 4)}
        label="Migrations"
        testId="ledger-rows"
        getKey={(m) => m.id}
        selectedKey={status.migrations.find((m) => m.file === selected)?.id ?? null}
        onActivate={(m) => onSelect(m.file)}
        renderRow={(m) => (
          <div className="mig-row" data-state={m.state} data-migration={m.id}>
            <span className="mono" title={m.name}>{m.id}</span>
            <span><span className={`badge ${STATE_CLASS[m.state]}`}>{m.state}</span></span>
            <span className="mono" title={m.checksum ?? ''}>{short(m.checksum)}</span>
            <span className={`mono${m.appliedChecksum && m.checksum && m.appliedChecksum !== m.checksum ? ' bad-text' : ''}`} title={m.appliedChecksum ?? ''}>{short(m.appliedChecksum)}</span>
            <span>{m.appliedAt ? new Date(m.appliedAt).toLocaleString() : '–'}</span>
            <span className="muted" title={m.note ?? ''}>{m.note ?? ''}</span>
          </div>
        )}
      />
    </div>
  );
}
