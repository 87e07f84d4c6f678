/**
 * Expected time per step: a reference run (the rehearsal on staging) journaled each step's duration
 * and, at start, the size of every table the runbook names; a target (production) has its own
 * sizes. A step that names tables is expected to take its reference duration times the ratio of
 * those tables' sizes (bytes, partitions summed); one that names none takes its reference duration.
 */
import type { ExpectedStep, JournalLine, Runbook, RunbookStep } from '../../../shared/runbook.js';
import { parseQualifiedName, qualified } from '../ident.js';
import type { Session } from '../session.js';

/** The tables a step works on, as the runbook names them. */
export function stepTables(step: RunbookStep): string[] {
  switch (step.kind) {
    case 'backup': return step.tables;
    case 'backfill': return [step.table];
    case 'restore': return [step.table];
    case 'distribute': return [step.table];
    case 'contract': return step.tables === 'all' ? [] : step.tables;
    default: return [];
  }
}

/** Every table the runbook's steps (and rollback steps) name, once. */
export function runbookTables(runbook: Runbook): string[] {
  return [...new Set([...runbook.steps, ...(runbook.rollback ?? []), ...Object.values(runbook.rollbacks ?? {}).flat()].flatMap(stepTables))];
}

/** Each table's size in bytes (a partitioned table: its partitions summed); tables that do not exist are left out. */
export async function tableSizes(session: Session, tables: readonly string[]): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of tables) {
    let name: { schema: string; table: string };
    try {
      name = parseQualifiedName(t);
    } catch {
      continue;
    }
    const r = await session.query<{ bytes: string | null }>(
      `SELECT CASE WHEN to_regclass($1) IS NULL THEN NULL
              ELSE coalesce((SELECT sum(pg_total_relation_size(relid))::int8 FROM pg_partition_tree(to_regclass($1))), pg_total_relation_size(to_regclass($1))) END AS bytes`,
      [qualified(name.schema, name.table)],
    );
    if (r.rows[0]?.bytes !== null && r.rows[0]?.bytes !== undefined) out[t] = Number(r.rows[0].bytes);
  }
  return out;
}

/** One step's expectation (shared/runbook.ts). */
export type { ExpectedStep };

/** Durations and sizes a journal holds. */
export function referenceOf(lines: readonly JournalLine[]): { run: string | null; durations: Record<string, number>; sizes: Record<string, number> | null } {
  const durations: Record<string, number> = {};
  for (const l of lines) if (l.event.type === 'step-passed' && l.event.durationMs !== undefined) durations[l.event.step] = l.event.durationMs;
  const first = lines[0]?.event;
  return { run: null, durations, sizes: first?.type === 'run-started' ? first.sizes ?? null : null };
}

const sum = (sizes: Record<string, number> | null, tables: readonly string[]) => {
  if (!sizes || !tables.length || tables.some((t) => sizes[t] === undefined)) return null;
  return tables.reduce((n, t) => n + sizes[t]!, 0);
};

/** The expected time of every step (run's, then rollback's) on a target of `targetSizes`, from a reference run's journal. */
export function expectedTimes(runbook: Runbook, referenceLines: readonly JournalLine[], targetSizes: Record<string, number>): ExpectedStep[] {
  const ref = referenceOf(referenceLines);
  return [...runbook.steps, ...(runbook.rollback ?? [])].map((s) => {
    const tables = stepTables(s);
    const referenceMs = ref.durations[s.id] ?? null;
    const referenceBytes = sum(ref.sizes, tables);
    const targetBytes = sum(targetSizes, tables);
    const base = { id: s.id, title: s.title, kind: s.kind, tables, referenceMs, referenceBytes, targetBytes };
    if (s.kind === 'manual') return { ...base, factor: null, expectedMs: null, basis: 'manual: as long as the people take' };
    if (referenceMs === null) return { ...base, factor: null, expectedMs: null, basis: 'no duration: the step did not pass in the reference run' };
    if (!tables.length) return { ...base, factor: null, expectedMs: referenceMs, basis: 'as in the reference run (the step names no table)' };
    if (referenceBytes === null || targetBytes === null || referenceBytes === 0) {
      return { ...base, factor: null, expectedMs: referenceMs, basis: `as in the reference run (not scaled: ${ref.sizes ? 'a table size is missing' : 'the reference run recorded no table sizes'})` };
    }
    const factor = targetBytes / referenceBytes;
    return { ...base, factor, expectedMs: Math.round(referenceMs * factor), basis: `reference ${referenceMs} ms x ${factor.toFixed(2)} (${tables.join(', ')}: ${targetBytes} bytes here, ${referenceBytes} in the reference run)` };
  });
}
