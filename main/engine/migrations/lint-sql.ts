/**
 * Building the SQL of lint rewrites from the parse tree. libpg-query 18 has no deparser, so a
 * rewrite is assembled from generated, quoted identifiers, type names deparsed from their TypeName
 * node, and the exact source span of the nodes it keeps (a default expression, a constraint, an
 * ALTER TABLE subcommand), located by the parser's node locations and the scanner's tokens, never
 * by searching the text. Comments are never part of a span. Every rewrite is re-parsed before it
 * is shown (`parsesAsSql`).
 */
import { parseSync, scanSync, type ScanToken } from 'libpg-query';
import { quoteIdent } from '../ident.js';
import { stringList, type PgNode } from './parse.js';

/** A relation as the parser gives it. */
export type RangeVar = { schemaname?: string; relname?: string; location?: number };

/** A placeholder the operator must fill in; a quoted identifier, so the rewrite still parses. */
export const placeholder = (what: string) => quoteIdent(`<${what}>`);

/** Whether a rewrite's SQL parses (comments and placeholders included). */
export function parsesAsSql(sql: string): boolean {
  try {
    parseSync(sql);
    return true;
  } catch {
    return false;
  }
}

/** "schema"."table" of a RangeVar, quoted. */
export function tableSql(r: unknown): string {
  const rv = r as RangeVar;
  return rv.schemaname ? `${quoteIdent(rv.schemaname)}.${quoteIdent(rv.relname ?? '')}` : quoteIdent(rv.relname ?? '');
}

const BUILTIN_TYPE_NAMES: Record<string, string> = {
  int2: 'smallint', int4: 'integer', int8: 'bigint', float4: 'real', float8: 'double precision', bool: 'boolean',
  bpchar: 'character', varchar: 'character varying', numeric: 'numeric', timestamp: 'timestamp without time zone',
  timestamptz: 'timestamp with time zone', time: 'time without time zone', timetz: 'time with time zone', interval: 'interval', bit: 'bit', varbit: 'bit varying',
};

/** A type name part: bare when the scanner reads it back as one plain word (text, uuid, jsonb), else quoted. */
function typeIdent(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) return quoteIdent(name);
  try {
    const toks = scanSync(name).tokens;
    return toks.length === 1 && toks[0]!.keywordName !== 'RESERVED_KEYWORD' ? name : quoteIdent(name);
  } catch {
    return quoteIdent(name);
  }
}

/** Interval field masks as the parser encodes them (INTERVAL_MASK in datetime.h); '' is the full range. */
const INTERVAL_FIELDS: Record<number, string> = {
  32767: '', 4: 'year', 2: 'month', 8: 'day', 1024: 'hour', 2048: 'minute', 4096: 'second', 6: 'year to month', 1032: 'day to hour',
  3080: 'day to minute', 7176: 'day to second', 3072: 'hour to minute', 7168: 'hour to second', 6144: 'minute to second',
};

function constSql(n: unknown): string {
  const c = (n as { A_Const?: { ival?: { ival?: number }; sval?: { sval?: string } } }).A_Const;
  if (c?.ival) return String(c.ival.ival ?? 0);
  if (c?.sval) return `'${(c.sval.sval ?? '').replace(/'/g, "''")}'`;
  return '';
}

/**
 * Deparse a TypeName: keeps schema, typmods and array bounds (`uuid[]`, `numeric(10,2)`).
 * pg_catalog built-ins are written by their SQL name so the result reads as the author wrote it.
 */
export function typeSql(typeName: unknown): string {
  const t = (typeName ?? {}) as { names?: unknown; typmods?: unknown[]; arrayBounds?: { Integer?: { ival?: number } }[]; setof?: boolean };
  const names = stringList(t.names);
  let base: string;
  if (names.length === 2 && names[0] === 'pg_catalog' && BUILTIN_TYPE_NAMES[names[1]!]) base = BUILTIN_TYPE_NAMES[names[1]!]!;
  else base = names.map(typeIdent).join('.');
  const mods = (t.typmods ?? []).map(constSql).filter(Boolean);
  if (base === 'interval' && mods.length) {
    const fields = INTERVAL_FIELDS[Number(mods[0])];
    const precision = mods[1] !== undefined ? `(${mods[1]})` : '';
    const arr = (t.arrayBounds ?? []).map(() => '[]').join('');
    if (fields === undefined) return `interval${arr}`;
    return fields ? (precision && fields.endsWith('second') ? `interval ${fields}${precision}${arr}` : `interval ${fields}${arr}`) : `interval${precision}${arr}`;
  }
  const bounds = (t.arrayBounds ?? []).map((b) => (b.Integer?.ival !== undefined && b.Integer.ival >= 0 ? `[${b.Integer.ival}]` : '[]')).join('');
  const zoned = /^(timestamp|time) (with|without) time zone$/.exec(base);
  // The precision goes after the keyword: timestamp(3) without time zone.
  if (zoned && mods.length) return `${zoned[1]}(${mods.join(', ')}) ${zoned[2]} time zone${bounds}`;
  return `${base}${mods.length ? `(${mods.join(', ')})` : ''}${bounds}`;
}

/** The bare type name (last part), for comparing types. */
export const typeKey = (typeName: unknown): string => stringList((typeName as { names?: unknown } | undefined)?.names).at(-1) ?? '';

/** A statement's source re-scanned on its own, so node locations and token offsets agree. */
export class StatementSource {
  readonly buf: Buffer;
  readonly tokens: ScanToken[];
  readonly node: PgNode;

  constructor(readonly text: string) {
    this.buf = Buffer.from(text, 'utf8');
    this.tokens = scanSync(text).tokens.filter((t) => t.tokenName !== 'SQL_COMMENT' && t.tokenName !== 'C_COMMENT');
    const stmt = (parseSync(text).stmts?.[0]?.stmt ?? {}) as Record<string, PgNode>;
    this.node = stmt[Object.keys(stmt)[0] ?? ''] ?? {};
  }

  /** Source text between byte offsets, trimmed. */
  slice(start: number, end: number): string {
    return this.buf.subarray(start, end).toString('utf8').trim();
  }

  /** Index of the first token starting at or after a byte offset. */
  tokenAt(byte: number): number {
    const i = this.tokens.findIndex((t) => t.start >= byte);
    return i < 0 ? this.tokens.length : i;
  }

  /** Source from token i up to (not including) token j, comments dropped from both ends. */
  tokenSpan(i: number, j: number): string {
    if (i >= j || i >= this.tokens.length) return '';
    return this.slice(this.tokens[i]!.start, this.tokens[Math.min(j, this.tokens.length) - 1]!.end);
  }

  /** Token ranges [start, end) split at commas at parenthesis depth 0, from token `from`. */
  topLevelSegments(from: number): [number, number][] {
    const out: [number, number][] = [];
    let depth = 0;
    let start = from;
    for (let i = from; i < this.tokens.length; i += 1) {
      const t = this.tokens[i]!.text;
      if (t === '(' || t === '[') depth += 1;
      else if (t === ')' || t === ']') depth -= 1;
      else if (t === ';' && depth === 0) {
        out.push([start, i]);
        return out;
      } else if (t === ',' && depth === 0) {
        out.push([start, i]);
        start = i + 1;
      }
    }
    out.push([start, this.tokens.length]);
    return out;
  }

  /**
   * ALTER TABLE: the token range of each subcommand (after the relation name), or null when they
   * do not line up one-to-one with the parsed subcommands.
   */
  alterSegments(): [number, number][] | null {
    if (this.segments === undefined) this.segments = this.computeAlterSegments();
    return this.segments;
  }

  private segments: [number, number][] | null | undefined;

  private computeAlterSegments(): [number, number][] | null {
    const rel = this.node.relation as RangeVar | undefined;
    const cmds = (this.node.cmds as unknown[] | undefined) ?? [];
    if (rel?.location === undefined) return null;
    let i = this.tokenAt(rel.location) + 1;
    while (this.tokens[i]?.text === '.') i += 2;
    if (this.tokens[i]?.text === '*') i += 1;
    const segs = this.topLevelSegments(i);
    return segs.length === cmds.length ? segs : null;
  }

  /** Text of subcommand k of an ALTER TABLE. */
  subcommand(k: number): string | null {
    const segs = this.alterSegments();
    return segs?.[k] ? this.tokenSpan(segs[k]![0], segs[k]![1]) : null;
  }

  /** Token range of the subcommand that holds a byte offset. */
  segmentHolding(byte: number): [number, number] | null {
    const segs = this.alterSegments();
    const ti = this.tokenAt(byte);
    return segs?.find(([a, b]) => ti >= a && ti < b) ?? null;
  }

  /**
   * A column constraint's span: from its location to the next constraint's location (or the end of
   * its segment); `skipKeyword` drops the leading keyword (DEFAULT) to leave the expression.
   */
  constraintSpan(loc: number, nextLoc: number | null, segEnd: number, skipKeyword = false): string {
    const a = this.tokenAt(loc) + (skipKeyword ? 1 : 0);
    const b = nextLoc === null ? segEnd : this.tokenAt(nextLoc);
    return this.tokenSpan(a, b);
  }
}

/** Parse-tree-backed source of a statement, or null when the statement does not re-parse alone. */
export function sourceOf(text: string): StatementSource | null {
  if (recent.has(text)) return recent.get(text)!;
  let src: StatementSource | null;
  try {
    src = new StatementSource(text);
  } catch {
    src = null;
  }
  if (recent.size >= 32) recent.delete(recent.keys().next().value!);
  recent.set(text, src);
  return src;
}

/** The last statements re-parsed: several rules look at the same statement. */
const recent = new Map<string, StatementSource | null>();

/** "ALTER TABLE [IF EXISTS] [ONLY] name" as written: everything before the first subcommand. */
export function alterHeader(src: StatementSource): string | null {
  const segs = src.alterSegments();
  return segs ? src.tokenSpan(0, segs[0]![0]) : null;
}

/** The ALTER TABLE with subcommand k replaced by `replacement` (null drops it). */
export function alterWith(src: StatementSource, k: number, replacement: string | null): string | null {
  const cmds = ((src.node.cmds as unknown[] | undefined) ?? []).length;
  const head = alterHeader(src);
  if (head === null) return null;
  const parts: string[] = [];
  for (let i = 0; i < cmds; i += 1) {
    const part = i === k ? replacement : src.subcommand(i);
    if (part === null && i !== k) return null;
    if (part) parts.push(part);
  }
  return parts.length ? `${head} ${parts.join(', ')};` : '';
}

/** The ALTER TABLE without subcommand k, or '' when it was the only one. */
export const alterWithout = (src: StatementSource, k: number) => alterWith(src, k, null);

/** A replacement of tokens [from, to) by `text`. */
export interface TokenEdit {
  from: number;
  to: number;
  text: string;
}

/** Source of tokens [a, b) with edits applied (edits sorted, inside the range, not overlapping). */
export function spliceTokens(src: StatementSource, a: number, b: number, edits: readonly TokenEdit[]): string {
  const out: string[] = [];
  let i = a;
  for (const e of [...edits].sort((x, y) => x.from - y.from)) {
    if (e.from > i) out.push(src.tokenSpan(i, e.from));
    if (e.text) out.push(e.text);
    i = Math.max(i, e.to);
  }
  if (i < b) out.push(src.tokenSpan(i, b));
  return out.filter(Boolean).reduce((acc, piece) => (!acc ? piece : /^[,)]/.test(piece) || acc.endsWith('(') ? `${acc}${piece}` : `${acc} ${piece}`), '');
}

/** Token range of a TypeName starting at `loc`: the name parts, typmods and array bounds. */
export function typeTokens(src: StatementSource, loc: number): [number, number] {
  const a = src.tokenAt(loc);
  let i = a + 1;
  const t = (k: number) => src.tokens[k]?.text;
  while (t(i) === '.') i += 2;
  if (t(i) === '(') {
    let depth = 0;
    for (; i < src.tokens.length; i += 1) {
      if (t(i) === '(') depth += 1;
      if (t(i) === ')' && --depth === 0) {
        i += 1;
        break;
      }
    }
  }
  while (t(i) === '[') i += t(i + 1) === ']' ? 2 : 3;
  return [a, i];
}

/** The source inside the parentheses that open at or after `loc` (a CHECK or generated expression). */
export function parenBody(src: StatementSource, loc: number): string | null {
  let i = src.tokenAt(loc);
  while (i < src.tokens.length && src.tokens[i]!.text !== '(') i += 1;
  const open = i;
  let depth = 0;
  for (; i < src.tokens.length; i += 1) {
    if (src.tokens[i]!.text === '(') depth += 1;
    if (src.tokens[i]!.text === ')' && --depth === 0) return src.tokenSpan(open + 1, i);
  }
  return null;
}

/** `'"schema"."seq"'`: a regclass literal of a quoted name. */
export const regclassLiteral = (quoted: string) => `'${quoted.replace(/'/g, "''")}'`;
