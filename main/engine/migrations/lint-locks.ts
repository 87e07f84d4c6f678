/**
 * The lock model: the table-level lock each statement takes, as PostgreSQL's documentation gives
 * it (the "Lock" notes of ALTER TABLE, CREATE/DROP/REINDEX INDEX, CLUSTER, VACUUM, REFRESH
 * MATERIALIZED VIEW, LOCK, CREATE TRIGGER, and "Explicit Locking" 13.3). ALTER TABLE takes the
 * strongest lock of its subcommands.
 */
import { relationKey, stringList, type ParsedStatement, type PgNode } from './parse.js';

/** PostgreSQL's table lock modes, weakest first. */
export const LOCK_MODES = [
  'ACCESS SHARE', 'ROW SHARE', 'ROW EXCLUSIVE', 'SHARE UPDATE EXCLUSIVE', 'SHARE', 'SHARE ROW EXCLUSIVE', 'EXCLUSIVE', 'ACCESS EXCLUSIVE',
] as const;
export type LockMode = (typeof LOCK_MODES)[number];

/** What a lock mode blocks, for messages. */
export const LOCK_BLOCKS: Record<LockMode, string> = {
  'ACCESS SHARE': 'only ACCESS EXCLUSIVE',
  'ROW SHARE': 'EXCLUSIVE and ACCESS EXCLUSIVE',
  'ROW EXCLUSIVE': 'SHARE and stronger (index builds, not reads or writes)',
  'SHARE UPDATE EXCLUSIVE': 'other schema changes and VACUUM, not reads or writes',
  SHARE: 'writes (INSERT, UPDATE, DELETE), not reads',
  'SHARE ROW EXCLUSIVE': 'writes, not reads',
  EXCLUSIVE: 'writes and SELECT ... FOR UPDATE, not plain reads',
  'ACCESS EXCLUSIVE': 'every read and write',
};

/** The lock a statement takes on one relation. */
export interface StatementLock {
  mode: LockMode;
  /** schema.table, or null when the statement names none. */
  relation: string | null;
}

const rank = (m: LockMode) => LOCK_MODES.indexOf(m);
/** The stronger of two lock modes. */
export const stronger = (a: LockMode, b: LockMode): LockMode => (rank(a) >= rank(b) ? a : b);
/** Whether mode `a` blocks ordinary writes (SHARE or stronger). */
export const blocksWrites = (m: LockMode) => rank(m) >= rank('SHARE');

const SHARE_UPDATE_EXCLUSIVE_CMDS = new Set([
  'AT_SetStatistics', 'AT_SetOptions', 'AT_ResetOptions', 'AT_ClusterOn', 'AT_DropCluster', 'AT_ValidateConstraint',
  'AT_SetRelOptions', 'AT_ResetRelOptions',
]);
const SHARE_ROW_EXCLUSIVE_CMDS = new Set([
  'AT_EnableTrig', 'AT_EnableAlwaysTrig', 'AT_EnableReplicaTrig', 'AT_EnableTrigAll', 'AT_EnableTrigUser',
  'AT_DisableTrig', 'AT_DisableTrigAll', 'AT_DisableTrigUser',
]);

type Cmd = { subtype?: string; def?: PgNode };

/** The lock of one ALTER TABLE subcommand (on the altered table). */
export function alterCmdLock(c: Cmd, serverVersionNum = 999999): LockMode {
  const st = c.subtype ?? '';
  if (SHARE_UPDATE_EXCLUSIVE_CMDS.has(st)) return 'SHARE UPDATE EXCLUSIVE';
  if (SHARE_ROW_EXCLUSIVE_CMDS.has(st)) return 'SHARE ROW EXCLUSIVE';
  if (st === 'AT_AddConstraint' && (c.def?.Constraint as { contype?: string } | undefined)?.contype === 'CONSTR_FOREIGN') return 'SHARE ROW EXCLUSIVE';
  if (st === 'AT_AttachPartition' && serverVersionNum >= 120000) return 'SHARE UPDATE EXCLUSIVE';
  if (st === 'AT_DetachPartition' && (c.def?.PartitionCmd as { concurrent?: boolean } | undefined)?.concurrent) return 'SHARE UPDATE EXCLUSIVE';
  return 'ACCESS EXCLUSIVE';
}

const LOCK_STMT_MODES: Record<number, LockMode> = {
  1: 'ACCESS SHARE', 2: 'ROW SHARE', 3: 'ROW EXCLUSIVE', 4: 'SHARE UPDATE EXCLUSIVE', 5: 'SHARE', 6: 'SHARE ROW EXCLUSIVE', 7: 'EXCLUSIVE', 8: 'ACCESS EXCLUSIVE',
};

/** Whether a DefElem option list turns an option on (`(CONCURRENTLY)`, `(FULL true)`), not off (`false`, `off`, `0`). */
export function optionOn(params: unknown, name: string): boolean {
  const el = ((params as { DefElem?: { defname?: string; arg?: PgNode } }[] | undefined) ?? []).map((p) => p.DefElem).find((d) => d?.defname === name);
  if (!el) return false;
  const arg = el.arg as { String?: { sval?: string }; Integer?: { ival?: number }; Boolean?: { boolval?: boolean } } | undefined;
  if (!arg) return true;
  if (arg.Boolean) return !!arg.Boolean.boolval;
  if (arg.Integer) return (arg.Integer.ival ?? 0) !== 0;
  const v = (arg.String?.sval ?? '').toLowerCase();
  return !['false', 'off', '0', 'no'].includes(v);
}

/**
 * The strongest table lock a statement takes and on which relation, or null for statements that
 * take no table lock worth naming (SET, BEGIN, CREATE TABLE of a new table, CREATE FUNCTION).
 */
export function statementLock(s: ParsedStatement, serverVersionNum = 999999): StatementLock | null {
  const n = s.node;
  const on = (mode: LockMode, rel: unknown = n.relation): StatementLock => ({ mode, relation: relationKey(rel) });
  switch (s.type) {
    case 'AlterTableStmt': {
      const cmds = ((n.cmds as { AlterTableCmd: Cmd }[] | undefined) ?? []).map((c) => c.AlterTableCmd);
      if (!cmds.length) return null;
      const mode = cmds.map((c) => alterCmdLock(c, serverVersionNum)).reduce(stronger);
      return on(mode);
    }
    case 'IndexStmt':
      return on(n.concurrent ? 'SHARE UPDATE EXCLUSIVE' : 'SHARE');
    case 'ReindexStmt':
      return on(optionOn(n.params, 'concurrently') ? 'SHARE UPDATE EXCLUSIVE' : 'SHARE');
    case 'ClusterStmt':
      return on('ACCESS EXCLUSIVE');
    case 'VacuumStmt': {
      const rel = ((n.rels as { VacuumRelation?: { relation?: unknown } }[] | undefined) ?? [])[0]?.VacuumRelation?.relation;
      return { mode: n.is_vacuumcmd && optionOn(n.options, 'full') ? 'ACCESS EXCLUSIVE' : 'SHARE UPDATE EXCLUSIVE', relation: relationKey(rel) };
    }
    case 'RefreshMatViewStmt':
      return on(n.concurrent ? 'EXCLUSIVE' : 'ACCESS EXCLUSIVE');
    case 'LockStmt': {
      const rel = ((n.relations as { RangeVar?: unknown }[] | undefined) ?? [])[0]?.RangeVar;
      return { mode: LOCK_STMT_MODES[Number(n.mode ?? 8)] ?? 'ACCESS EXCLUSIVE', relation: relationKey(rel) };
    }
    case 'TruncateStmt': {
      const rel = ((n.relations as { RangeVar?: unknown }[] | undefined) ?? [])[0]?.RangeVar;
      return { mode: 'ACCESS EXCLUSIVE', relation: relationKey(rel) };
    }
    case 'DropStmt': {
      const kinds = ['OBJECT_TABLE', 'OBJECT_INDEX', 'OBJECT_VIEW', 'OBJECT_MATVIEW', 'OBJECT_FOREIGN_TABLE', 'OBJECT_SEQUENCE', 'OBJECT_TRIGGER', 'OBJECT_POLICY', 'OBJECT_RULE'];
      if (!kinds.includes(String(n.removeType))) return null;
      const first = ((n.objects as { List?: { items?: unknown } }[] | undefined) ?? [])[0];
      const parts = stringList(first?.List?.items);
      const onTable = ['OBJECT_TRIGGER', 'OBJECT_POLICY', 'OBJECT_RULE'].includes(String(n.removeType));
      const rel = onTable ? parts.slice(0, -1) : parts;
      const relation = rel.length ? (rel.length > 1 ? rel.join('.') : `public.${rel[0]}`) : null;
      return { mode: n.removeType === 'OBJECT_INDEX' && n.concurrent ? 'SHARE UPDATE EXCLUSIVE' : 'ACCESS EXCLUSIVE', relation };
    }
    case 'RenameStmt': {
      const t = String(n.renameType);
      if (t === 'OBJECT_INDEX') return on(serverVersionNum >= 120000 ? 'SHARE UPDATE EXCLUSIVE' : 'ACCESS EXCLUSIVE');
      if (['OBJECT_TABLE', 'OBJECT_COLUMN', 'OBJECT_TABCONSTRAINT', 'OBJECT_VIEW', 'OBJECT_MATVIEW', 'OBJECT_TRIGGER', 'OBJECT_POLICY'].includes(t)) return on('ACCESS EXCLUSIVE');
      return null;
    }
    case 'CreateTrigStmt':
      return on('SHARE ROW EXCLUSIVE');
    case 'CreatePolicyStmt':
    case 'AlterPolicyStmt':
      return on('ACCESS EXCLUSIVE', n.table);
    case 'RuleStmt':
      return on('ACCESS EXCLUSIVE');
    case 'CommentStmt':
      return null;
    case 'UpdateStmt':
    case 'DeleteStmt':
    case 'InsertStmt':
      return on('ROW EXCLUSIVE');
    case 'ViewStmt':
      return n.replace ? on('ACCESS EXCLUSIVE', n.view) : null;
    case 'CreateStmt': {
      let ref: unknown = null;
      for (const el of (n.tableElts as PgNode[] | undefined) ?? []) {
        const cons = [el.Constraint, ...(((el.ColumnDef as { constraints?: { Constraint?: unknown }[] } | undefined)?.constraints ?? []).map((c) => c.Constraint))];
        for (const c of cons) {
          const con = c as { contype?: string; pktable?: unknown } | undefined;
          if (con?.contype === 'CONSTR_FOREIGN') ref ??= con.pktable;
        }
      }
      return ref ? { mode: 'SHARE ROW EXCLUSIVE', relation: relationKey(ref) } : null;
    }
    default:
      return null;
  }
}

/** "ACCESS EXCLUSIVE on public.items" */
export function describeLock(l: StatementLock | null): string | null {
  return l ? `${l.mode}${l.relation ? ` on ${l.relation}` : ''}` : null;
}
