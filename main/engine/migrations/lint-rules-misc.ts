/**
 * Lint rules over whole statements: destructive ones (DROP TABLE / DATABASE / SCHEMA, TRUNCATE,
 * DELETE without WHERE), renames, DROP then CREATE of the same table, domain constraints, and
 * full-table UPDATE/DELETE in the same transaction as DDL.
 */
import { quoteIdent } from '../ident.js';
import type { RuleContext, RuleHit } from './lint-facts.js';
import { statementLock } from './lint-locks.js';
import { cloneNode, columnRef, statementSql, stringNodes, typeNameSql } from './lint-deparse.js';
import { placeholder, tableSql } from './lint-sql.js';
import { relationKey, stringList, type ParsedStatement, type PgNode } from './parse.js';

const BACKUP = '-- back it up first (tenancy backup), then acknowledge with --ack destructive-statement';
const keyOf = (parts: string[]) => (parts.length > 1 ? parts.join('.') : `public.${parts[0]}`);

/** The UPDATE or DELETE with `WHERE "<what>"` (a named placeholder), deparsed so the clause lands where the grammar wants it. */
export function withWhere(s: ParsedStatement, what: string): string {
  return statementSql(s.type, { ...cloneNode(s.node), whereClause: columnRef(`<${what}>`) });
}

/** DROP TABLE / DATABASE / SCHEMA, TRUNCATE and DELETE without WHERE. */
export function destructiveRules(s: ParsedStatement, ctx: RuleContext): RuleHit[] {
  const n = s.node;
  if (s.type === 'DropStmt' && (n.removeType === 'OBJECT_TABLE' || n.removeType === 'OBJECT_SCHEMA')) {
    const names = ((n.objects as ({ List?: { items?: unknown } } & { String?: { sval?: string } })[] | undefined) ?? [])
      .map((o) => (o.List ? stringList(o.List.items) : [o.String?.sval ?? '']));
    const schema = n.removeType === 'OBJECT_SCHEMA';
    const existing = schema ? names : names.filter((p) => !ctx.facts.created.has(keyOf(p)));
    if (!existing.length) return [];
    return [{
      rule: 'destructive-statement',
      message: `DROP ${schema ? 'SCHEMA' : 'TABLE'} ${existing.map((p) => p.join('.')).join(', ')} deletes the data for good${n.behavior === 'DROP_CASCADE' ? ', and CASCADE drops whatever depends on it too' : ''}; running application code that uses it fails`,
      rewrite: schema ? BACKUP : `${existing.map((p) => `ALTER TABLE ${p.map(quoteIdent).join('.')} RENAME TO ${quoteIdent(`${p.at(-1)}_dropped`)};`).join('\n')}\n-- rename it now and drop it in a later release, once nothing uses it;\n${BACKUP}`,
    }];
  }
  if (s.type === 'DropdbStmt') {
    return [{ rule: 'destructive-statement', message: `DROP DATABASE ${String(n.dbname)} deletes every table in it for good, and every connected client breaks`, rewrite: '-- a migration should never drop a database: do it by hand, after a backup (pg_dump)' }];
  }
  if (s.type === 'TruncateStmt') {
    return [{ rule: 'destructive-statement', message: `TRUNCATE deletes every row${n.behavior === 'DROP_CASCADE' ? ', and CASCADE empties every table that references it too' : ''} (under ACCESS EXCLUSIVE)`, rewrite: BACKUP }];
  }
  if (s.type === 'DeleteStmt' && !n.whereClause) {
    return [{
      rule: 'destructive-statement',
      message: `DELETE without WHERE deletes every row of ${relationKey(n.relation)}`,
      rewrite: `${withWhere(s, 'which rows to delete')}\n${BACKUP}`,
    }];
  }
  return [];
}

/** RENAME of a table, view, column or schema: running clients still use the old name. */
export function renameRules(s: ParsedStatement, ctx: RuleContext): RuleHit[] {
  const n = s.node;
  const kind = String(n.renameType);
  const t = relationKey(n.relation);
  if (t && ctx.facts.created.has(t)) return [];
  if (kind === 'OBJECT_TABLE') {
    const rel = n.relation as { schemaname?: string; relname?: string };
    const oldName = tableSql(rel);
    const fresh = rel.schemaname ? `${quoteIdent(rel.schemaname)}.${quoteIdent(String(n.newname))}` : quoteIdent(String(n.newname));
    return [{
      rule: 'rename-breaks-clients',
      message: `renaming table ${t} to ${String(n.newname)} breaks every running query and deploy that still uses the old name (and takes ACCESS EXCLUSIVE)`,
      rewrite: `BEGIN;\nALTER TABLE ${oldName} RENAME TO ${quoteIdent(String(n.newname))};\nCREATE VIEW ${oldName} AS SELECT * FROM ${fresh};  -- the old name keeps working (a simple view is updatable)\nCOMMIT;\n-- drop the view in a later release, once no code uses the old name`,
    }];
  }
  if (kind === 'OBJECT_COLUMN' || kind === 'OBJECT_SCHEMA' || kind === 'OBJECT_VIEW' || kind === 'OBJECT_MATVIEW') {
    const known = t ? ctx.carry.columns.get(t)?.get(String(n.subname)) : undefined;
    const type = known
      ? typeNameSql({ names: stringNodes([known.key]), typmods: (known.key === 'interval' ? [] : known.mods).map((ival) => ({ A_Const: { ival: { ival } } })) })
      : placeholder(`type of ${String(n.subname)}`);
    const what = kind === 'OBJECT_COLUMN' ? `column ${t}.${String(n.subname)}` : kind === 'OBJECT_SCHEMA' ? `schema ${String(n.subname)}` : `view ${t}`;
    return [{
      rule: 'rename-breaks-clients',
      message: `renaming ${what} to ${String(n.newname)} breaks every running query and deploy that still uses the old name`,
      rewrite: kind === 'OBJECT_COLUMN'
        ? `ALTER TABLE ${tableSql(n.relation)} ADD COLUMN ${quoteIdent(String(n.newname))} ${type};\n-- write both columns (trigger), backfill in batches (tenancy backfill), move reads to the new column, then drop the old one in a later release`
        : '-- deploy code that works with both names first; rename in a later release',
    }];
  }
  return [];
}

/** CREATE TABLE of a table the same file dropped: data gone and clients see it vanish. */
export function dropThenCreateRules(s: ParsedStatement, ctx: RuleContext): RuleHit[] {
  if (s.type === 'DropStmt' && s.node.removeType === 'OBJECT_TABLE') {
    for (const o of (s.node.objects as { List?: { items?: unknown } }[] | undefined) ?? []) ctx.facts.droppedAt.set(keyOf(stringList(o.List?.items)), s.index);
    return [];
  }
  if (s.type !== 'CreateStmt') return [];
  const t = relationKey(s.node.relation);
  if (!t || !ctx.facts.droppedAt.has(t)) return [];
  return [{
    rule: 'drop-then-create-table',
    message: `${t} is dropped and created again in this file: its rows, grants, policies and dependent views are gone, and queries running meanwhile fail`,
    rewrite: `-- change the table in place with ALTER TABLE instead; or create the new shape under another name, copy the rows in batches,\n-- then swap the names in one short transaction (ALTER TABLE ... RENAME TO, twice)`,
  }];
}

/** CREATE DOMAIN with a constraint, ALTER DOMAIN ADD CONSTRAINT without NOT VALID. */
export function domainRules(s: ParsedStatement): RuleHit[] {
  const n = s.node;
  if (s.type === 'CreateDomainStmt' && ((n.constraints as { Constraint?: { contype?: string } }[] | undefined) ?? []).some((c) => c.Constraint?.contype === 'CONSTR_CHECK')) {
    return [{
      rule: 'domain-constraint', severity: 'warning',
      message: 'a CHECK on a domain is checked against every column of that type whenever it is changed later, under locks on every such table, and cannot be altered in place',
      rewrite: '-- put the CHECK on the table columns (ADD CONSTRAINT ... NOT VALID, then VALIDATE) instead of on the domain',
    }];
  }
  if (s.type === 'AlterDomainStmt' && n.subtype === 'C') {
    const con = (n.def as PgNode | undefined)?.Constraint as { contype?: string; conname?: string; skip_validation?: boolean } | undefined;
    if (!con || con.skip_validation) return [];
    const domain = stringList(n.typeName);
    const dom = domain.map(quoteIdent).join('.');
    const name = con.conname ?? `${domain.at(-1)}_check`;
    const add = statementSql('AlterDomainStmt', { ...cloneNode(n), def: { Constraint: { ...cloneNode(con), conname: name, skip_validation: true, initially_valid: false } } });
    return [{
      rule: 'domain-constraint',
      message: `ALTER DOMAIN ${domain.join('.')} ADD CONSTRAINT checks every column of that type in every table while holding locks on them`,
      rewrite: `${add}\n-- next migration:\nALTER DOMAIN ${dom} VALIDATE CONSTRAINT ${quoteIdent(name)};`,
    }];
  }
  return [];
}

const DDL = new Set(['AlterTableStmt', 'IndexStmt', 'RenameStmt', 'DropStmt', 'TruncateStmt', 'CreateTrigStmt', 'ClusterStmt']);

/** A full-table UPDATE or DELETE that commits together with DDL on an existing table: the DDL's locks are held throughout. */
export function backfillRules(s: ParsedStatement, ctx: RuleContext): RuleHit[] {
  if ((s.type !== 'UpdateStmt' && s.type !== 'DeleteStmt') || s.node.whereClause) return [];
  const g = ctx.facts.group[s.index];
  const ddl = ctx.statements.find((o) => o.index !== s.index && ctx.facts.group[o.index] === g && DDL.has(o.type) && (() => {
    const l = statementLock(o, ctx.serverVersionNum);
    return !!l && (!l.relation || !ctx.facts.created.has(l.relation));
  })());
  if (!ddl) return [];
  const verb = s.type === 'UpdateStmt' ? 'UPDATE' : 'DELETE';
  return [{
    rule: 'backfill-in-ddl-transaction',
    message: `full-table ${verb} of ${relationKey(s.node.relation)} commits together with the DDL at line ${ddl.line}: that DDL's lock (${statementLock(ddl, ctx.serverVersionNum)?.mode}) is held until every row is written`,
    rewrite: `-- move it to a migration of its own and run it in batches (tenancy backfill), e.g.:\n${withWhere(s, 'batch condition')}`,
  }];
}
