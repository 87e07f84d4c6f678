/**
 * A runbook's preflight step: the folder against the ledger (migrations/preflight), and the target
 * proved positively before anything writes: the pins of the step and the profile (system identifier,
 * database name, application markers, the migration the runbook starts after), and every migration
 * a later migrate step applies present in its folder (an old worktree fails here, not after backup).
 */
import type { Evidence, RunbookStep, TargetPins } from '../../../shared/runbook.js';
import { parseQualifiedName, qualified } from '../ident.js';
import { preflight } from '../migrations/preflight.js';
import { readSource } from '../migrations/sources.js';
import type { Session } from '../session.js';
import { passwordsInFolders, urlFromEnvProblem } from './credentials-check.js';
import { checkRunbookSql } from './sql-guard.js';
import { targetIdentity } from './target.js';

type PreflightStep = Extract<RunbookStep, { kind: 'preflight' }>;

/** What the preflight step found: its evidence, and the problems that fail it. */
export interface PreflightStepResult {
  evidence: Evidence;
  problems: string[];
}

/** The problems with the pins: each names what was expected and what was found. */
export async function pinProblems(session: Session, pins: TargetPins, ran: string[]): Promise<string[]> {
  const problems: string[] = [];
  const target = await targetIdentity(session);
  if (pins.systemIdentifier !== undefined) {
    ran.push(`pin: system identifier ${pins.systemIdentifier}`);
    if (target.systemIdentifier !== pins.systemIdentifier) {
      problems.push(`expected the server with system identifier ${pins.systemIdentifier}, found ${target.systemIdentifier ?? 'an unreadable one (the role may not read pg_control_system())'} on ${target.server}`);
    }
  }
  if (pins.database !== undefined) {
    ran.push(`pin: database ${pins.database}`);
    if (target.database !== pins.database) problems.push(`expected the database ${pins.database}, found ${target.database}`);
  }
  for (const m of pins.markers) {
    const { schema, table } = parseQualifiedName(m.table);
    ran.push(`marker: table ${schema}.${table}${m.sql ? `, ${m.sql.trim()}` : ''}`);
    const r = await session.query<{ t: string | null }>('SELECT pg_catalog.to_regclass($1)::text AS t', [qualified(schema, table)]);
    if (r.rows[0]?.t == null) {
      problems.push(`expected the application's table ${schema}.${table}, found no such table in ${target.database}: wrong database?`);
      continue;
    }
    if (m.sql === undefined) continue;
    const checked = await checkRunbookSql({ sql: m.sql, use: 'check' });
    if (checked.problem || checked.statements.length !== 1) {
      problems.push(`the marker query ${checked.problem ?? 'must be one SELECT'}`);
      continue;
    }
    const q = await session.transaction(() => session.query<Record<string, unknown>>(checked.statements[0]!.text), { readOnly: true, rollback: true });
    const first = q.rows[0] ? Object.values(q.rows[0])[0] : undefined;
    if (first !== true) problems.push(`expected the marker query to return true, found ${q.rows.length ? JSON.stringify(first) : 'no row'}: ${m.sql.trim()}`);
  }
  return problems;
}

/** Later migrate steps whose named migration (`to`) is not in their folder. */
export function missingMigrations(steps: readonly RunbookStep[], resolve: (folder: string) => string): string[] {
  const problems: string[] = [];
  for (const s of steps) {
    if (s.kind !== 'migrate' || s.to === undefined) continue;
    const source = readSource(resolve(s.dir));
    const m = source.migrations.find((x) => x.id === s.to);
    if (!m) problems.push(`step ${s.id} applies ${s.to}, which ${source.dir} does not have (old worktree? pull it first)`);
    else if (!m.file) problems.push(`step ${s.id} applies ${s.to}, whose file is missing from ${source.dir}`);
  }
  return problems;
}

/** Run a preflight step: the folder, the pins (the step's, then the profile's system identifier), the later migrations. */
export async function preflightStep(
  session: Session, step: PreflightStep,
  o: { resolve: (folder: string) => string; laterSteps: readonly RunbookStep[]; profileSystemIdentifier?: string; env?: NodeJS.ProcessEnv; ci?: boolean },
): Promise<PreflightStepResult> {
  const ran: string[] = [];
  const problems: string[] = [];
  const counts: Record<string, number> = {};
  const refs: Record<string, string> = { database: session.fingerprint.database };
  const pins: TargetPins = { markers: [], noPasswordsIn: [], ...step.expect };
  if (pins.systemIdentifier === undefined && o.profileSystemIdentifier) pins.systemIdentifier = o.profileSystemIdentifier;
  let result = 'no migration folder';
  if (step.dir !== undefined) {
    const source = readSource(o.resolve(step.dir));
    const p = await preflight(session, source, { live: true, after: pins.after });
    const errors = p.issues.filter((i) => i.severity === 'error');
    ran.push(`preflight ${source.kind} ${p.dir}`);
    problems.push(...errors.map((e) => e.message));
    Object.assign(counts, { applied: p.applied, pending: p.pending, issues: p.issues.length });
    refs.ledger = `${p.ledger.schema}.${p.ledger.table}`;
    if (p.git) refs.git = JSON.stringify(p.git);
    result = `${p.applied} applied, ${p.pending} pending, ${p.issues.length} issue(s)`;
  }
  problems.push(...(await pinProblems(session, pins, ran)));
  problems.push(...credentialProblems(session, pins, o, ran, counts));
  const missing = missingMigrations(o.laterSteps, o.resolve);
  ran.push(`later migrate steps: ${o.laterSteps.filter((s) => s.kind === 'migrate').map((s) => (s.kind === 'migrate' ? `${s.id} -> ${s.to ?? 'every pending'}` : '')).join(', ') || 'none'}`);
  problems.push(...missing);
  counts.errors = problems.length;
  return { evidence: { ran, result: problems.length ? problems.join('; ') : result, counts, refs }, problems };
}

/** The credential pins: a CI run's target is the URL in `urlFromEnv`; no password in the `noPasswordsIn` folders. */
function credentialProblems(session: Session, pins: TargetPins, o: { resolve: (folder: string) => string; env?: NodeJS.ProcessEnv; ci?: boolean }, ran: string[], counts: Record<string, number>): string[] {
  const problems: string[] = [];
  if (pins.urlFromEnv !== undefined) {
    if (o.ci) {
      ran.push(`pin: the target is the URL in ${pins.urlFromEnv}`);
      const p = session.profile;
      const problem = urlFromEnvProblem(pins.urlFromEnv, o.env ?? process.env, { host: p.host, port: p.port, database: p.database, user: p.user });
      if (problem) problems.push(problem);
    } else {
      ran.push(`pin: the target is the URL in ${pins.urlFromEnv} - not checked: not a CI run (--ci), the target is the profile or URL given`);
    }
  }
  if (pins.noPasswordsIn.length) {
    const folders = pins.noPasswordsIn.map((f) => o.resolve(f));
    const scan = passwordsInFolders(folders);
    ran.push(`no connection password in ${folders.join(', ')} (${scan.files} file(s) read)`);
    counts.filesScanned = scan.files;
    if (scan.found.length) {
      problems.push(`${scan.found.length} connection password(s) in the runbook's files (keep them in the CI secret): ${scan.found.slice(0, 3).join(', ')}${scan.found.length > 3 ? ` and ${scan.found.length - 3} more` : ''}`);
    }
  }
  return problems;
}
