/**
 * Before apply asks to run: every statement of the pending migrations with the lock it takes and,
 * from the live lint (lint-live.ts), the locked table's size and how long the lock would be held,
 * measured on this server. Read-only; the CLI prints it before switching to write mode and the
 * Migrations page shows it beside Apply.
 */
import type { LintOptions, StatementEstimate } from '../../../shared/migrations.js';
import type { Session } from '../session.js';
import { pendingMigrations } from './apply.js';
import { annotateTargets, liveLintOptions } from './lint-live.js';
import { describeLock, statementLock } from './lint-locks.js';
import { lintSource } from './lint.js';
import { planMigration } from './plan.js';
import type { MigrationSource } from './sources.js';

const clip = (s: string) => (s.length > 300 ? `${s.slice(0, 300)}...` : s);
const lineCount = (s: string) => (s.match(/\n/g) ?? []).length;

/** The statements of the pending migrations (up to `upTo`), each with its lock and estimated lock time. */
export async function pendingEstimates(session: Session, source: MigrationSource, options: LintOptions = {}, upTo?: string): Promise<StatementEstimate[]> {
  const pending = await pendingMigrations(session, source, upTo);
  if (!pending.length) return [];
  const live = await liveLintOptions(session, options);
  const findings = await annotateTargets(session, await lintSource(source, live, pending.map((m) => m.id)));
  const version = live.serverVersionNum ?? session.fingerprint.serverVersionNum;
  const out: StatementEstimate[] = [];
  for (const m of pending) {
    const file = m.file ?? m.id;
    const plan = await planMigration({ ...m, sql: (m.sql ?? '').replace(/^\uFEFF/, '') }, version);
    for (const s of plan.parsed ?? []) {
      const mine = findings.filter((f) => f.file === file && f.line === s.line);
      const measured = mine.filter((f) => f.target?.estimateSeconds != null).sort((a, b) => b.target!.estimateSeconds! - a.target!.estimateSeconds!)[0];
      const sized = mine.find((f) => f.target);
      out.push({
        id: m.id, file, line: s.line, endLine: s.line + lineCount(s.text), statement: clip(s.text),
        lock: describeLock(statementLock(s, version)),
        rows: sized?.target?.rows ?? null, bytes: sized?.target?.bytes ?? null,
        estimateSeconds: measured?.target?.estimateSeconds ?? null, basis: measured?.target?.basis ?? null,
        rules: [...new Set(mine.map((f) => f.rule))],
      });
    }
  }
  return out;
}
