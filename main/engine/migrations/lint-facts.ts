/**
 * What the lint rules know beyond one statement: what the file creates, which statements share a
 * transaction (the runner's wrap, explicit BEGIN..COMMIT blocks, autocommit), and what earlier
 * files of the folder taught (columns of tables, NOT VALID checks, indexes), carried file to file.
 */
import type { Severity } from '../../../shared/checks.js';
import type { LintRuleId } from '../../../shared/migrations.js';
import type { StatementLock } from './lint-locks.js';
import { nonTransactionalReason, relationKey, stringList, walk, type ParsedStatement, type PgNode } from './parse.js';

/** What earlier files of the same folder taught. */
export interface LintCarry {
  /** CHECK (col IS NOT NULL) constraints added NOT VALID, by table|name -> column. */
  notNullChecks: Map<string, string>;
  /** Columns of tables the folder created or added to, by table -> column -> type. */
  columns: Map<string, Map<string, ColumnType>>;
  /** Indexes the folder created: name (schema.name) -> table and key columns. */
  indexes: Map<string, { table: string; keys: (string | null)[] }>;
  /** table|column with a validated CHECK (column IS NOT NULL). */
  validatedNotNull: Set<string>;
}

/** A column's type as the folder declared it: the bare name (int4, varchar) and its typmods. */
export interface ColumnType {
  key: string;
  mods: number[];
}

/** The ColumnType of a TypeName node. */
export function columnType(typeName: unknown): ColumnType {
  const t = (typeName ?? {}) as { names?: unknown; typmods?: { A_Const?: { ival?: { ival?: number } } }[] };
  return { key: stringList(t.names).at(-1) ?? '', mods: (t.typmods ?? []).map((m) => m.A_Const?.ival?.ival ?? 0) };
}

/** Tables a file creates, with the statement that creates each; `has` answers for the statement at `cursor`. */
export class CreatedTables {
  private readonly at = new Map<string, number>();
  /** The statement being linted; a table counts as created when its CREATE comes before it. */
  cursor = Infinity;

  add(table: string, index: number): void {
    if (!this.at.has(table)) this.at.set(table, index);
  }

  has(table: string): boolean {
    const i = this.at.get(table);
    return i !== undefined && i < this.cursor;
  }
}

/** A fresh carry for a new lint run. */
export const newCarry = (): LintCarry => ({ notNullChecks: new Map(), columns: new Map(), indexes: new Map(), validatedNotNull: new Set() });

/** What the rules know about the whole file. */
export interface FileFacts {
  /** Tables created in this file before the statement being linted (empty: no lock or rewrite matters). */
  created: CreatedTables;
  policies: Set<string>;
  /** table|constraint added NOT VALID, with the transaction group it was added in. */
  notValid: Map<string, number>;
  /** table|column with a CHECK (column IS NOT NULL) validated in this file or an earlier one. */
  validatedNotNull: Set<string>;
  /** Index of the first statement that sets lock_timeout / statement_timeout, or Infinity. */
  firstLockTimeout: number;
  firstStatementTimeout: number;
  /** Transaction group of each statement: statements with the same number commit together. */
  group: number[];
  /** Whether statement i is inside an explicit BEGIN..COMMIT of the file. */
  explicit: boolean[];
  /** Whether the runner wraps the whole file in one transaction. */
  wrapped: boolean;
  /** The type a column had just before statement i changed it: `${i}|table|column`. */
  typeBefore: Map<string, ColumnType>;
  /** Tables dropped so far in the file (for drop-then-create). */
  droppedAt: Map<string, number>;
}

/** Per-file context of a lint run. */
export interface RuleContext {
  facts: FileFacts;
  carry: LintCarry;
  tenantColumns: string[];
  tablesWithPolicies: Set<string>;
  serverVersionNum: number;
  statements: readonly ParsedStatement[];
}

/** One rule hit. */
export interface RuleHit {
  rule: LintRuleId;
  message: string;
  rewrite: string | null;
  severity?: Severity;
  /** The lock this finding is about, when it is not the statement's own. */
  lock?: StatementLock | null;
}

/** A rule: hits for one statement. */
export type RuleCheck = (s: ParsedStatement, ctx: RuleContext) => RuleHit[];

/** The column of a `col IS NOT NULL` check expression, or null. */
export function isNotNullColumn(expr: unknown): string | null {
  const t = (expr as { NullTest?: { nulltesttype?: string; arg?: { ColumnRef?: { fields?: unknown } } } }).NullTest;
  if (!t || t.nulltesttype !== 'IS_NOT_NULL') return null;
  return stringList(t.arg?.ColumnRef?.fields).at(-1) ?? null;
}

type Cmd = { subtype?: string; name?: string; def?: PgNode };
/** The subcommands of an ALTER TABLE. */
export const cmdsOf = (n: PgNode): Cmd[] => ((n.cmds as { AlterTableCmd: Cmd }[] | undefined) ?? []).map((c) => c.AlterTableCmd);
/** The constraint an ALTER TABLE subcommand adds, if any. */
export const constraintOf = (c: Cmd) => (c.def?.Constraint ?? null) as {
  contype?: string; conname?: string; skip_validation?: boolean; raw_expr?: unknown; keys?: unknown; indexname?: string; location?: number; exclusions?: unknown;
} | null;

function transactionGroups(stmts: readonly ParsedStatement[], serverVersionNum: number): Pick<FileFacts, 'group' | 'explicit' | 'wrapped'> {
  const own = stmts.some((s) => s.type === 'TransactionStmt');
  const nonTx = stmts.some((s) => nonTransactionalReason(s, serverVersionNum));
  if (!own && !nonTx) return { group: stmts.map(() => 0), explicit: stmts.map(() => false), wrapped: true };
  const group: number[] = [];
  const explicit: boolean[] = [];
  let next = 1;
  let open: number | null = null;
  for (const s of stmts) {
    const kind = s.type === 'TransactionStmt' ? String(s.node.kind) : '';
    if (kind === 'TRANS_STMT_BEGIN' || kind === 'TRANS_STMT_START') {
      open ??= next++;
      group.push(open);
      explicit.push(true);
      continue;
    }
    if (kind === 'TRANS_STMT_COMMIT' || kind === 'TRANS_STMT_ROLLBACK' || kind === 'TRANS_STMT_COMMIT_PREPARED' || kind === 'TRANS_STMT_PREPARE') {
      group.push(open ?? next++);
      explicit.push(open !== null);
      open = null;
      continue;
    }
    group.push(open ?? next++);
    explicit.push(open !== null);
  }
  return { group, explicit, wrapped: false };
}

function setsSetting(s: ParsedStatement, name: string): boolean {
  if (s.type === 'VariableSetStmt') return s.node.name === name;
  let hit = false;
  if (s.type === 'SelectStmt') {
    walk(s.node, (type, fields) => {
      if (type !== 'FuncCall' || stringList(fields.funcname).at(-1) !== 'set_config') return;
      const first = ((fields.args as { A_Const?: { sval?: { sval?: string } } }[] | undefined) ?? [])[0]?.A_Const?.sval?.sval;
      if (first === name) hit = true;
    });
  }
  return hit;
}

/** Gather the facts rules need about the whole file, and record in `carry` what later files need. */
export function fileFacts(stmts: readonly ParsedStatement[], carry: LintCarry, serverVersionNum: number): FileFacts {
  const f: FileFacts = {
    created: new CreatedTables(), policies: new Set(), notValid: new Map(), validatedNotNull: carry.validatedNotNull,
    firstLockTimeout: Infinity, firstStatementTimeout: Infinity, droppedAt: new Map(), typeBefore: new Map(),
    ...transactionGroups(stmts, serverVersionNum),
  };
  const addColumn = (t: string, c: string, type: ColumnType) => carry.columns.set(t, (carry.columns.get(t) ?? new Map()).set(c, type));
  for (const s of stmts) {
    const n = s.node;
    if (setsSetting(s, 'lock_timeout')) f.firstLockTimeout = Math.min(f.firstLockTimeout, s.index);
    if (setsSetting(s, 'statement_timeout')) f.firstStatementTimeout = Math.min(f.firstStatementTimeout, s.index);
    if (s.type === 'CreateStmt' || s.type === 'CreateTableAsStmt') {
      const t = relationKey(n.relation ?? (n.into as PgNode | undefined)?.rel);
      if (!t) continue;
      f.created.add(t, s.index);
      carry.columns.set(t, carry.columns.get(t) ?? new Map());
      for (const el of (n.tableElts as PgNode[] | undefined) ?? []) {
        const col = el.ColumnDef as { colname?: string; typeName?: unknown } | undefined;
        if (col?.colname) addColumn(t, col.colname, columnType(col.typeName));
      }
    }
    if (s.type === 'CreatePolicyStmt') {
      const t = relationKey(n.table);
      if (t) f.policies.add(t);
    }
    if (s.type === 'IndexStmt' && n.idxname) {
      const t = relationKey(n.relation);
      const keys = ((n.indexParams as { IndexElem?: { name?: string } }[] | undefined) ?? []).map((p) => p.IndexElem?.name ?? null);
      if (t) carry.indexes.set(`${(n.relation as { schemaname?: string }).schemaname ?? 'public'}.${String(n.idxname)}`, { table: t, keys });
    }
    if (s.type !== 'AlterTableStmt') continue;
    const t = relationKey(n.relation);
    if (!t) continue;
    for (const c of cmdsOf(n)) {
      const con = constraintOf(c);
      if (c.subtype === 'AT_AddColumn') {
        const col = c.def?.ColumnDef as { colname?: string; typeName?: unknown } | undefined;
        if (col?.colname) addColumn(t, col.colname, columnType(col.typeName));
      }
      if (c.subtype === 'AT_AlterColumnType' && c.name) {
        const before = carry.columns.get(t)?.get(c.name);
        if (before) f.typeBefore.set(`${s.index}|${t}|${c.name}`, before);
        if (carry.columns.has(t)) addColumn(t, c.name, columnType((c.def?.ColumnDef as { typeName?: unknown } | undefined)?.typeName));
      }
      if (c.subtype === 'AT_AddConstraint' && con) {
        if (con.skip_validation && con.conname) f.notValid.set(`${t}|${con.conname}`, f.group[s.index] ?? 0);
        const col = con.contype === 'CONSTR_CHECK' ? isNotNullColumn(con.raw_expr) : null;
        if (col && !con.skip_validation) f.validatedNotNull.add(`${t}|${col}`);
        if (col && con.skip_validation && con.conname) carry.notNullChecks.set(`${t}|${con.conname}`, col);
      }
      if (c.subtype === 'AT_ValidateConstraint' && c.name) {
        const col = carry.notNullChecks.get(`${t}|${c.name}`);
        if (col) f.validatedNotNull.add(`${t}|${col}`);
      }
    }
  }
  return f;
}

/** Lower-case, underscores dropped: `tenant_id`, `tenantId` and `TenantID` name the same column. */
export const normalizeColumn = (c: string) => c.toLowerCase().replace(/_/g, '');

/** The tenant column a table is known to have (from this folder), or null. */
export function tenantColumnOf(table: string, ctx: RuleContext): string | null {
  const cols = ctx.carry.columns.get(table);
  if (!cols) return null;
  const wanted = new Set(ctx.tenantColumns.map(normalizeColumn));
  for (const c of cols.keys()) if (wanted.has(normalizeColumn(c))) return c;
  return null;
}
