/**
 * A backup paired with its live table: shared columns, columns added and dropped since, the
 * primary key with its types, the tenant column, and the scope context for predicates.
 */
import type { Backup, RestoreScope } from '../../../shared/backup.js';
import { CONSOLE_SCHEMA } from '../config.js';
import { UserError } from '../errors.js';
import { qualified } from '../ident.js';
import { TENANT_COLUMN_CANDIDATES } from '../model/detect.js';
import type { Session } from '../session.js';
import { validateScope, type ScopeContext } from './scope.js';
import { getUsableBackup } from './store.js';
import { readLiveTable, type LiveColumn, type LiveTable } from './table-info.js';

/** A backup and its live table, lined up. */
export interface BackupPair {
  backup: Backup;
  live: LiveTable;
  /** Quoted name of the backup copy. */
  backupRel: string;
  /** Quoted name of the live table. */
  liveRel: string;
  /** Backup columns the live table still has, in the backup's order. */
  common: string[];
  columnsAdded: LiveColumn[];
  columnsDropped: string[];
  primaryKey: { name: string; type: string }[];
  tenantColumn: LiveColumn | null;
  backupHasTenantColumn: boolean;
  scope: ScopeContext;
}

/** The spellings of a --tenant-column comma list. */
function spellings(given: string): string[] {
  return given.split(',').map((n) => n.trim()).filter(Boolean);
}

/**
 * The tenant column among a table's column names: the first of the given spellings (a
 * --tenant-column comma list) it has, else the first of the usual names, else null.
 */
export function tenantColumnAmong(columnNames: readonly string[], given: string | undefined): string | null {
  const wanted = [...(given ? spellings(given) : []), ...TENANT_COLUMN_CANDIDATES];
  return wanted.find((n) => columnNames.includes(n)) ?? null;
}

/** The tenant column of the live table: the given one (must exist), else the usual names. */
function pickTenantColumn(live: LiveTable, given: string | undefined): LiveColumn | null {
  const names = live.columns.map((c) => c.name);
  if (given && !spellings(given).some((n) => names.includes(n))) {
    throw new UserError(`tenant column ${spellings(given).map((n) => `"${n}"`).join(' or ')} not found in ${live.schema}.${live.table}; check --tenant-column`, 'usage', '--tenant-column');
  }
  const name = tenantColumnAmong(names, given);
  return live.columns.find((c) => c.name === name) ?? null;
}

/** Load a backup and its live table and line them up for `scope`. */
export async function loadPair(session: Session, backupId: number, scope: RestoreScope, tenantColumn?: string): Promise<BackupPair> {
  const backup = await getUsableBackup(session, backupId);
  const live = await readLiveTable(session, backup.sourceSchema, backup.sourceTable);
  const name = `${backup.sourceSchema}.${backup.sourceTable}`;
  if (!backup.primaryKey || backup.primaryKey.length === 0) {
    throw new UserError(`${name} had no primary key when backup ${backup.id} was taken; compare and restore match rows by primary key`, 'usage');
  }
  const missingKey = backup.primaryKey.filter((k) => !live.columns.some((c) => c.name === k));
  if (missingKey.length > 0) throw new UserError(`primary key column ${missingKey.join(', ')} of backup ${backup.id} no longer exists in ${name}`, 'usage');
  const liveNames = new Set(live.columns.map((c) => c.name));
  const backupNames = new Set(backup.columns.map((c) => c.name));
  const primaryKey = backup.primaryKey.map((k) => ({ name: k, type: live.columns.find((c) => c.name === k)!.type }));
  const tc = pickTenantColumn(live, tenantColumn);
  const pair: BackupPair = {
    backup,
    live,
    backupRel: qualified(CONSOLE_SCHEMA, backup.backupTable),
    liveRel: qualified(live.schema, live.table),
    common: backup.columns.map((c) => c.name).filter((n) => liveNames.has(n)),
    columnsAdded: live.columns.filter((c) => !backupNames.has(c.name)),
    columnsDropped: backup.columns.map((c) => c.name).filter((n) => !liveNames.has(n)),
    primaryKey,
    tenantColumn: tc,
    backupHasTenantColumn: tc !== null && backupNames.has(tc.name),
    scope: {
      scope,
      live: { schema: live.schema, table: live.table },
      primaryKey,
      tenantColumn: tc ? { name: tc.name, type: tc.type } : null,
      backupHasTenantColumn: tc !== null && backupNames.has(tc.name),
    },
  };
  validateScope(pair.scope);
  return pair;
}
