/**
 * Options every database command shares (--profile/--url, tenancy settings, --format), and the
 * one way a command opens a session: password lookup, audit, Ctrl-C cancels the running query.
 */
import { Option, type Command } from 'commander';
import type { ModelSettings } from '../../shared/model.js';
import type { AuditSink } from '../engine/audit-sink.js';
import { CancelledError } from '../engine/errors.js';
import { Session } from '../engine/session.js';
import { resolveTarget, type ResolvedTarget } from '../engine/target.js';
import { cliPasswordProvider } from './password.js';

/** Parsed shared options. */
export interface TargetOptions {
  profile?: string;
  url?: string;
  env?: string;
  schema?: string;
  tenantTable?: string;
  tenantColumn?: string;
  globalTables?: string;
  globalUniques?: string;
  format: 'table' | 'json';
}

/** Add --profile, --url and --format to a command. */
export function addConnectionOptions(cmd: Command): Command {
  return cmd
    .option('--profile <name>', 'connection profile to use')
    .option('--url <url>', 'connection URL (postgres://user@host:5432/db); prefer PGPASSWORD or ~/.pgpass to a password in it (other users see it in ps)')
    .addOption(new Option('--env <environment>', 'for --url: the environment (default TENANCY_ENV, else production: writes need --confirm-db)').choices(['development', 'staging', 'production']))
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'));
}

/** Add the tenancy model options (--schema, --tenant-table, --tenant-column, --global-tables). */
export function addModelOptions(cmd: Command): Command {
  return cmd
    .option('--schema <list>', 'schemas in scope, comma-separated (default: every non-system schema)')
    .option('--tenant-table <schema.table>', 'table of tenants (default: detected)')
    .option('--tenant-column <list>', 'tenant column name, or a comma-separated list of spellings (default: detected from the FKs to the tenant table)')
    .option('--global-tables <list>', 'tables shared by all tenants, comma-separated schema.table')
    .option('--global-uniques <list>', 'columns unique across all tenants by design (tokens, API keys), comma-separated schema.table.column: reported as accepted');
}

function splitList(v: string | undefined): string[] | undefined {
  if (v === undefined) return undefined;
  return v.split(',').map((s) => s.trim()).filter(Boolean);
}

/** The tenancy settings given on the command line. */
export function modelSettings(o: TargetOptions): ModelSettings {
  return {
    schemas: splitList(o.schema),
    tenantTable: o.tenantTable,
    tenantColumn: o.tenantColumn,
    globalTables: splitList(o.globalTables),
    globalUniques: splitList(o.globalUniques),
  };
}

/** Audit sink used by CLI sessions; replaced by the audit log module when it is wired in. */
let cliAudit: (() => AuditSink | undefined) = () => undefined;

/** Install the factory for the CLI's audit sink (the JSONL audit log). */
export function setCliAuditFactory(factory: () => AuditSink | undefined): void {
  cliAudit = factory;
}

/**
 * The warning for a password typed into --url, shown to a person at a terminal (scripts and CI,
 * whose stderr is not a TTY, are spared a line on every command).
 */
export function urlPasswordWarning(passwordInUrl: boolean, interactive: boolean): string | null {
  return passwordInUrl && interactive
    ? 'warning: the password in --url is visible to other users of this machine (ps, shell history); use PGPASSWORD or ~/.pgpass'
    : null;
}

/**
 * Resolve the target, connect, run `fn`, close. Ctrl-C cancels the running server query and
 * makes `fn` fail with CancelledError, which the CLI turns into a clean exit.
 */
export async function withSession<T>(
  o: TargetOptions,
  fn: (session: Session, target: ResolvedTarget, signal: AbortSignal) => Promise<T>,
  overrides: Parameters<typeof resolveTarget>[0]['overrides'] = {},
): Promise<T> {
  const target = await resolveTarget({ profile: o.profile, url: o.url, env: o.env, tenancy: modelSettings(o), overrides });
  const warning = urlPasswordWarning(target.urlPassword !== undefined && o.url !== undefined, Boolean(process.stderr.isTTY));
  if (warning) process.stderr.write(`${warning}\n`);
  const session = await Session.open(target.profile, {
    password: cliPasswordProvider(target.profile, target.urlPassword),
    audit: cliAudit(),
  });
  const controller = new AbortController();
  const onSigint = () => {
    if (controller.signal.aborted) process.exit(130);
    process.stderr.write('\ncancelling the running query (Ctrl-C again to quit at once)\n');
    controller.abort();
    void session.cancel();
  };
  process.on('SIGINT', onSigint);
  try {
    return await fn(session, target, controller.signal);
  } catch (err) {
    // A CancelledError of the engine says what was committed; keep its words.
    if (controller.signal.aborted) throw err instanceof CancelledError ? err : new CancelledError();
    throw err;
  } finally {
    process.off('SIGINT', onSigint);
    await session.close();
  }
}
