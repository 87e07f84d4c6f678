/**
 * The migration lint rules, each a function over one parsed statement and facts about its file.
 * Pure: no database. Names in rewrites are quoted with the driver's escaping.
 */
import type { Severity } from '../../../shared/checks.js';
import type { LintRuleId } from '../../../shared/migrations.js';
import { quoteIdent, quoteList } from '../ident.js';
import { nonTransactionalReason, relationKey, stringList, walk, type ParsedStatement, type PgNode } from './parse.js';

/** Default severity per rule. */
export const SEVERITY_OF: Record<LintRuleId, Severity> = {
  'parse-error': 'error',
  'not-null-without-check': 'error',
  'index-not-concurrent': 'error',
  'constraint-not-valid-missing': 'error',
  'validate-same-transaction': 'error',
  'volatile-default': 'error',
  'lock-timeout-missing': 'warning',
  'destructive-statement': 'error',
  'rls-without-policy': 'error',
  'unique-without-tenant': 'error',
  'non-transactional': 'warning',
};

/** What the rules know about the whole file. */
export interface FileFacts {
  created: Set<string>;
  /** Columns per table, for tables created in the file, plus columns added by ADD COLUMN. */
  columns: Map<string, Set<string>>;
  policies: Set<string>;
  /** table|constraint added NOT VALID in this file. */
  notValid: Set<string>;
  /** table|column with a CHECK (column IS NOT NULL) that is validated in this file. */
  validatedNotNull: Set<string>;
  /** Index of the first statement that sets lock_timeout, or Infinity. */
  firstLockTimeout: number;
}

/** Per-file context of a lint run. */
export interface RuleContext {
  facts: FileFacts;
  tenantColumns: string[];
  tablesWithPolicies: Set<string>;
  serverVersionNum: number;
  outsideTransaction: string | null;
  statementCount: number;
  lockTimeoutReported?: boolean;
}

/** One rule hit. */
export interface RuleHit {
  rule: LintRuleId;
  message: string;
  rewrite: string | null;
  severity?: Severity;
}

type Cmd = { subtype?: string; name?: string; def?: PgNode };
type RangeVar = { schemaname?: string; relname?: string };

const cmdsOf = (n: PgNode): Cmd[] => ((n.cmds as { AlterTableCmd: Cmd }[] | undefined) ?? []).map((c) => c.AlterTableCmd);
const tableSql = (r: unknown) => {
  const rv = r as RangeVar;
  return rv.schemaname ? `${quoteIdent(rv.schemaname)}.${quoteIdent(rv.relname ?? '')}` : quoteIdent(rv.relname ?? '');
};
const constraintOf = (c: Cmd) => (c.def?.Constraint ?? null) as { contype?: string; conname?: string; skip_validation?: boolean; raw_expr?: unknown; keys?: unknown } | null;

/** The column of a `col IS NOT NULL` check expression, or null. */
function isNotNullColumn(expr: unknown): string | null {
  const t = (expr as { NullTest?: { nulltesttype?: string; arg?: { ColumnRef?: { fields?: unknown } } } }).NullTest;
  if (!t || t.nulltesttype !== 'IS_NOT_NULL') return null;
  return stringList(t.arg?.ColumnRef?.fields).at(-1) ?? null;
}

/** What earlier files of the same folder taught: CHECK (col IS NOT NULL) constraints by table|name. */
export interface LintCarry {
  notNullChecks: Map<string, string>;
}

/** Gather the facts rules need about the whole file (and record what later files need in `carry`). */
export function fileFacts(stmts: readonly ParsedStatement[], carry: LintCarry = { notNullChecks: new Map() }): FileFacts {
  const f: FileFacts = { created: new Set(), columns: new Map(), policies: new Set(), notValid: new Set(), validatedNotNull: new Set(), firstLockTimeout: Infinity };
  const addColumn = (t: string, c: string) => f.columns.set(t, (f.columns.get(t) ?? new Set()).add(c));
  const notNullChecks = carry.notNullChecks;
  for (const s of stmts) {
    const n = s.node;
    if (s.type === 'CreateStmt' || s.type === 'CreateTableAsStmt') {
      const t = relationKey(n.relation ?? (n.into as PgNode | undefined)?.rel);
      if (t) {
        f.created.add(t);
        f.columns.set(t, f.columns.get(t) ?? new Set());
        for (const el of (n.tableElts as PgNode[] | undefined) ?? []) {
          const col = (el.ColumnDef as { colname?: string } | undefined)?.colname;
          if (col) addColumn(t, col);
        }
      }
    }
    if (s.type === 'CreatePolicyStmt') {
      const t = relationKey(n.table);
      if (t) f.policies.add(t);
    }
    if (s.type === 'VariableSetStmt' && n.name === 'lock_timeout') f.firstLockTimeout = Math.min(f.firstLockTimeout, s.index);
    if (s.type === 'SelectStmt') {
      walk(n, (type, fields) => {
        if (type === 'FuncCall' && stringList(fields.funcname).at(-1) === 'set_config' && /lock_timeout/.test(s.text)) {
          f.firstLockTimeout = Math.min(f.firstLockTimeout, s.index);
        }
      });
    }
    if (s.type === 'AlterTableStmt') {
      const t = relationKey(n.relation);
      if (!t) continue;
      for (const c of cmdsOf(n)) {
        const con = constraintOf(c);
        if (c.subtype === 'AT_AddColumn') {
          const col = (c.def?.ColumnDef as { colname?: string } | undefined)?.colname;
          if (col) addColumn(t, col);
        }
        if (c.subtype === 'AT_AddConstraint' && con) {
          if (con.skip_validation && con.conname) f.notValid.add(`${t}|${con.conname}`);
          const col = con.contype === 'CONSTR_CHECK' ? isNotNullColumn(con.raw_expr) : null;
          if (col && !con.skip_validation) f.validatedNotNull.add(`${t}|${col}`);
          if (col && con.skip_validation && con.conname) notNullChecks.set(`${t}|${con.conname}`, col);
        }
        if (c.subtype === 'AT_ValidateConstraint' && c.name) {
          const col = notNullChecks.get(`${t}|${c.name}`);
          if (col) f.validatedNotNull.add(`${t}|${col}`);
        }
      }
    }
  }
  return f;
}

const VOLATILE = new Set(['random', 'gen_random_uuid', 'uuid_generate_v1', 'uuid_generate_v1mc', 'uuid_generate_v4', 'uuidv4', 'uuidv7', 'clock_timestamp', 'timeofday', 'nextval', 'random_normal', 'txid_current']);
const SERIAL = new Set(['serial', 'bigserial', 'smallserial', 'serial4', 'serial8', 'serial2']);
const TENANT_TABLES = new Set(['organizations', 'organization', 'orgs', 'tenants', 'tenant']);

function volatileIn(expr: unknown): string | null {
  let hit: string | null = null;
  walk(expr, (type, fields) => {
    const name = type === 'FuncCall' ? stringList(fields.funcname).at(-1) : undefined;
    if (name && VOLATILE.has(name)) hit ??= name;
  });
  return hit;
}

function alterTableRules(s: ParsedStatement, ctx: RuleContext): RuleHit[] {
  const n = s.node;
  const t = relationKey(n.relation);
  if (!t || ctx.facts.created.has(t)) return [];
  const tbl = tableSql(n.relation);
  const hits: RuleHit[] = [];
  for (const c of cmdsOf(n)) {
    const con = constraintOf(c);
    if (c.subtype === 'AT_SetNotNull' && c.name && !ctx.facts.validatedNotNull.has(`${t}|${c.name}`)) {
      const cn = quoteIdent(`${(n.relation as RangeVar).relname}_${c.name}_not_null`);
      const col = quoteIdent(c.name);
      hits.push({
        rule: 'not-null-without-check',
        message: `SET NOT NULL on ${c.name} scans the whole table under an ACCESS EXCLUSIVE lock; prove it first with a validated CHECK (${c.name} IS NOT NULL)`,
        rewrite: `ALTER TABLE ${tbl} ADD CONSTRAINT ${cn} CHECK (${col} IS NOT NULL) NOT VALID;\n-- next migration:\nALTER TABLE ${tbl} VALIDATE CONSTRAINT ${cn};\n-- then (PostgreSQL 12+ uses the check and skips the scan):\nALTER TABLE ${tbl} ALTER COLUMN ${col} SET NOT NULL;\nALTER TABLE ${tbl} DROP CONSTRAINT ${cn};`,
      });
    }
    if (c.subtype === 'AT_AddConstraint' && con && (con.contype === 'CONSTR_FOREIGN' || con.contype === 'CONSTR_CHECK') && !con.skip_validation) {
      const kind = con.contype === 'CONSTR_FOREIGN' ? 'FOREIGN KEY' : 'CHECK';
      const validate = con.conname ? `ALTER TABLE ${tbl} VALIDATE CONSTRAINT ${quoteIdent(con.conname)};` : 'ALTER TABLE ... VALIDATE CONSTRAINT <name>;';
      hits.push({
        rule: 'constraint-not-valid-missing',
        message: `adding a ${kind} without NOT VALID checks every existing row while holding a lock that blocks writes`,
        rewrite: `${s.text} NOT VALID;\n-- next migration (takes only SHARE UPDATE EXCLUSIVE):\n${validate}`,
      });
    }
    if (c.subtype === 'AT_ValidateConstraint' && c.name && ctx.facts.notValid.has(`${t}|${c.name}`) && !ctx.outsideTransaction) {
      hits.push({
        rule: 'validate-same-transaction',
        message: `VALIDATE CONSTRAINT ${c.name} runs in the same transaction that added it NOT VALID, so the ADD's lock is held through the whole validation scan`,
        rewrite: `-- move to the next migration:\n${s.text};`,
      });
    }
    if (c.subtype === 'AT_AddColumn') {
      const def = (c.def?.ColumnDef ?? {}) as { colname?: string; typeName?: { names?: unknown }; constraints?: { Constraint?: { contype?: string; raw_expr?: unknown } }[] };
      const typeNames = stringList(def.typeName?.names).filter((x) => x !== 'pg_catalog');
      const dflt = (def.constraints ?? []).map((x) => x.Constraint).find((x) => x?.contype === 'CONSTR_DEFAULT');
      const fn = dflt ? volatileIn(dflt.raw_expr) : null;
      const serial = typeNames.length === 1 && SERIAL.has(typeNames[0]!) ? typeNames[0]! : null;
      if (fn || serial) {
        const col = quoteIdent(def.colname ?? 'column');
        hits.push({
          rule: 'volatile-default',
          message: `ADD COLUMN ${def.colname} with a volatile default (${fn ? `${fn}()` : serial}) rewrites the whole table under an ACCESS EXCLUSIVE lock`,
          rewrite: `ALTER TABLE ${tbl} ADD COLUMN ${col} ${serial ? (serial.startsWith('big') || serial === 'serial8' ? 'bigint' : 'integer') : typeNames.join('.')};\nALTER TABLE ${tbl} ALTER COLUMN ${col} SET DEFAULT ${fn ? `${fn}()` : 'nextval(<sequence>)'};  -- new rows only\n-- backfill existing rows in batches (tenancy backfill), then add NOT NULL the safe way`,
        });
      }
    }
    if (c.subtype === 'AT_DropColumn') {
      hits.push({
        rule: 'destructive-statement',
        message: `DROP COLUMN ${c.name} deletes its data for good`,
        rewrite: `-- back the table up first (tenancy backup ${tbl}), stop using the column in the app, and drop it in a later release;\n-- then acknowledge with --ack destructive-statement`,
      });
    }
    if (c.subtype === 'AT_EnableRowSecurity' && !ctx.facts.policies.has(t) && !ctx.tablesWithPolicies.has(t)) {
      hits.push({
        rule: 'rls-without-policy',
        message: `row level security on ${t} with no policy hides every row from non-owner roles`,
        rewrite: `CREATE POLICY tenant_isolation ON ${tbl} USING (${quoteIdent(ctx.tenantColumns[0]!)} = current_setting('app.tenant_id')::uuid);\n${s.text};`,
      });
    }
    if (c.subtype === 'AT_AddConstraint' && con?.contype === 'CONSTR_UNIQUE') hits.push(...uniqueRule(t, n.relation, stringList(con.keys), ctx, 'constraint'));
  }
  return hits;
}

function tenantCoverage(t: string, ctx: RuleContext): 'has' | 'lacks' | 'unknown' {
  const cols = ctx.facts.columns.get(t);
  if (cols && ctx.tenantColumns.some((c) => cols.has(c))) return 'has';
  if (ctx.facts.created.has(t)) return 'lacks';
  return 'unknown';
}

function uniqueRule(t: string, relation: unknown, keys: (string | null)[], ctx: RuleContext, kind: 'index' | 'constraint'): RuleHit[] {
  const rel = (relation as RangeVar).relname ?? '';
  if (TENANT_TABLES.has(rel) || keys.some((k) => k && ctx.tenantColumns.includes(k))) return [];
  const coverage = tenantCoverage(t, ctx);
  if (coverage === 'lacks') return [];
  const cols = keys.filter((k): k is string => !!k);
  const scoped = quoteList([ctx.tenantColumns[0]!, ...cols]);
  return [{
    rule: 'unique-without-tenant',
    severity: coverage === 'has' ? 'error' : 'warning',
    message: `unique ${kind} on ${t} (${cols.join(', ')}) leaves out the tenant column, so two tenants cannot have the same value`,
    rewrite: kind === 'index'
      ? `CREATE UNIQUE INDEX CONCURRENTLY ON ${tableSql(relation)} (${scoped});`
      : `ALTER TABLE ${tableSql(relation)} ADD UNIQUE (${scoped});`,
  }];
}

function indexRules(s: ParsedStatement, ctx: RuleContext): RuleHit[] {
  const n = s.node;
  const t = relationKey(n.relation);
  if (!t) return [];
  const hits: RuleHit[] = [];
  if (!n.concurrent && !ctx.facts.created.has(t)) {
    hits.push({
      rule: 'index-not-concurrent',
      message: `CREATE INDEX without CONCURRENTLY blocks every write to ${t} until the index is built`,
      rewrite: `${s.text.replace(/^CREATE\s+(UNIQUE\s+)?INDEX/i, (_m, u: string | undefined) => `CREATE ${u ? 'UNIQUE ' : ''}INDEX CONCURRENTLY`)};\n-- in a migration of its own: it cannot run inside a transaction`,
    });
  }
  if (n.unique && !(n.primary)) {
    const keys = ((n.indexParams as { IndexElem?: { name?: string } }[] | undefined) ?? []).map((p) => p.IndexElem?.name ?? null);
    hits.push(...uniqueRule(t, n.relation, keys, ctx, 'index'));
  }
  return hits;
}

function createTableRules(s: ParsedStatement, ctx: RuleContext): RuleHit[] {
  const t = relationKey(s.node.relation);
  if (!t) return [];
  const hits: RuleHit[] = [];
  for (const el of (s.node.tableElts as PgNode[] | undefined) ?? []) {
    const con = el.Constraint as { contype?: string; keys?: unknown } | undefined;
    if (con?.contype === 'CONSTR_UNIQUE') hits.push(...uniqueRule(t, s.node.relation, stringList(con.keys), ctx, 'constraint'));
    const col = el.ColumnDef as { colname?: string; constraints?: { Constraint?: { contype?: string } }[] } | undefined;
    if (col?.colname && (col.constraints ?? []).some((x) => x.Constraint?.contype === 'CONSTR_UNIQUE')) {
      hits.push(...uniqueRule(t, s.node.relation, [col.colname], ctx, 'constraint'));
    }
  }
  return hits;
}

function destructiveRules(s: ParsedStatement, ctx: RuleContext): RuleHit[] {
  const n = s.node;
  if (s.type === 'DropStmt' && n.removeType === 'OBJECT_TABLE') {
    const names = ((n.objects as { List?: { items?: unknown } }[] | undefined) ?? []).map((o) => stringList(o.List?.items));
    const existing = names.filter((parts) => !ctx.facts.created.has(parts.length > 1 ? parts.join('.') : `public.${parts[0]}`));
    if (!existing.length) return [];
    return [{ rule: 'destructive-statement', message: `DROP TABLE ${existing.map((p) => p.join('.')).join(', ')} deletes the data for good`, rewrite: '-- back the table up first (tenancy backup), rename it instead and drop it in a later release;\n-- then acknowledge with --ack destructive-statement' }];
  }
  if (s.type === 'TruncateStmt') {
    return [{ rule: 'destructive-statement', message: 'TRUNCATE deletes every row', rewrite: '-- back the table up first (tenancy backup), then acknowledge with --ack destructive-statement' }];
  }
  if (s.type === 'DeleteStmt' && !n.whereClause) {
    return [{ rule: 'destructive-statement', message: `DELETE without WHERE deletes every row of ${relationKey(n.relation)}`, rewrite: `${s.text} WHERE <condition>;` }];
  }
  return [];
}

const ACCESS_EXCLUSIVE = new Set(['AlterTableStmt', 'TruncateStmt', 'RenameStmt', 'DropStmt']);

function takesAccessExclusive(s: ParsedStatement, ctx: RuleContext): boolean {
  if (!ACCESS_EXCLUSIVE.has(s.type)) return false;
  if (s.type === 'AlterTableStmt') {
    const t = relationKey(s.node.relation);
    if (!t || ctx.facts.created.has(t)) return false;
    return cmdsOf(s.node).some((c) => c.subtype !== 'AT_ValidateConstraint');
  }
  if (s.type === 'DropStmt') return (s.node.removeType === 'OBJECT_TABLE' || s.node.removeType === 'OBJECT_INDEX') && !s.node.concurrent;
  if (s.type === 'RenameStmt') return ['OBJECT_TABLE', 'OBJECT_COLUMN'].includes(String(s.node.renameType));
  return true;
}

function lockTimeoutRule(s: ParsedStatement, ctx: RuleContext): RuleHit[] {
  if (ctx.lockTimeoutReported || s.index > ctx.facts.firstLockTimeout) return [];
  if (!takesAccessExclusive(s, ctx)) return [];
  ctx.lockTimeoutReported = true;
  return [{
    rule: 'lock-timeout-missing',
    message: 'this takes an ACCESS EXCLUSIVE lock with no SET lock_timeout before it: waiting behind a long transaction queues every query on the table (the console sets one when it applies; other tools do not)',
    rewrite: `SET lock_timeout = '3s';\n${s.text};`,
  }];
}

function nonTransactionalRule(s: ParsedStatement, ctx: RuleContext): RuleHit[] {
  const why = nonTransactionalReason(s, ctx.serverVersionNum);
  if (!why) return [];
  if (ctx.statementCount === 1) return [];
  return [{
    rule: 'non-transactional',
    message: `${why} cannot run inside a transaction: this migration runs statement by statement, and a failure part-way leaves the statements before it applied`,
    rewrite: `-- put it in a migration of its own:\n${s.text};`,
  }];
}

/** Every rule check, in report order. */
export const RULE_CHECKS: ((s: ParsedStatement, ctx: RuleContext) => RuleHit[])[] = [
  (s, ctx) => (s.type === 'AlterTableStmt' ? alterTableRules(s, ctx) : []),
  (s, ctx) => (s.type === 'IndexStmt' ? indexRules(s, ctx) : []),
  (s, ctx) => (s.type === 'CreateStmt' ? createTableRules(s, ctx) : []),
  destructiveRules,
  lockTimeoutRule,
  nonTransactionalRule,
];
