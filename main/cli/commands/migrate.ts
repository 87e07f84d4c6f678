/**
 * `tenancy migrate status|lint|preflight|apply`: the migration folder against a database's ledger.
 */
import { Option, type Command } from 'commander';
import { describeEstimate, LINT_RULE_IDS, MigrationKindSchema, type ApplyEvent, type LintRuleId } from '../../../shared/migrations.js';
import { CancelledError, UserError } from '../../engine/errors.js';
import { applyMigrations, pendingMigrations } from '../../engine/migrations/apply.js';
import { pendingEstimates } from '../../engine/migrations/estimate-pending.js';
import { annotateTargets, liveLintOptions } from '../../engine/migrations/lint-live.js';
import { lintSourceReport } from '../../engine/migrations/lint.js';
import { planMigration } from '../../engine/migrations/plan.js';
import { preflight } from '../../engine/migrations/preflight.js';
import { readSource, type MigrationSource } from '../../engine/migrations/sources.js';
import { migrationStatus } from '../../engine/migrations/status.js';
import { Session } from '../../engine/session.js';
import { addConnectionOptions, withSession, type TargetOptions } from '../common.js';
import { printJson, printOk } from '../format.js';
import { addPacingOptions, addWriteOptions, deprecatedAlias, optionalWhole } from '../options.js';
import { exitState } from '../exit.js';
import { cliPasswordProvider } from '../password.js';
import { lintReport, lintSarif, parseLintFilters, renderLintReport } from './migrate-lint.js';
import { applyEventPrinter, renderApplyResult, renderCancel, renderPreflight, renderStatus } from './migrate-render.js';

interface FolderOptions extends TargetOptions {
  dir: string;
  kind?: string;
  ledgerSchema?: string;
}

interface LintCliOptions extends FolderOptions {
  tenantColumn?: string;
  serverVersion?: string;
}

interface ApplyCliOptions extends LintCliOptions {
  write?: boolean;
  confirmDb?: string;
  ack?: string;
  ackAll?: boolean;
  lockTimeoutMs?: string;
  retries?: string;
  to?: string;
}

function addFolderOptions(cmd: Command): Command {
  return cmd
    .option('--dir <path>', 'migration folder (plain .sql files, a Drizzle folder, a project with prisma/migrations or supabase/migrations)', '.')
    .addOption(new Option('--kind <kind>', 'folder kind (default: detected)').choices(MigrationKindSchema.options))
    .option('--ledger-schema <name>', 'ledger schema for Drizzle (migrationsSchema) or Prisma (?schema=)');
}

function source(o: FolderOptions): MigrationSource {
  const kind = o.kind === undefined ? undefined : MigrationKindSchema.parse(o.kind);
  return readSource(o.dir, { kind, ledgerSchema: o.ledgerSchema });
}

const parseCount = optionalWhole;

function parseAck(o: ApplyCliOptions): readonly LintRuleId[] | 'all' {
  if (o.ackAll) return 'all';
  const rules = (o.ack ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  for (const r of rules) {
    if (!(LINT_RULE_IDS as readonly string[]).includes(r)) throw new UserError(`--ack ${r}: unknown rule; rules are ${LINT_RULE_IDS.join(', ')}`, 'usage');
  }
  return rules as LintRuleId[];
}

/** The first line of a statement, for one-line listings. */
const firstLine = (sql: string) => {
  const [head, ...rest] = sql.split('\n');
  return rest.length ? `${head!.trim()} ...` : head!.trim();
};

function lintOptions(o: LintCliOptions) {
  return {
    tenantColumns: o.tenantColumn ? o.tenantColumn.split(',').map((s) => s.trim()).filter(Boolean) : undefined,
    serverVersionNum: parseCount(o.serverVersion, '--server-version'),
  };
}

async function tablesWithPolicies(session: Session): Promise<string[]> {
  const r = await session.query<{ t: string }>("SELECT DISTINCT schemaname || '.' || tablename AS t FROM pg_catalog.pg_policies");
  return r.rows.map((x) => x.t);
}

/** Register `tenancy migrate`. */
export function registerMigrate(program: Command): void {
  const migrate = program.command('migrate').description('migrations: status, lint, preflight and apply (plain .sql, Drizzle, Prisma, Supabase)');

  addFolderOptions(addConnectionOptions(migrate.command('status').description('each migration: applied, pending, changed since applied, file missing, failed')))
    .action(async (o: FolderOptions) => {
      const src = source(o);
      await withSession(o, async (session) => {
        const status = await migrationStatus(session, src);
        if (o.format === 'json') printOk(status);
        else process.stdout.write(`${renderStatus(status)}\n`);
        if (status.counts.changed || status.counts.failed || status.counts['missing-file']) exitState.code = 1;
      });
    });

  addFolderOptions(migrate.command('lint').description('lint migrations with the PostgreSQL parser; exit 1 on error findings'))
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json', 'sarif']).default('table'))
    .option('--tenant-column <list>', 'tenant column(s) unique keys must include, any case style (default: org_id, organization_id, tenant_id)')
    .option('--server-version <num>', 'target server_version_num, e.g. 110000 (default: 180000)')
    .option('--rule <ids>', 'only these rules, comma-separated')
    .option('--severity <level>', 'only findings at least this severe: info, warning, error')
    .option('--profile <name>', "lint against this database: its version, tables, sizes (estimates) and constraints")
    .option('--url <url>', 'the same with a connection URL')
    .addOption(new Option('--env <environment>', 'for --url: the environment (default TENANCY_ENV, else production)').choices(['development', 'staging', 'production']))
    .action(async (o: Omit<LintCliOptions, 'format'> & { rule?: string; severity?: string; format: 'table' | 'json' | 'sarif' }) => {
      const filters = parseLintFilters(o.rule, o.severity);
      const opts = { ...o, format: 'table' as const };
      const src = source(opts);
      const live = o.profile !== undefined || o.url !== undefined;
      const run = live
        ? await withSession(opts, async (session) => {
          const r = await lintSourceReport(src, await liveLintOptions(session, lintOptions(opts)));
          return { ...r, findings: await annotateTargets(session, r.findings) };
        })
        : await lintSourceReport(src, lintOptions(opts));
      const report = lintReport({ kind: src.kind, dir: src.dir, migrationsRead: run.migrationsRead, serverVersionNum: run.serverVersionNum }, run.findings, filters);
      if (o.format === 'json') printOk({ ...report, files: src.migrations.map((m) => ({ id: m.id, name: m.name, file: m.file, sql: m.sql })) });
      else if (o.format === 'sarif') printJson(lintSarif(report));
      else process.stdout.write(`${renderLintReport(report, o.serverVersion !== undefined || live)}\n`);
      if (report.findings.some((f) => f.severity === 'error')) exitState.code = 1;
    });

  addFolderOptions(addConnectionOptions(migrate.command('preflight').description('right database, folder and commit; journal, files and ledger in step; pending count; write permission')))
    .action(async (o: FolderOptions) => {
      const src = source(o);
      await withSession(o, async (session) => {
        const report = await preflight(session, src);
        if (o.format === 'json') printOk(report);
        else process.stdout.write(`${renderPreflight(report)}\n`);
        if (report.issues.some((i) => i.severity === 'error')) exitState.code = 1;
      });
    });

  const apply = addFolderOptions(addConnectionOptions(migrate.command('apply').description('apply pending migrations, each in a transaction with its ledger row; Ctrl-C aborts')))
    .option('--ack <rules>', 'acknowledge lint errors of these rules, comma-separated')
    .option('--ack-all', 'acknowledge every lint error')
    .option('--retries <n>', 'retries after lock_timeout (default 3)')
    .option('--to <id>', 'apply only up to and including this migration')
    .option('--tenant-column <list>', 'tenant column(s) for the unique-key lint rule, comma-separated');
  addWriteOptions(apply, 'this command writes to the database');
  addPacingOptions(apply, { lockTimeoutMs: true });
  deprecatedAlias(apply, '--confirm <dbname>', '--confirm-db');
  apply.action(async (o: ApplyCliOptions) => {
      if (!o.write) throw new UserError('apply writes to the database: pass --write (and --confirm-db DBNAME on production)', 'usage', '--write');
      const src = source(o);
      const ack = parseAck(o);
      await withSession(o, async (session, target, signal) => {
        const json = o.format === 'json';
        const say = (line: string) => process.stderr.write(`${line}\n`);
        // Read-only, before write mode is switched on (and the database name confirmed on production).
        const estimates = await pendingEstimates(session, src, lintOptions(o), o.to);
        if (estimates.length) {
          say(`locks and estimated lock time of the pending statements (live lint, measured on this server, read-only):`);
          for (const e of estimates) say(`  ${describeEstimate(e)}: ${firstLine(e.statement)}${e.rules.length ? `  [${e.rules.join(', ')}]` : ''}`);
        }
        await session.enableWrite(o.confirmDb);
        const pending = await pendingMigrations(session, src, o.to);
        say(`${pending.length} pending in ${src.dir} (${src.kind}) -> ${session.fingerprint.database}; ledger ${src.ledger.schema}.${src.ledger.table}`);
        for (const m of pending) {
          const plan = await planMigration(m, session.fingerprint.serverVersionNum);
          say(`  ${m.id}: ${plan.outsideTransaction ? `OUTSIDE a transaction: ${plan.outsideTransaction}` : 'in one transaction with its ledger row'}`);
        }
        const watcher = await Session.open(target.profile, { password: cliPasswordProvider(target.profile, target.urlPassword) });
        const events: ApplyEvent[] = [];
        const print = applyEventPrinter(say);
        try {
          const result = await applyMigrations(session, src, {
            signal, watcher, ack, upTo: o.to,
            lockTimeoutMs: parseCount(o.lockTimeoutMs, '--lock-timeout-ms'),
            retries: parseCount(o.retries, '--retries'),
            lint: { ...lintOptions(o), tablesWithPolicies: await tablesWithPolicies(session) },
            onEvent: (e) => {
              if (json) events.push(e);
              print(e);
            },
          });
          // Cancelled: one JSON object on stdout, the failure envelope saying what stayed applied.
          if (result.cancelled && json) throw new CancelledError(renderCancel(result));
          if (json) printOk({ ...result, estimates, events });
          else process.stdout.write(`${renderApplyResult(result)}\n`);
          if (result.cancelled) throw new CancelledError(renderCancel(result));
          if (result.failed) exitState.code = 1;
        } finally {
          await watcher.close();
        }
      });
    });
}
