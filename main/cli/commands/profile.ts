/**
 * `tenancy profile add|list|show|remove|test`: connection profiles in the config directory.
 */
import { Option, type Command } from 'commander';
import { EnvironmentSchema, SslModeSchema, type ProfileInput } from '../../../shared/profile.js';
import { UserError } from '../../engine/errors.js';
import { requireDowngradeConfirmation } from '../../engine/environment-guard.js';
import { getProfile, listProfiles, parseDatabaseUrl, removeProfile, saveProfile } from '../../engine/profiles.js';
import { describeTarget } from '../../engine/session.js';
import { addConnectionOptions, withSession, type TargetOptions } from '../common.js';
import { printOk, renderTable } from '../format.js';
import { deprecatedAlias, optionalWhole, parseWhole } from '../options.js';
import { formatFingerprint } from '../render.js';

interface AddOptions {
  url?: string; host?: string; port?: string; db?: string; user?: string; sslmode?: string; caFile?: string;
  env?: string; confirmDb?: string; schema?: string; tenantTable?: string; tenantColumn?: string; globalTables?: string;
  rlsRole?: string; rlsSetting?: string; statementTimeoutMs?: string; lockTimeoutMs?: string; format: string;
}

const formatOption = () => new Option('--format <format>', 'output format').choices(['table', 'json']).default('table');

/** Register the profile subcommands. */
export function registerProfile(program: Command): void {
  const profile = program.command('profile').description('manage connection profiles (never stores passwords)');

  const add = profile
    .command('add <name>')
    .description('add or replace a profile, from --url or --host/--port/--db/--user')
    .option('--url <url>', 'connection URL; a password in it is NOT stored')
    .option('--host <host>', 'server host')
    .option('--port <port>', 'server port', '5432')
    .option('--db <database>', 'database name')
    .option('--user <user>', 'user name')
    .addOption(new Option('--sslmode <mode>', 'TLS mode').choices(SslModeSchema.options))
    .option('--ca-file <path>', 'CA certificate for verify-ca / verify-full')
    .addOption(new Option('--env <environment>', 'environment (colour band, production safeguards)').choices(EnvironmentSchema.options).default('development'))
    .option('--confirm-db <name>', 'replacing a production profile with another environment: its database name, typed')
    .option('--schema <list>', 'schemas in scope, comma-separated')
    .option('--tenant-table <schema.table>', 'table of tenants')
    .option('--tenant-column <list>', 'tenant column name, or a comma-separated list of spellings')
    .option('--global-tables <list>', 'tables shared by all tenants, comma-separated')
    .option('--rls-role <role>', 'application role for the isolation probe')
    .option('--rls-setting <name>', 'setting the application sets to the tenant id, e.g. app.tenant_id')
    .option('--statement-timeout-ms <ms>', 'statement_timeout for every session, in ms', '30000')
    .option('--lock-timeout-ms <ms>', 'lock_timeout for every session, in ms', '3000')
    .addOption(formatOption());
  deprecatedAlias(add, '--statement-timeout <ms>', '--statement-timeout-ms');
  deprecatedAlias(add, '--lock-timeout <ms>', '--lock-timeout-ms');
  add.action(async (name: string, o: AddOptions) => {
      const port = parseWhole(o.port ?? '5432', '--port', { min: 1, max: 65535 });
      const statementTimeoutMs = optionalWhole(o.statementTimeoutMs, '--statement-timeout-ms');
      const lockTimeoutMs = optionalWhole(o.lockTimeoutMs, '--lock-timeout-ms');
      let fields: Partial<ProfileInput>;
      let note: string | null = null;
      if (o.url) {
        const parsed = parseDatabaseUrl(o.url);
        fields = parsed.fields;
        if (parsed.password) {
          note = 'the password in the URL was not stored; use PGPASSWORD or ~/.pgpass';
          process.stderr.write(`note: ${note}\n`);
        }
      } else {
        if (!o.host || !o.db || !o.user) throw new UserError('give --url, or all of --host, --db and --user', 'usage');
        fields = { host: o.host, port, database: o.db, user: o.user };
      }
      const list = (v?: string) => (v ? v.split(',').map((s) => s.trim()).filter(Boolean) : undefined);
      const previous = await getProfile(name).catch(() => null);
      requireDowngradeConfirmation(previous, { environment: o.env as ProfileInput['environment'] }, o.confirmDb, 'pass --confirm-db');
      const saved = await saveProfile({
        ...fields,
        name,
        ...(o.sslmode ? { sslmode: o.sslmode as ProfileInput['sslmode'] } : {}),
        ...(o.caFile ? { sslRootCert: o.caFile } : {}),
        environment: o.env as ProfileInput['environment'],
        tenancy: { schemas: list(o.schema), tenantTable: o.tenantTable, tenantColumn: o.tenantColumn, globalTables: list(o.globalTables) },
        rlsRole: o.rlsRole,
        rlsSetting: o.rlsSetting,
        statementTimeoutMs,
        lockTimeoutMs,
        passwordSource: o.url && parseDatabaseUrl(o.url).password ? 'env' : 'none',
      } as ProfileInput);
      if (o.format === 'json') printOk({ profile: saved, note });
      else process.stdout.write(`saved profile "${saved.name}": ${describeTarget(saved)} (${saved.environment})\n`);
    });

  profile
    .command('list')
    .description('list profiles')
    .addOption(formatOption())
    .action(async (o: { format: string }) => {
      const profiles = await listProfiles();
      if (o.format === 'json') return printOk({ profiles });
      if (profiles.length === 0) return void process.stdout.write('no profiles yet; add one with `tenancy profile add NAME --url URL`\n');
      process.stdout.write(`${renderTable(['name', 'environment', 'target', 'sslmode'], profiles.map((p) => [p.name, p.environment, describeTarget(p), p.sslmode]))}\n`);
    });

  profile
    .command('show <name>')
    .description('show one profile')
    .addOption(formatOption())
    .action(async (name: string, o: { format: string }) => {
      const p = await getProfile(name);
      if (o.format === 'json') return printOk({ profile: p });
      const t = p.tenancy;
      const rows: [string, string][] = [
        ['name', p.name], ['environment', p.environment], ['target', describeTarget(p)], ['sslmode', p.sslmode + (p.sslRootCert ? ` (CA ${p.sslRootCert})` : '')],
        ['schemas', t.schemas?.join(', ') ?? '(detected)'], ['tenant table', t.tenantTable ?? '(detected)'],
        ['tenant column', t.tenantColumn ?? '(detected)'], ['global tables', t.globalTables?.join(', ') ?? '(detected)'],
        ['RLS role', p.rlsRole ?? '-'], ['RLS setting', p.rlsSetting ?? '-'],
        ['statement_timeout', `${p.statementTimeoutMs} ms`], ['lock_timeout', `${p.lockTimeoutMs} ms`],
      ];
      process.stdout.write(`${rows.map(([k, v]) => `${k.padEnd(18)} ${v}`).join('\n')}\n`);
    });

  profile
    .command('remove <name>')
    .description('remove a profile')
    .addOption(formatOption())
    .action(async (name: string, o: { format: string }) => {
      await removeProfile(name);
      if (o.format === 'json') printOk({ removed: name });
      else process.stdout.write(`removed profile "${name}"\n`);
    });

  addConnectionOptions(
    profile.command('test [name]').description('connect and print the server fingerprint'),
  ).action(async (name: string | undefined, o: TargetOptions) => {
    const opts = { ...o, profile: o.profile ?? name };
    await withSession(opts, async (session) => {
      if (o.format === 'json') printOk({ fingerprint: session.fingerprint });
      else process.stdout.write(`${formatFingerprint(session.fingerprint)}\n`);
    });
  });
}
