/**
 * Read a runbook file: YAML parsed with node positions kept, validated with the zod schema, and
 * every problem mapped back to its LINE and FIELD ("line 12, steps[3].expect.no[0]: ...").
 */
import fs from 'node:fs';
import { LineCounter, isNode, parseDocument, type Document } from 'yaml';
import { RunbookSchema, type Runbook, type RunbookIssue } from '../../../shared/runbook.js';
import { UserError } from '../errors.js';

const KINDS = ['manual', 'preflight', 'backup', 'migrate', 'backfill', 'check', 'sql', 'contract', 'restore', 'distribute', 'command', 'http', 'notify', 'rehearsal'];
const ROLLBACK_KINDS = ['manual', 'check', 'sql', 'restore', 'command', 'http', 'notify', 'rehearsal'];

/**
 * A runbook read from a file, or the problems that stop it. `notes`: one line per old field
 * spelling used (accepted for this release), "line 12, steps[3].folder: ...".
 */
export type ParsedRunbook = { ok: true; runbook: Runbook; text: string; notes: string[] } | { ok: false; issues: RunbookIssue[] };

/** Old field spellings of this release, per step kind (`*`: any kind): old -> new, as the CLI's. */
const RENAMED: Record<string, Record<string, string>> = {
  '*': { folder: 'dir' },
  backfill: { column: 'tenantColumn', batch: 'batchSize' },
};

/** "steps[3].expect.no[0]" from a zod path. */
export function fieldName(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : `${out ? '.' : ''}${String(p)}`;
  return out || '(top level)';
}

function position(doc: Document, lc: LineCounter, path: readonly PropertyKey[]): { line: number; column: number } {
  for (let n = path.length; n >= 0; n -= 1) {
    const node = doc.getIn(path.slice(0, n) as (string | number)[], true);
    if (isNode(node) && node.range) {
      const pos = lc.linePos(node.range[0]);
      return { line: pos.line, column: pos.col };
    }
  }
  return { line: 1, column: 1 };
}

/** Parse and validate runbook text; `name` is only used in messages. */
export function parseRunbookText(text: string): ParsedRunbook {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length) {
    return {
      ok: false,
      issues: doc.errors.map((e) => {
        const pos = lc.linePos(e.pos[0]);
        return { line: pos.line, column: pos.col, field: '(yaml)', message: e.message.split('\n')[0]! };
      }),
    };
  }
  const value = doc.toJS() as unknown;
  const issues: RunbookIssue[] = [];
  const notes: string[] = [];
  const at = (path: PropertyKey[], message: string) => {
    const pos = position(doc, lc, path);
    issues.push({ line: pos.line, column: pos.column, field: fieldName(path), message });
  };
  // The step kind decides the rest of the schema: name a wrong kind before anything else.
  const steps = (value as { steps?: unknown } | null)?.steps;
  if (Array.isArray(steps)) {
    steps.forEach((s, i) => {
      const kind = (s as { kind?: unknown } | null)?.kind;
      if (!KINDS.includes(String(kind))) at(['steps', i, 'kind'], `kind must be one of ${KINDS.join(', ')}${kind === undefined ? '' : `, got ${JSON.stringify(kind)}`}`);
      const step = (s ?? {}) as Record<string, unknown>;
      if ('signedOff' in step) at(['steps', i, 'signedOff'], 'a sign-off written into the runbook is never a sign-off: remove it; the operator signs when running (or make the step an approval: for CI)');
      for (const [old, now] of Object.entries({ ...RENAMED['*'], ...RENAMED[String(kind)] })) {
        if (!(old in step)) continue;
        if (now in step) {
          at(['steps', i, old], `give ${now} or the old ${old}, not both`);
          continue;
        }
        step[now] = step[old];
        delete step[old];
        const pos = position(doc, lc, ['steps', i, old]);
        notes.push(`line ${pos.line}, steps[${i}].${old}: ${old} is deprecated and goes away in the next release; write ${now}`);
      }
      const expect = step.expect as Record<string, unknown> | undefined;
      if (expect && typeof expect.fails === 'string') at(['steps', i, 'expect', 'fails'], 'a probe names what must fail and why: fails: { sql: ..., error: not_null_violation, column: organization_id }');
      if (expect && 'error' in expect) at(['steps', i, 'expect', 'error'], 'the SQLSTATE goes inside fails: { sql, error, column | constraint | table }');
    });
  }
  const rollback = (value as { rollback?: unknown } | null)?.rollback;
  if (Array.isArray(rollback)) {
    rollback.forEach((s, i) => {
      const kind = (s as { kind?: unknown } | null)?.kind;
      if (!ROLLBACK_KINDS.includes(String(kind))) at(['rollback', i, 'kind'], `a rollback step's kind must be one of ${ROLLBACK_KINDS.join(', ')}${kind === undefined ? '' : `, got ${JSON.stringify(kind)}`}`);
    });
  }
  const rollbacks = (value as { rollbacks?: unknown } | null)?.rollbacks;
  if (rollbacks && typeof rollbacks === 'object' && !Array.isArray(rollbacks)) {
    for (const [name, section] of Object.entries(rollbacks)) {
      if (!Array.isArray(section)) continue;
      section.forEach((s, i) => {
        const kind = (s as { kind?: unknown } | null)?.kind;
        if (!ROLLBACK_KINDS.includes(String(kind))) at(['rollbacks', name, i, 'kind'], `a rollback step's kind must be one of ${ROLLBACK_KINDS.join(', ')}${kind === undefined ? '' : `, got ${JSON.stringify(kind)}`}`);
      });
    }
  }
  if (issues.length) return { ok: false, issues };
  const parsed = RunbookSchema.safeParse(value);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const keys = (issue as { keys?: string[] }).keys;
      if (issue.code === 'unrecognized_keys' && keys) {
        for (const k of keys) at([...issue.path, k], `unknown field "${k}"`);
      } else {
        at([...issue.path], issue.message);
      }
    }
    return { ok: false, issues: issues.sort((a, b) => a.line - b.line || a.column - b.column) };
  }
  const rb = parsed.data;
  const seen = new Map<string, number>();
  rb.steps.forEach((s, i) => {
    if (seen.has(s.id)) at(['steps', i, 'id'], `step id "${s.id}" is used twice (also steps[${seen.get(s.id)}])`);
    seen.set(s.id, i);
    (s.requires ?? []).forEach((r, j) => {
      const k = seen.get(r);
      if (k === undefined || k === i) at(['steps', i, 'requires', j], `"${r}" is not an earlier step`);
    });
    if (s.kind === 'preflight' && s.expect?.after !== undefined && s.dir === undefined) at(['steps', i, 'expect', 'after'], 'after names a migration of a folder: give the step its dir');
    if (s.kind === 'restore') {
      const b = rb.steps.findIndex((x) => x.id === s.backup);
      if (b < 0 || b >= i || rb.steps[b]!.kind !== 'backup') at(['steps', i, 'backup'], `"${s.backup}" is not an earlier backup step`);
    }
  });
  const rolled = new Map<string, number>();
  rb.rollback.forEach((s, i) => {
    if (seen.has(s.id)) at(['rollback', i, 'id'], `step id "${s.id}" is also a step of the run (steps[${seen.get(s.id)}]): rollback steps need their own ids`);
    else if (rolled.has(s.id)) at(['rollback', i, 'id'], `step id "${s.id}" is used twice (also rollback[${rolled.get(s.id)}])`);
    rolled.set(s.id, i);
    (s.requires ?? []).forEach((r, j) => {
      const k = rolled.get(r);
      if (k === undefined || k === i) at(['rollback', i, 'requires', j], `"${r}" is not an earlier rollback step`);
    });
    if (s.kind === 'restore' && rb.steps.find((x) => x.id === s.backup)?.kind !== 'backup') at(['rollback', i, 'backup'], `"${s.backup}" is not a backup step of the run`);
  });
  const sections: [string, readonly { id: string; kind: string; requires?: string[]; backup?: string }[]][] = [
    ...Object.entries(rb.rollbacks).map(([n, s]) => [`rollbacks.${n}`, s] as [string, typeof s]),
    ...Object.entries(rb.followUps).map(([n, f]) => [`followUps.${n}.steps`, f.steps] as [string, typeof f.steps]),
  ];
  for (const [name, section] of sections) {
    const own = new Map<string, number>();
    section.forEach((s, i) => {
      if (seen.has(s.id)) at([...name.split('.'), i, 'id'], `step id "${s.id}" is also a step of the run (steps[${seen.get(s.id)}]): rollback steps need their own ids`);
      else if (rolled.has(s.id)) at([...name.split('.'), i, 'id'], `step id "${s.id}" is also a step of the rollback (rollback[${rolled.get(s.id)}] or another section)`);
      else if (own.has(s.id)) at([...name.split('.'), i, 'id'], `step id "${s.id}" is used twice (also ${name}[${own.get(s.id)}])`);
      own.set(s.id, i);
      rolled.set(s.id, i);
      (s.requires ?? []).forEach((r, j) => {
        const k = own.get(r);
        if (k === undefined || k === i) at([...name.split('.'), i, 'requires', j], `"${r}" is not an earlier step of ${name}`);
      });
      if (s.kind === 'restore' && s.backup !== undefined && rb.steps.find((x) => x.id === s.backup)?.kind !== 'backup') at([...name.split('.'), i, 'backup'], `"${s.backup}" is not a backup step of the run`);
    });
  }
  if (issues.length) return { ok: false, issues };
  return { ok: true, runbook: rb, text, notes };
}

/** One line per issue: "FILE:LINE:COL FIELD: MESSAGE". */
export function formatIssues(file: string, issues: readonly RunbookIssue[]): string {
  return issues.map((i) => `${file}:${i.line}:${i.column} ${i.field}: ${i.message}`).join('\n');
}

/** Read and validate a runbook file; a UserError listing every problem with its line and field. */
export function readRunbook(file: string): { runbook: Runbook; text: string; notes: string[] } {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new UserError(`cannot read the runbook ${file}: ${(err as Error).message}`, 'usage');
  }
  const r = parseRunbookText(text);
  if (!r.ok) throw new UserError(`${r.issues.length} problem(s) in the runbook: ${formatIssues(file, r.issues).replace(/\n/g, '; ')}`, 'usage');
  return { runbook: r.runbook, text, notes: r.notes };
}
