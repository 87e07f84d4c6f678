/**
 * Status of every migration of a folder against one database's ledger: applied, pending, changed
 * since applied, file missing, failed; plus ledger rows the folder does not know.
 */
import type { MigrationEntry, MigrationState, MigrationStatus } from '../../../shared/migrations.js';
import type { Session } from '../session.js';
import { readLedger, type LedgerRow } from './ledger.js';
import { planMigration, sameStatements } from './plan.js';
import type { MigrationFile, MigrationSource } from './sources.js';

const keyOf = (source: MigrationSource, m: MigrationFile) => (source.kind === 'drizzle' ? String(m.when) : m.id);

function firstLine(s: string | null): string {
  return (s ?? '').split('\n').find((l) => l.trim())?.trim() ?? '';
}

async function entryFor(source: MigrationSource, m: MigrationFile, rows: LedgerRow[], lastDrizzle: number | null): Promise<MigrationEntry> {
  const applied = rows.filter((r) => r.outcome === 'applied').at(-1);
  const failed = rows.filter((r) => r.outcome === 'failed').at(-1);
  const base = { id: m.id, name: m.name, file: m.file, checksum: m.checksum, appliedChecksum: applied?.checksum ?? null, appliedAt: applied?.appliedAt ?? null };
  const entry = (state: MigrationState, note: string | null): MigrationEntry => ({ ...base, state, note });
  if (m.sql === null) {
    return entry('missing-file', `listed in meta/_journal.json but ${m.id}.sql is not in the folder${applied ? ' (it was applied)' : '; drizzle-orm would fail on it'}`);
  }
  if (failed && !applied) return entry('failed', `a failed attempt is recorded${failed.logs ? `: ${firstLine(failed.logs)}` : ''}; resolve it (prisma migrate resolve) before applying more`);
  if (applied) {
    if (source.kind === 'supabase') {
      if (applied.statements && !sameStatements(applied.statements, (await planMigration(m)).supabaseStatements)) {
        return entry('changed', 'the file\'s statements differ from the statements recorded when it was applied');
      }
      return entry('applied', null);
    }
    if (applied.checksum !== m.checksum) return entry('changed', 'the file changed since it was applied (checksum differs)');
    return entry('applied', null);
  }
  if (source.kind === 'drizzle' && lastDrizzle !== null && m.when !== undefined && m.when <= lastDrizzle) {
    return entry('pending', 'older than the newest applied migration: drizzle-orm\'s migrator would skip it silently');
  }
  if (rows.some((r) => r.outcome === 'rolled-back')) return entry('pending', 'an earlier attempt was marked rolled back');
  return entry('pending', null);
}

/** The status of each migration in `source` against the database `session` is connected to. */
export async function migrationStatus(session: Session, source: MigrationSource): Promise<MigrationStatus> {
  const ledger = await readLedger(session, source);
  const byKey = new Map<string, LedgerRow[]>();
  for (const r of ledger.rows) byKey.set(r.key, [...(byKey.get(r.key) ?? []), r]);
  const lastDrizzle = source.kind === 'drizzle' && ledger.rows.length
    ? Math.max(...ledger.rows.map((r) => Number(r.key)).filter((n) => Number.isFinite(n)))
    : null;
  const migrations: MigrationEntry[] = [];
  const known = new Set<string>();
  for (const m of source.migrations) {
    const key = keyOf(source, m);
    known.add(key);
    migrations.push(await entryFor(source, m, byKey.get(key) ?? [], lastDrizzle));
  }
  for (const [key, rows] of byKey) {
    if (known.has(key)) continue;
    const last = rows.at(-1)!;
    migrations.push({
      id: source.kind === 'drizzle' ? `created_at ${key}` : key,
      name: key,
      file: null,
      state: 'missing-file',
      checksum: null,
      appliedChecksum: last.checksum,
      appliedAt: last.appliedAt,
      note: 'in the ledger but not in this folder: wrong database (DATABASE_URL) or wrong worktree?',
    });
  }
  const counts = { applied: 0, pending: 0, changed: 0, 'missing-file': 0, failed: 0 } as Record<MigrationState, number>;
  for (const m of migrations) counts[m.state] += 1;
  return { kind: source.kind, dir: source.dir, ledger: source.ledger, ledgerExists: ledger.exists, database: session.fingerprint, migrations, counts };
}
