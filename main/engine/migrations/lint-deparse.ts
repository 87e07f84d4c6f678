/**
 * Lint rewrites built from the parse tree: a rule copies the statement's nodes, changes the ones at
 * fault (a constraint marked NOT VALID, an index made CONCURRENTLY, a subcommand dropped) and
 * deparses the result with pgsql-deparser, the libpg-query project's deparser. No source text is
 * cut or spliced, so comments, multi-part ALTERs and hostile identifiers cannot break a rewrite;
 * identifiers are quoted by the deparser the way PostgreSQL reads them back.
 */
import { deparseSync } from 'pgsql-deparser';
import type { PgNode } from './parse.js';

type Node = Record<string, unknown>;

/**
 * A copy of a parse-tree node's top level, to change its fields without touching the statement
 * being linted. Shallow on purpose: rules only replace fields (never mutate nested nodes) and the
 * deparser only reads, so a deep copy would only cost time (linting a 160-migration folder).
 */
export const cloneNode = <T>(node: T): T => (Array.isArray(node) ? ([...node] as T) : node && typeof node === 'object' ? { ...node } : node);

/** One node (`{ TypeName: ... }`, `{ FuncCall: ... }`, ...) as SQL, on one line. */
export function nodeSql(node: unknown): string {
  return deparseSync(node as never, { pretty: false });
}

/** A statement of type `type` (AlterTableStmt, IndexStmt, ...) as SQL ending with ';'. */
export function statementSql(type: string, node: PgNode): string {
  return `${nodeSql({ [type]: node })};`;
}

/** A TypeName node as SQL (schema, typmods and array bounds kept: `uuid[]`, `numeric(10, 2)`). */
export const typeNameSql = (typeName: unknown): string => nodeSql({ TypeName: typeName });

/** An ALTER TABLE subcommand node. */
export const alterCmd = (subtype: string, fields: Node = {}): PgNode => ({ AlterTableCmd: { subtype, behavior: 'DROP_RESTRICT', ...fields } });

/** A column reference (or a named placeholder, which deparses as a quoted identifier). */
export const columnRef = (name: string): PgNode => ({ ColumnRef: { fields: [{ String: { sval: name } }] } });

/** A String node list (constraint keys, FK columns). */
export const stringNodes = (names: readonly string[]): PgNode[] => names.map((sval) => ({ String: { sval } }));

/** Subcommands without the default DROP behaviour, which the deparser would spell out (`DROP COLUMN a RESTRICT`). */
function asWritten(cmds: readonly PgNode[]): PgNode[] {
  return cmds.map((c) => {
    const cmd = c.AlterTableCmd as PgNode | undefined;
    if (cmd?.behavior !== 'DROP_RESTRICT') return c;
    const { behavior: _default, ...rest } = cmd;
    return { AlterTableCmd: rest };
  });
}

/**
 * The ALTER TABLE `stmt` with subcommand k replaced by `replacement` (a list: none drops it, several
 * split it), or '' when no subcommand is left.
 */
export function alterTableWith(stmt: PgNode, k: number, replacement: readonly PgNode[]): string {
  const cmds = [...((stmt.cmds as PgNode[] | undefined) ?? [])];
  cmds.splice(k, 1, ...replacement);
  if (!cmds.length) return '';
  return statementSql('AlterTableStmt', { ...cloneNode(stmt), cmds: asWritten(cmds) });
}

/** The ALTER TABLE without subcommand k, or '' when it was the only one. */
export const alterTableWithout = (stmt: PgNode, k: number): string => alterTableWith(stmt, k, []);

/** The ALTER TABLE's relation with the given subcommands only. */
export const alterTableOf = (stmt: PgNode, cmds: readonly PgNode[]): string =>
  statementSql('AlterTableStmt', { ...cloneNode(stmt), cmds: asWritten(cmds) });
