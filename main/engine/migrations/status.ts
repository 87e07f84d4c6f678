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

/**
 * Which ledger rows belong to which migration. Plain, Prisma, Supabase: the rows of its id.
 * Drizzle keys rows by created_at (the journal's `when`), and entries may share one `when`
 * (drizzle-orm applies them in one run, one row each): within a `when`, a row whose hash is the
 * file's belongs to it first, then leftover rows go to leftover entries in journal order (those
 * are "changed"); an entry left without a row is pending.
 */
function rowsPerMigration(source: MigrationSource, byKey: Map<string, LedgerRow[]>): Map<MigrationFile, LedgerRow[]> {
  const out = new Map<MigrationFile, LedgerRow[]>();
  if (source.kind !== 'drizzle') {
    for (const m of source.migrations) out.set(m, byKey.get(m.id) ?? []);
    return out;
  }
  const free = new Map([...byKey].map(([k, rows]) => [k, [...rows]]));
  const take = (key: string, pick: (r: LedgerRow) => boolean): LedgerRow | null => {
    const rows = free.get(key) ?? [];
    const i = rows.findIndex(pick);
    return i < 0 ? null : rows.splice(i, 1)[0]!;
  };
  for (const m of source.migrations) {
    const row = m.checksum === null ? null : take(keyOf(source, m), (r) => r.checksum === m.checksum);
    out.set(m, row ? [row] : []);
  }
  for (const m of source.migrations) {
    if (out.get(m)!.length) continue;
    const row = take(keyOf(source, m), () => true);
    if (row) out.set(m, [row]);
  }
  return out;
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
  const assigned = rowsPerMigration(source, byKey);
  for (const m of source.migrations) {
    known.add(keyOf(source, m));
    migrations.push(await entryFor(source, m, assigned.get(m)!, lastDrizzle));
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
