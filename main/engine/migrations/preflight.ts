/**
 * Preflight before a migration: which database, which folder and git commit, journal vs files vs
 * ledger consistency, pending count, write permission. Catches runbook 000's trap ("migration said
 * success but the schema did not change": wrong worktree, journal missing the file, wrong
 * DATABASE_URL) before anything runs.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { GitInfo, Preflight, PreflightIssue } from '../../../shared/migrations.js';
import { qualified } from '../ident.js';
import type { Session } from '../session.js';
import { ledgerExists } from './ledger.js';
import { planMigration } from './plan.js';
import type { MigrationSource } from './sources.js';
import { migrationStatus } from './status.js';

const run = promisify(execFile);

async function git(dir: string, args: string[]): Promise<string> {
  const { stdout } = await run('git', ['-C', dir, ...args], { timeout: 10_000 });
  return stdout.trim();
}

/** The git commit, worktree and dirtiness of the folder, or null when it is not in a git repository. */
export async function gitInfo(dir: string): Promise<GitInfo | null> {
  try {
    const commit = await git(dir, ['rev-parse', 'HEAD']);
    const worktree = await git(dir, ['rev-parse', '--show-toplevel']);
    const branch = await git(dir, ['rev-parse', '--abbrev-ref', 'HEAD']).catch(() => '');
    const dirty = (await git(dir, ['status', '--porcelain', '--untracked-files=all', '--', '.'])).length > 0;
    return { commit, worktree, branch: branch && branch !== 'HEAD' ? branch : null, dirty };
  } catch {
    return null;
  }
}

/** Whether the connected role can create/insert into the ledger, and why not. */
async function writePermission(session: Session, source: MigrationSource): Promise<{ canWrite: boolean; detail: string }> {
  const exists = await ledgerExists(session, source);
  const { rows } = await session.query<{ recovery: boolean; db_create: boolean; schema_exists: boolean; schema_create: boolean | null; ledger_insert: boolean | null }>(
    `SELECT pg_catalog.pg_is_in_recovery() AS recovery,
            pg_catalog.has_database_privilege(current_database(), 'CREATE') AS db_create,
            EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = $1) AS schema_exists,
            CASE WHEN EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = $1) THEN pg_catalog.has_schema_privilege($1, 'CREATE') END AS schema_create,
            CASE WHEN $3 THEN pg_catalog.has_table_privilege($2, 'INSERT') END AS ledger_insert`,
    [source.ledger.schema, qualified(source.ledger.schema, source.ledger.table), exists],
  );
  const r = rows[0]!;
  const who = session.fingerprint.user;
  if (r.recovery) return { canWrite: false, detail: 'the server is a read-only standby (pg_is_in_recovery)' };
  if (exists) {
    return r.ledger_insert
      ? { canWrite: true, detail: `${who} may insert into ${source.ledger.schema}.${source.ledger.table}` }
      : { canWrite: false, detail: `${who} may not insert into ${source.ledger.schema}.${source.ledger.table}` };
  }
  if (r.schema_exists ? r.schema_create : r.db_create) {
    return { canWrite: true, detail: `${who} may create the ledger ${source.ledger.schema}.${source.ledger.table}` };
  }
  return { canWrite: false, detail: `${who} may not create ${r.schema_exists ? `tables in schema ${source.ledger.schema}` : `schema ${source.ledger.schema}`}` };
}

/** What a caller knows about the target beyond the folder (a runbook's preflight). */
export interface PreflightOptions {
  /** The target is a live application's database: having none of its tables is an error (default: a warning). */
  live?: boolean;
  /** The runbook starts after this migration: the ledger must have it applied. */
  after?: string;
}

/** The tables the folder's migrations create or alter ("schema.table"), read with the real parser. */
export async function applicationTables(source: MigrationSource, serverVersionNum?: number): Promise<string[]> {
  const out = new Set<string>();
  for (const m of source.migrations) {
    if (!m.sql) continue;
    const plan = await planMigration(m, serverVersionNum);
    for (const st of plan.parsed ?? []) {
      if (st.type !== 'CreateStmt' && st.type !== 'AlterTableStmt') continue;
      const rel = (st.node as { relation?: { schemaname?: string; relname?: string } }).relation;
      if (rel?.relname) out.add(`${rel.schemaname || 'public'}.${rel.relname}`);
    }
  }
  return [...out];
}

/** Which of `tables` ("schema.table") exist in the target. */
async function presentTables(session: Session, tables: readonly string[]): Promise<string[]> {
  if (!tables.length) return [];
  const r = await session.query<{ name: string }>(
    `SELECT n.nspname || '.' || c.relname AS name FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname || '.' || c.relname = ANY($1::text[]) AND c.relkind IN ('r', 'p')`,
    [tables],
  );
  return r.rows.map((x) => x.name).sort();
}

const some = (names: readonly string[]) => `${names.slice(0, 3).join(', ')}${names.length > 3 ? ` and ${names.length - 3} more` : ''}`;

/** Run the preflight checks for `source` against the database of `session` (read-only). */
export async function preflight(session: Session, source: MigrationSource, o: PreflightOptions = {}): Promise<Preflight> {
  const status = await migrationStatus(session, source);
  const issues: PreflightIssue[] = [];
  const add = (code: PreflightIssue['code'], severity: PreflightIssue['severity'], message: string, migration: string | null = null) =>
    issues.push({ code, severity, message, migration });

  for (const stray of source.strays) {
    add('file-not-in-journal', 'error', `${stray} is not in meta/_journal.json: drizzle-orm will never run it (regenerate the journal with drizzle-kit)`, stray);
  }
  const declared = new Set(source.migrations.map((m) => m.id));
  const unknown = status.migrations.filter((m) => m.state === 'missing-file' && !declared.has(m.id));
  if (unknown.length) {
    add('ledger-unknown', 'error', `the ledger has ${unknown.length} migration(s) this folder does not know (${unknown.slice(0, 3).map((m) => m.id).join(', ')}): wrong DATABASE_URL or wrong worktree?`);
  }
  for (const m of status.migrations) {
    if (m.state === 'missing-file' && declared.has(m.id)) add('journal-entry-without-file', 'error', m.note ?? `${m.id}: file missing`, m.id);
    if (m.state === 'changed') add('changed', 'warning', `${m.id} changed since it was applied; the database has the old version`, m.id);
    if (m.state === 'failed') add('failed', 'error', `${m.id}: ${m.note ?? 'failed'}`, m.id);
    if (m.state === 'pending' && m.note?.includes('skip')) add('out-of-order', 'error', `${m.id} is ${m.note}`, m.id);
  }
  for (const m of source.migrations) {
    if (status.migrations.find((e) => e.id === m.id)?.state !== 'pending') continue;
    const plan = await planMigration(m, session.fingerprint.serverVersionNum);
    if (plan.outsideTransaction) add('not-transactional', 'info', `${m.id} runs outside a transaction (${plan.outsideTransaction})`, m.id);
  }
  // The target positively: the application's tables are here, and the ledger knows what they show.
  const appTables = await applicationTables(source, session.fingerprint.serverVersionNum);
  const present = await presentTables(session, appTables);
  // Rows in the ledger for this folder's migrations (a changed file was still applied).
  const recorded = status.counts.applied + status.counts.changed;
  if (appTables.length && present.length === 0) {
    add('no-application-tables', o.live || recorded > 0 ? 'error' : 'warning',
      `the target has none of the ${appTables.length} table(s) the folder's migrations create or alter (${some(appTables)}): an empty database or another application's?`);
  } else if (present.length && recorded === 0 && !unknown.length) {
    add('ledger-empty-with-tables', 'error',
      `the application's tables are here (${some(present)}) but the ledger ${source.ledger.schema}.${source.ledger.table} says 0 applied: the ledger is empty or foreign (another ledger table, or migrations applied by hand)`);
  }
  if (o.after) {
    const m = status.migrations.find((e) => e.id === o.after);
    if (!m) add('not-applied-yet', 'error', `the runbook starts after ${o.after}, which this folder does not have: wrong worktree?`, o.after);
    else if (m.state !== 'applied' && m.state !== 'changed') {
      add('not-applied-yet', 'error', `the runbook starts after ${o.after}; the ledger has it ${m.state} (${recorded} applied): wrong database, or run the earlier migrations first`, o.after);
    }
  }
  const gitState = await gitInfo(source.dir);
  if (!gitState) add('not-a-git-repo', 'info', `${source.dir} is not in a git repository: no commit to record`);
  else if (gitState.dirty) add('dirty-worktree', 'warning', `${source.dir} has uncommitted changes in ${gitState.worktree}: what you apply is not what is committed`);
  const perm = await writePermission(session, source);
  if (!perm.canWrite) add('no-write-permission', 'error', perm.detail);
  return {
    database: session.fingerprint,
    kind: source.kind,
    dir: source.dir,
    git: gitState,
    ledger: source.ledger,
    pending: status.counts.pending,
    applied: status.counts.applied,
    canWrite: perm.canWrite,
    writeDetail: perm.detail,
    issues,
  };
}
