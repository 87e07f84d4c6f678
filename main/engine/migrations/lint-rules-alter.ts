/**
 * Lint rules over ALTER TABLE subcommands: NOT NULL, constraints (NOT VALID, index-building ones),
 * new columns (defaults, serial / identity / stored generated, required, json), type changes,
 * DETACH PARTITION, DROP COLUMN and row level security. Rewrites are deparsed from the statement's
 * parse tree with only the subcommand at fault changed or replaced (see lint-deparse.ts).
 */
import { quoteIdent, quoteList } from '../ident.js';
import { unsafeFunctionIn } from './lint-defaults.js';
import { alterCmdLock } from './lint-locks.js';
import { cmdsOf, columnType, constraintOf, tenantColumnOf, type ColumnType, type RuleContext, type RuleHit } from './lint-facts.js';
import { alterCmd, alterTableOf, alterTableWith, alterTableWithout, cloneNode, columnRef, statementSql, stringNodes, typeNameSql } from './lint-deparse.js';
import { placeholder, regclassLiteral, tableSql, type RangeVar } from './lint-sql.js';
import { relationKey, stringList, walk, type ParsedStatement, type PgNode } from './parse.js';

type ColumnDef = { colname?: string; typeName?: { names?: unknown; typmods?: unknown[]; location?: number }; constraints?: { Constraint?: Con }[]; location?: number };
type Con = { contype?: string; conname?: string; raw_expr?: unknown; location?: number; generated_kind?: string; keys?: unknown; fk_attrs?: unknown; skip_validation?: boolean };

const lines = (...xs: (string | null | false | undefined)[]) => xs.filter((x): x is string => !!x).join('\n');
const NEXT = '-- next migration:';

/** PostgreSQL's default constraint name for a table and columns. */
function defaultName(rel: string, cols: string[], suffix: string): string {
  return `${[rel, ...cols].join('_').slice(0, 63 - suffix.length - 1)}_${suffix}`;
}

function firstColumn(expr: unknown): string | null {
  let col: string | null = null;
  walk(expr, (type, fields) => {
    if (type === 'ColumnRef') col ??= stringList(fields.fields).at(-1) ?? null;
  });
  return col;
}

const SERIAL: Record<string, string> = { serial: 'integer', serial4: 'integer', bigserial: 'bigint', serial8: 'bigint', smallserial: 'smallint', serial2: 'smallint' };

interface CmdCtx {
  s: ParsedStatement;
  ctx: RuleContext;
  k: number;
  t: string;
  rel: string;
  tbl: string;
  hits: RuleHit[];
}

/** The NOT NULL sequence of PostgreSQL 12+: CHECK NOT VALID, VALIDATE, SET NOT NULL, DROP CHECK. */
export function notNullSequence(tbl: string, rel: string, col: string, serverVersionNum: number): string {
  const cn = quoteIdent(defaultName(rel, [col], 'not_null'));
  const c = quoteIdent(col);
  if (serverVersionNum < 120000) {
    return lines(
      `ALTER TABLE ${tbl} ADD CONSTRAINT ${cn} CHECK (${c} IS NOT NULL) NOT VALID;`, NEXT,
      `ALTER TABLE ${tbl} VALIDATE CONSTRAINT ${cn};`,
      '-- before PostgreSQL 12, SET NOT NULL scans the table even after this check: keep the CHECK constraint instead of NOT NULL',
    );
  }
  return lines(
    `ALTER TABLE ${tbl} ADD CONSTRAINT ${cn} CHECK (${c} IS NOT NULL) NOT VALID;`, NEXT,
    `ALTER TABLE ${tbl} VALIDATE CONSTRAINT ${cn};`,
    `ALTER TABLE ${tbl} ALTER COLUMN ${c} SET NOT NULL;  -- uses the validated check, no scan`,
    `ALTER TABLE ${tbl} DROP CONSTRAINT ${cn};`,
  );
}

function setNotNull(c: { name?: string }, x: CmdCtx): void {
  if (!c.name) return;
  const proven = x.ctx.facts.validatedNotNull.has(`${x.t}|${c.name}`);
  if (proven && x.ctx.serverVersionNum >= 120000) return;
  const rest = alterTableWithout(x.s.node, x.k);
  x.hits.push({
    rule: 'not-null-without-check',
    message: proven
      ? `SET NOT NULL on ${c.name}: before PostgreSQL 12 (server version assumed ${x.ctx.serverVersionNum}) it scans the whole table under ACCESS EXCLUSIVE even after a validated CHECK (${c.name} IS NOT NULL)`
      : `SET NOT NULL on ${c.name} scans the whole table under ACCESS EXCLUSIVE (every read and write waits); prove it first with a validated CHECK (${c.name} IS NOT NULL)`,
    rewrite: lines(rest, notNullSequence(x.tbl, x.rel, c.name, x.ctx.serverVersionNum)),
  });
}

/** The constraint as a named, NOT VALID ADD CONSTRAINT subcommand. */
function notValid(con: Con, name: string): PgNode {
  return alterCmd('AT_AddConstraint', { def: { Constraint: { ...cloneNode(con), conname: name, skip_validation: true, initially_valid: false } } });
}

function addConstraint(con: Con, x: CmdCtx): void {
  const cols = con.contype === 'CONSTR_FOREIGN' ? stringList(con.fk_attrs) : [firstColumn(con.raw_expr)].filter((v): v is string => !!v);
  const name = con.conname ?? defaultName(x.rel, cols, con.contype === 'CONSTR_FOREIGN' ? 'fkey' : 'check');
  const fixed = alterTableWith(x.s.node, x.k, [notValid(con, name)]);
  x.hits.push({
    rule: 'constraint-not-valid-missing',
    message: con.contype === 'CONSTR_FOREIGN'
      ? `adding a FOREIGN KEY without NOT VALID checks every existing row under SHARE ROW EXCLUSIVE on ${x.t} and the referenced table (writes wait on both)`
      : `adding a CHECK without NOT VALID checks every existing row under ACCESS EXCLUSIVE (every read and write waits)`,
    rewrite: lines(fixed, `${NEXT} (VALIDATE takes only SHARE UPDATE EXCLUSIVE: reads and writes go on)`, `ALTER TABLE ${x.tbl} VALIDATE CONSTRAINT ${quoteIdent(name)};`),
  });
}

function buildsIndex(con: Con & { indexname?: string }, x: CmdCtx): void {
  if (con.contype === 'CONSTR_EXCLUSION') {
    x.hits.push({
      rule: 'constraint-builds-index',
      message: `ADD EXCLUDE builds its index under ACCESS EXCLUSIVE (every read and write waits until it is built); PostgreSQL has no USING INDEX form for exclusion constraints`,
      rewrite: lines(`SET lock_timeout = '3s';`, `-- run it when ${x.t} is small or quiet, or add it on a new table and move the rows`, statementSql('AlterTableStmt', x.s.node)),
    });
    return;
  }
  if (con.indexname) return;
  const pk = con.contype === 'CONSTR_PRIMARY';
  const keys = stringList(con.keys);
  const name = con.conname ?? defaultName(x.rel, pk ? [] : keys, pk ? 'pkey' : 'key');
  const idx = quoteIdent(name);
  const rest = alterTableWithout(x.s.node, x.k);
  x.hits.push({
    rule: 'constraint-builds-index',
    message: `ADD ${pk ? 'PRIMARY KEY' : 'UNIQUE'} builds a unique index under ACCESS EXCLUSIVE: every read and write of ${x.t} waits until it is built`,
    rewrite: keys.length ? lines(
      rest,
      `CREATE UNIQUE INDEX CONCURRENTLY ${idx} ON ${x.tbl} (${quoteList(keys)});  -- in a migration of its own`,
      NEXT,
      pk ? `-- the key columns must already be NOT NULL (the safe way), or ADD PRIMARY KEY scans the table` : null,
      `ALTER TABLE ${x.tbl} ADD CONSTRAINT ${idx} ${pk ? 'PRIMARY KEY' : 'UNIQUE'} USING INDEX ${idx};`,
    ) : null,
  });
}

/** ADD COLUMN of `def` with only the given column constraints (type and COLLATE kept). */
function addColumnCmd(def: ColumnDef, constraints: Con[], typeName: unknown = def.typeName): PgNode {
  const { constraints: _dropped, ...rest } = cloneNode(def) as ColumnDef & Record<string, unknown>;
  const column = { ...rest, typeName: cloneNode(typeName), ...(constraints.length ? { constraints: constraints.map((k) => ({ Constraint: cloneNode(k) })) } : {}) };
  return alterCmd('AT_AddColumn', { def: { ColumnDef: column } });
}

/** The pg_catalog type a serial column stands for. */
const catalogType = (name: string) => ({ names: stringNodes(['pg_catalog', name]), typemod: -1 });

function addColumn(c: { def?: PgNode }, x: CmdCtx): void {
  const def = (c.def?.ColumnDef ?? {}) as ColumnDef;
  const colName = def.colname ?? 'column';
  const col = quoteIdent(colName);
  const cons = (def.constraints ?? []).map((k) => k.Constraint ?? {});
  const typeNames = stringList(def.typeName?.names).filter((n) => n !== 'pg_catalog');
  const serialType = typeNames.length === 1 ? SERIAL[typeNames[0]!] : undefined;
  const typeName = serialType ? catalogType(serialType) : def.typeName;
  const dflt = cons.find((k) => k.contype === 'CONSTR_DEFAULT');
  const notNull = cons.some((k) => k.contype === 'CONSTR_NOTNULL' || k.contype === 'CONSTR_PRIMARY');
  const identity = cons.find((k) => k.contype === 'CONSTR_IDENTITY');
  const generated = cons.find((k) => k.contype === 'CONSTR_GENERATED' && k.generated_kind !== 'v');
  const plain = alterTableWith(x.s.node, x.k, [addColumnCmd(def, [], typeName)]);
  const setDefault = (expr: unknown) => `${alterTableOf(x.s.node, [alterCmd('AT_ColumnDefault', { name: colName, def: cloneNode(expr) })]).slice(0, -1)};  -- new rows only`;
  const then = (why: string) => `-- ${why}: backfill existing rows in batches (tenancy backfill)${notNull ? ', then add NOT NULL the safe way (CHECK NOT VALID, VALIDATE, SET NOT NULL)' : ''}`;

  if (dflt) {
    const fn = unsafeFunctionIn(dflt.raw_expr);
    const pre11 = x.ctx.serverVersionNum < 110000;
    if (fn || pre11) {
      x.hits.push({
        rule: 'volatile-default',
        message: fn
          ? `ADD COLUMN ${colName} with DEFAULT calling ${fn.name}${fn.name.includes(' ') ? '' : '()'} ${fn.known ? '(volatile)' : '(not on the list of built-ins known to be IMMUTABLE or STABLE, so treated as volatile)'} rewrites the whole table under ACCESS EXCLUSIVE: every read and write waits`
          : `ADD COLUMN ${colName} with a DEFAULT rewrites the whole table under ACCESS EXCLUSIVE before PostgreSQL 11 (server version assumed ${x.ctx.serverVersionNum})`,
        rewrite: dflt.raw_expr ? lines(plain, setDefault(dflt.raw_expr), then('existing rows are NULL')) : null,
      });
    }
  }
  if (serialType || identity || generated) {
    const what = serialType ? `a ${typeNames[0]} column` : identity ? 'an identity column' : 'a stored generated column';
    let rewrite: string | null = null;
    if (serialType) {
      const seq = quoteIdent(`${x.rel}_${colName}_seq`);
      const schema = (x.s.node.relation as RangeVar).schemaname;
      const seqSql = schema ? `${quoteIdent(schema)}.${seq}` : seq;
      rewrite = lines(`CREATE SEQUENCE ${seqSql};`, plain, `ALTER TABLE ${x.tbl} ALTER COLUMN ${col} SET DEFAULT nextval(${regclassLiteral(seqSql)});  -- new rows only`, `ALTER SEQUENCE ${seqSql} OWNED BY ${x.tbl}.${col};`, then('existing rows are NULL'));
    } else if (identity) {
      rewrite = lines(plain, then('number existing rows'), `ALTER TABLE ${x.tbl} ALTER COLUMN ${col} ADD GENERATED BY DEFAULT AS IDENTITY;  -- once NOT NULL; then setval() the sequence past max(${colName})`);
    } else if (generated) {
      const virtual = cons.filter((k) => k.contype !== 'CONSTR_NOTNULL').map((k) => (k === generated ? { ...k, generated_kind: 'v' } : k));
      rewrite = x.ctx.serverVersionNum >= 180000
        ? lines(alterTableWith(x.s.node, x.k, [addColumnCmd(def, virtual)]), '-- PostgreSQL 18+: computed on read, no rewrite (a virtual column cannot be indexed)')
        : lines(plain, '-- fill it from a BEFORE INSERT OR UPDATE trigger, and backfill existing rows in batches (tenancy backfill)');
    }
    x.hits.push({
      rule: 'rewriting-column',
      message: `adding ${what} (${colName}) fills every existing row: the whole table is rewritten under ACCESS EXCLUSIVE, and every read and write waits`,
      rewrite,
    });
  }
  if (notNull && !dflt && !identity && !generated && !serialType) {
    const withDefault = [{ contype: 'CONSTR_DEFAULT', raw_expr: columnRef('<constant default>') }, ...cons];
    x.hits.push({
      rule: 'required-column-without-default',
      message: `ADD COLUMN ${colName} NOT NULL without a DEFAULT fails on any table that has rows (existing rows would be NULL)`,
      rewrite: lines(
        alterTableWith(x.s.node, x.k, [addColumnCmd(def, withDefault)]),
        x.ctx.serverVersionNum >= 110000 ? '-- a constant default is stored in the catalog (PostgreSQL 11+): no rewrite; or add it nullable, backfill, then NOT NULL the safe way' : '-- before PostgreSQL 11 a default rewrites the table: add it nullable, backfill in batches, then NOT NULL the safe way',
      ),
    });
  }
  for (const k of cons) {
    if (k.contype !== 'CONSTR_FOREIGN' && k.contype !== 'CONSTR_CHECK') continue;
    if (k.skip_validation) continue;
    const kind = k.contype === 'CONSTR_FOREIGN' ? 'REFERENCES' : 'CHECK';
    const name = k.conname ?? defaultName(x.rel, [colName], k.contype === 'CONSTR_FOREIGN' ? 'fkey' : 'check');
    const tableCon: Con = k.contype === 'CONSTR_FOREIGN' ? { ...k, fk_attrs: stringNodes([colName]) } : k;
    x.hits.push({
      rule: 'constraint-not-valid-missing',
      message: `inline ${kind} in ADD COLUMN ${colName} is validated against every existing row while ${k.contype === 'CONSTR_FOREIGN' ? `${x.t} and the referenced table are locked (SHARE ROW EXCLUSIVE on the referenced table)` : `${x.t} is locked ACCESS EXCLUSIVE`}`,
      rewrite: lines(
        alterTableWith(x.s.node, x.k, [addColumnCmd(def, cons.filter((q) => q !== k))]),
        alterTableOf(x.s.node, [notValid(tableCon, name)]),
        NEXT,
        `ALTER TABLE ${x.tbl} VALIDATE CONSTRAINT ${quoteIdent(name)};`,
      ),
    });
  }
  if (typeNames.length === 1 && typeNames[0] === 'json') {
    x.hits.push({
      rule: 'json-column',
      message: `column ${colName} is json: json has no equality operator, so DISTINCT, UNION and GROUP BY on rows with it fail; jsonb is what you want`,
      rewrite: alterTableWith(x.s.node, x.k, [addColumnCmd(def, cons, { ...def.typeName, names: stringNodes(['jsonb']) })]),
    });
  }
}

/** Changes that need no rewrite (binary-coercible), from the type the folder declared to the new one. */
function noRewrite(old: ColumnType, next: ColumnType): boolean {
  const grows = () => !next.mods.length || (old.mods.length > 0 && next.mods[0]! >= old.mods[0]! && (next.mods[1] ?? 0) === (old.mods[1] ?? 0));
  if (old.key === 'varchar' || old.key === 'text') return next.key === 'text' || (next.key === 'varchar' && (old.key === 'text' ? !next.mods.length : grows()));
  if (old.key === 'numeric' || old.key === 'varbit' || old.key === 'bit') return next.key === old.key && grows();
  if (old.key === 'cidr') return next.key === 'inet';
  return false;
}

function typeChange(c: { name?: string; def?: PgNode }, x: CmdCtx): void {
  const def = (c.def?.ColumnDef ?? {}) as ColumnDef & { raw_default?: unknown };
  const next = columnType(def.typeName);
  const col = c.name ?? 'column';
  const old = x.ctx.facts.typeBefore.get(`${x.s.index}|${x.t}|${col}`) ?? x.ctx.carry.columns.get(x.t)?.get(col);
  const oldSql = old ? `${old.key}${old.mods.length ? `(${old.mods.join(', ')})` : ''}` : null;
  if (!def.raw_default && old && noRewrite(old, next)) return;
  const maybe = !old && !def.raw_default && ['text', 'varchar', 'numeric', 'varbit', 'inet'].includes(next.key);
  x.hits.push({
    rule: 'column-type-change',
    severity: maybe ? 'warning' : undefined,
    message: `ALTER COLUMN ${col} TYPE ${typeNameSql(def.typeName)}${oldSql ? ` (from ${oldSql})` : ' (the folder does not show the old type)'} ${maybe ? 'skips the rewrite only if the change is binary-coercible (varchar(n) to text or a longer varchar, numeric to a wider precision); otherwise it' : ''} rewrites the table and rebuilds its indexes under ACCESS EXCLUSIVE: every read and write waits${def.raw_default ? ' (USING always rewrites)' : ''}`.replace(/\s+/g, ' '),
    rewrite: lines(
      alterTableWithout(x.s.node, x.k),
      alterTableOf(x.s.node, [addColumnCmd({ colname: `${col}_new`, typeName: def.typeName }, [])]),
      `-- keep ${col}_new in step with a trigger, backfill it in batches (tenancy backfill), move reads and writes to it,`,
      `-- then in a later release drop ${col} and rename ${col}_new to ${col}`,
    ),
  });
}

function detach(c: { def?: PgNode }, x: CmdCtx): void {
  const pc = c.def?.PartitionCmd as { concurrent?: boolean; name?: unknown } | undefined;
  if (!pc || pc.concurrent) return;
  const ok = x.ctx.serverVersionNum >= 140000;
  const detachNow = alterCmd('AT_DetachPartition', { def: { PartitionCmd: { ...cloneNode(pc), concurrent: true } } });
  x.hits.push({
    rule: 'detach-partition-not-concurrent',
    message: `DETACH PARTITION takes ACCESS EXCLUSIVE on ${x.t} and the partition: every query on the partitioned table waits${ok ? '' : ` (CONCURRENTLY needs PostgreSQL 14; server version assumed ${x.ctx.serverVersionNum})`}`,
    rewrite: ok ? lines(alterTableOf(x.s.node, [detachNow]), '-- in a migration of its own: it cannot run inside a transaction (SHARE UPDATE EXCLUSIVE only)') : null,
  });
}

function enableRls(x: CmdCtx): void {
  if (x.ctx.facts.policies.has(x.t) || x.ctx.tablesWithPolicies.has(x.t)) return;
  const tenant = tenantColumnOf(x.t, x.ctx);
  x.hits.push({
    rule: 'rls-without-policy',
    message: `row level security on ${x.t} with no policy hides every row from non-owner roles`,
    rewrite: lines(
      `CREATE POLICY tenant_isolation ON ${x.tbl} USING (${tenant ? quoteIdent(tenant) : placeholder('tenant column')} = current_setting('app.tenant_id')::${placeholder('tenant column type')});`,
      statementSql('AlterTableStmt', x.s.node),
    ),
  });
}

/** Rules over the subcommands of an ALTER TABLE on a table this file did not create. */
export function alterTableRules(s: ParsedStatement, ctx: RuleContext): RuleHit[] {
  const t = relationKey(s.node.relation);
  if (!t || s.node.objtype !== 'OBJECT_TABLE') return [];
  const base = { s, ctx, t, rel: (s.node.relation as RangeVar).relname ?? '', tbl: tableSql(s.node.relation), hits: [] as RuleHit[] };
  const created = ctx.facts.created.has(t);
  cmdsOf(s.node).forEach((c, k) => {
    const x: CmdCtx = { ...base, k };
    const before = base.hits.length;
    subcommandRules(c, x, created);
    const lock = { mode: alterCmdLock(c, ctx.serverVersionNum), relation: t };
    for (const h of base.hits.slice(before)) h.lock ??= lock;
  });
  return base.hits;
}

function subcommandRules(c: ReturnType<typeof cmdsOf>[number], x: CmdCtx, created: boolean): void {
  const { s, ctx, t, k } = x;
  const con = constraintOf(c) as (Con & { indexname?: string }) | null;
  if (c.subtype === 'AT_EnableRowSecurity') enableRls(x);
  if (created) return;
  switch (c.subtype) {
    case 'AT_SetNotNull':
      setNotNull(c, x);
      break;
    case 'AT_AddConstraint':
      if (con && (con.contype === 'CONSTR_FOREIGN' || con.contype === 'CONSTR_CHECK') && !con.skip_validation) addConstraint(con, x);
      if (con && ['CONSTR_PRIMARY', 'CONSTR_UNIQUE', 'CONSTR_EXCLUSION'].includes(con.contype ?? '')) buildsIndex(con, x);
      break;
    case 'AT_ValidateConstraint': {
      const g = ctx.facts.notValid.get(`${t}|${c.name}`);
      if (g !== undefined && g === ctx.facts.group[s.index]) {
        x.hits.push({
          rule: 'validate-same-transaction',
          message: `VALIDATE CONSTRAINT ${c.name} commits together with the ADD ... NOT VALID (${ctx.facts.explicit[s.index] ? 'same BEGIN..COMMIT block' : 'the runner wraps the file in one transaction'}): the ADD's lock is held through the whole validation scan`,
          rewrite: lines(alterTableWithout(s.node, k), NEXT, `ALTER TABLE ${x.tbl} VALIDATE CONSTRAINT ${quoteIdent(c.name ?? '')};`),
        });
      }
      break;
    }
    case 'AT_AddColumn':
      addColumn(c, x);
      break;
    case 'AT_AlterColumnType':
      typeChange(c, x);
      break;
    case 'AT_DetachPartition':
      detach(c, x);
      break;
    case 'AT_DropColumn':
      x.hits.push({
        rule: 'destructive-statement',
        message: `DROP COLUMN ${c.name} deletes its data for good, and running application code that still reads it fails`,
        rewrite: lines(`-- back the table up first (tenancy backup ${x.tbl}), stop using the column in the app, drop it in a later release,`, '-- then acknowledge with --ack destructive-statement'),
      });
      break;
    default:
      break;
  }
}
