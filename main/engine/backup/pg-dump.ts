/**
 * An optional pg_dump of the backed-up table, taken from the backup's own snapshot so the file
 * holds exactly the rows of the backup table. pg_dump must be at least the server's major version.
 */
import { execFile, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Profile } from '../../../shared/profile.js';
import { APPLICATION_NAME } from '../config.js';
import { UserError } from '../errors.js';
import { qualified } from '../ident.js';

/** Where to look for pg_dump when no path is given: PATH, then Debian/Ubuntu and Homebrew layouts. */
function candidates(env: NodeJS.ProcessEnv): string[] {
  const out: string[] = [];
  if (env.TENANCY_PG_DUMP) out.push(env.TENANCY_PG_DUMP);
  for (const dir of (env.PATH ?? '').split(path.delimiter)) if (dir) out.push(path.join(dir, 'pg_dump'));
  for (const root of ['/usr/lib/postgresql', '/opt/homebrew/opt', '/usr/local/opt']) {
    try {
      const versions = fs.readdirSync(root).sort((a, b) => Number(b.replace(/\D/g, '')) - Number(a.replace(/\D/g, '')));
      for (const v of versions) out.push(path.join(root, v, 'bin', 'pg_dump'));
    } catch {
      // Layout not present on this machine.
    }
  }
  return out;
}

/** The pg_dump to use: `given`, else TENANCY_PG_DUMP, else the first found. A missing one is a UserError. */
export function findPgDump(given?: string, env: NodeJS.ProcessEnv = process.env): string {
  if (given) {
    if (!fs.existsSync(given)) throw new UserError(`pg_dump not found at ${given}; check --pg-dump-path`, 'config');
    return given;
  }
  const found = candidates(env).find((p) => fs.existsSync(p));
  if (!found) throw new UserError('pg_dump not found on PATH or in the usual places; install the PostgreSQL client or give --pg-dump-path', 'config');
  return found;
}

/**
 * The pg_dump for a server of major version `serverMajor`: `given` as is; else, of every candidate
 * (TENANCY_PG_DUMP, PATH, the usual layouts), one of the server's own major version, else a newer
 * one, else the first found (so the version check names what was found and the fix).
 */
export async function findPgDumpFor(serverMajor: number, given?: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  if (given) return findPgDump(given, env);
  const found = [...new Set(candidates(env))].filter((p) => fs.existsSync(p));
  if (!found.length) return findPgDump(undefined, env);
  const versions = await Promise.all(found.map(async (p) => ({ p, major: await pgDumpVersion(p).then((v) => v.major, () => 0) })));
  return (versions.find((v) => v.major === serverMajor) ?? versions.find((v) => v.major > serverMajor) ?? versions[0]!).p;
}

/** The version pg_dump reports, e.g. { major: 15, text: "15.18" }. */
export async function pgDumpVersion(binary: string): Promise<{ major: number; text: string }> {
  const out = await new Promise<string>((resolve, reject) => {
    execFile(binary, ['--version'], (err, stdout) => (err ? reject(err) : resolve(stdout)));
  }).catch((err: Error) => {
    throw new UserError(`cannot run ${binary}: ${err.message.split('\n')[0]}`, 'config');
  });
  const m = /(\d+)(?:\.(\d+))?/.exec(out);
  if (!m) throw new UserError(`cannot read the version of ${binary} ("${out.trim()}")`, 'config');
  return { major: Number(m[1]), text: m[2] === undefined ? m[1]! : `${m[1]}.${m[2]}` };
}

/** Refuse (with the fix) a pg_dump older than the server: it would abort with a version mismatch. */
export function checkPgDumpVersion(binary: string, dump: { major: number; text: string }, serverVersionNum: number, serverVersion: string): void {
  const serverMajor = Math.floor(serverVersionNum / 10000);
  if (dump.major < serverMajor) {
    throw new UserError(`pg_dump ${dump.text} at ${binary} is older than the server (PostgreSQL ${serverVersion}) and would refuse to dump it; install pg_dump ${serverMajor} or newer and give --pg-dump-path`, 'config');
  }
}

/** What a dump needs: the connection, the table, the snapshot to dump from, the file. */
export interface DumpRequest {
  binary: string;
  profile: Profile;
  password?: string;
  schema: string;
  table: string;
  /** A partitioned table's partitions: pg_dump --table of the parent alone dumps no rows. */
  partitions?: { schema: string; table: string }[];
  /** An exported snapshot (pg_export_snapshot) the dump reads from. */
  snapshot?: string;
  file: string;
}

function dumpEnv(req: DumpRequest): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PGHOST: req.profile.host,
    PGPORT: String(req.profile.port),
    PGDATABASE: req.profile.database,
    PGUSER: req.profile.user,
    PGSSLMODE: req.profile.sslmode,
    PGAPPNAME: APPLICATION_NAME,
  };
  if (req.profile.sslRootCert) env.PGSSLROOTCERT = req.profile.sslRootCert;
  // The password goes through the environment of the child only, never its arguments.
  if (req.password !== undefined) env.PGPASSWORD = req.password;
  else delete env.PGPASSWORD;
  return env;
}

/** Run pg_dump for one table into `file` (plain SQL, mode 0600) and return its sha256 and size. */
export async function runPgDump(req: DumpRequest): Promise<{ sha256: string; bytes: number }> {
  fs.mkdirSync(path.dirname(req.file), { recursive: true, mode: 0o700 });
  // Created 0600 before pg_dump opens it (it truncates and keeps the mode): never readable by others, not even briefly.
  fs.closeSync(fs.openSync(req.file, 'w', 0o600));
  fs.chmodSync(req.file, 0o600);
  const tables = [{ schema: req.schema, table: req.table }, ...(req.partitions ?? [])];
  const args = ['--format=plain', '--no-password', ...tables.map((t) => `--table=${qualified(t.schema, t.table)}`), `--file=${req.file}`];
  if (req.snapshot) args.push(`--snapshot=${req.snapshot}`);
  await new Promise<void>((resolve, reject) => {
    const child = spawn(req.binary, args, { env: dumpEnv(req), stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new UserError(`pg_dump failed (exit ${code}): ${err.trim().split('\n')[0] ?? ''}`, 'config'))));
  });
  fs.chmodSync(req.file, 0o600);
  const hash = crypto.createHash('sha256');
  await new Promise<void>((resolve, reject) => {
    fs.createReadStream(req.file).on('data', (d) => hash.update(d)).on('end', () => resolve()).on('error', reject);
  });
  return { sha256: hash.digest('hex'), bytes: fs.statSync(req.file).size };
}
