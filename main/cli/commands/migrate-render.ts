/**
 * Human renderings for `tenancy migrate`: status table, lint findings, preflight, apply progress.
 */
import type { ApplyEvent, ApplyResult, LockHolder, MigrationStatus, Preflight } from '../../../shared/migrations.js';
import { renderTable } from '../format.js';
import { formatFingerprint } from '../render.js';
import { lockText } from '../../../shared/lock-wait.js';

/** The status table with a one-line header. */
export function renderStatus(s: MigrationStatus): string {
  const head = `${s.kind} migrations in ${s.dir}\nledger ${s.ledger.schema}.${s.ledger.table}${s.ledgerExists ? '' : ' (not created yet)'} in ${s.database.database}`;
  const rows = s.migrations.map((m) => [m.id, m.state, m.appliedAt ?? '', m.note ?? '']);
  const counts = Object.entries(s.counts).filter(([, n]) => n > 0).map(([k, n]) => `${n} ${k}`).join(', ');
  return `${head}\n\n${renderTable(['migration', 'state', 'applied at', 'note'], rows)}\n\n${counts || 'no migrations'}`;
}

/** The preflight report. */
export function renderPreflight(p: Preflight): string {
  const git = p.git ? `${p.git.commit.slice(0, 12)}${p.git.branch ? ` (${p.git.branch})` : ''} in ${p.git.worktree}${p.git.dirty ? ', UNCOMMITTED CHANGES' : ''}` : 'not a git repository';
  const lines = [
    formatFingerprint(p.database),
    '',
    `folder      ${p.dir} (${p.kind})`,
    `git         ${git}`,
    `ledger      ${p.ledger.schema}.${p.ledger.table}`,
    `migrations  ${p.applied} applied, ${p.pending} pending`,
    `write       ${p.canWrite ? 'yes' : 'NO'}: ${p.writeDetail}`,
    '',
    ...(p.issues.length ? p.issues.map((i) => `${i.severity.padEnd(7)} ${i.code}: ${i.message}`) : ['no issues: journal, files and ledger are in step']),
  ];
  return lines.join('\n');
}

/** "pid 123 (alice, idle in transaction 42s): SELECT ..." */
export function describeHolder(h: LockHolder): string {
  const held = h.locks.filter((l) => l.granted).map((l) => `${l.mode}${l.relation ? ` on ${l.relation}` : ''}`).join(', ');
  const age = h.transactionAgeSeconds === null ? '' : ` ${h.transactionAgeSeconds}s`;
  return `pid ${h.pid} (${h.user ?? '?'}, ${h.state ?? '?'}${age}${held ? `, holds ${held}` : ''}): ${(h.query ?? '').replace(/\s+/g, ' ').slice(0, 160)}`;
}

/** A printer for apply events: one line each, the blocker printed when the set of blockers changes. */
export function applyEventPrinter(write: (line: string) => void): (e: ApplyEvent) => void {
  let lastBlockers = '';
  return (e) => {
    switch (e.type) {
      case 'migration-start':
        write(`-> ${e.id}${e.transactional ? '' : ' (outside a transaction)'}${e.attempt > 1 ? `, attempt ${e.attempt}` : ''}`);
        return;
      case 'statement':
        write(`   [${e.index + 1}/${e.total}] line ${e.line}: ${e.text.split('\n')[0]}`);
        return;
      case 'notice':
        write(`   ${e.severity}: ${e.message}`);
        return;
      case 'retry':
        write(`   ${e.reason}; retrying in ${e.waitMs} ms (retry ${e.attempt})`);
        return;
      case 'lock': {
        const key = e.event.blockers.map((b) => b.pid).join(',');
        if (key === lastBlockers) return;
        lastBlockers = key;
        if (!e.event.blockers.length) {
          write('   no longer waiting for locks');
          return;
        }
        const wants = e.event.waitingFor.map(lockText).join(', ');
        write(`   WAITING${wants ? ` for ${wants}` : ''}, blocked by ${e.event.blockers.map(describeHolder).join('; ')}`);
        if (e.event.waiters.length) write(`   ${e.event.waiters.length} session(s) queued behind this migration`);
        return;
      }
      case 'migration-done':
        write(`   done in ${e.durationMs} ms`);
        return;
      case 'ledger-wait':
        write(`waiting up to ${e.timeoutMs} ms for the ledger ${e.ledger}: another apply holds it (${e.holders.join(', ') || 'a session that has since let go'})`);
        return;
    }
  };
}

/** The closing summary of an apply run. */
export function renderApplyResult(r: ApplyResult): string {
  const lines = [`applied ${r.applied.length} migration(s)${r.applied.length ? `: ${r.applied.map((a) => a.id).join(', ')}` : ''}`];
  if (r.failed) {
    const f = r.failed;
    lines.push(`FAILED ${f.id}${f.line ? ` at line ${f.line}` : ''}${f.statementIndex !== null ? ` (statement ${f.statementIndex + 1})` : ''}: ${f.code ? `[${f.code}] ` : ''}${f.error}`);
    if (f.statement) lines.push(`  statement: ${f.statement.split('\n')[0]}`);
    if (f.kept) lines.push(`  ${f.kept}`);
    else lines.push(f.rolledBack ? '  nothing of it was kept: schema and ledger are as before it' : '  it ran outside a transaction: the statements before the failing one stayed applied');
    for (const b of f.blockers) lines.push(`  blocker: ${describeHolder(b)}`);
  }
  if (r.skipped.length) lines.push(`not attempted: ${r.skipped.join(', ')}`);
  return lines.join('\n');
}

/** What a Ctrl-C left behind, for the closing line: committed migrations stay, the one in flight. */
export function renderCancel(r: ApplyResult): string {
  const f = r.failed;
  const inFlight = !f ? '' : f.rolledBack ? `; ${f.id} was rolled back` : `; ${f.id} ran outside a transaction and the statements before the cancel stayed`;
  if (!r.applied.length && (!f || f.rolledBack)) return `cancelled by the operator: nothing was changed${inFlight}`;
  const committed = r.applied.length ? `${r.applied.length} migration(s) committed before the cancel stay applied (${r.applied.map((a) => a.id).join(', ')})` : 'no migration was committed';
  return `cancelled by the operator: ${committed}${inFlight}; run migrate apply again to continue (migrate status shows the ledger)`;
}
