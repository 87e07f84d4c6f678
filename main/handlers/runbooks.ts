/**
 * runbooks/*: the checklist page. Each action reads or walks a run with the engine in
 * main/engine/runbook/; a step runs on its own session (write mode carried over from the page's
 * connection), registered so Cancel and the backfill buttons reach it, with events for each step
 * and each backfill batch.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import type { RunViewSchema, runbooksContract } from '../../shared/contract/runbooks.js';
import { activeStepsOf } from '../engine/host/active-steps.js';
import { CancelledError, UserError } from '../engine/errors.js';
import { installationKeyId } from '../engine/report/keys.js';
import { verifySignedJournal } from '../engine/runbook/head.js';
import { checkRunId, runsDir } from '../engine/runbook/journal.js';
import { readLocks } from '../engine/migrations/lock-watch.js';
import { expectedDurations } from '../engine/runbook/step-expectations.js';
import { runbookOperator } from '../engine/runbook/operator.js';
import { readRun, summarizeRuns } from '../engine/runbook/open.js';
import { readRunbook } from '../engine/runbook/parse.js';
import { previewStep } from '../engine/runbook/preview.js';
import { resolveFolder } from '../engine/runbook/steps.js';
import type { Session } from '../engine/session.js';
import type { RunbookStep } from '../../shared/runbook.js';
import { commandCliLine } from '../../shared/runbook-checklist.js';
import { shellLine } from '../../shared/runbook-env.js';
import { openRun, runRunbook } from '../engine/runbook/run.js';
import { listTemplates, templateFile, templateIdOf } from '../engine/runbook/templates.js';
import type { HostContext } from './context.js';
import type { DomainHandlers } from './types.js';

type RunView = z.input<typeof RunViewSchema>;

function view(ctx: HostContext, run: string): RunView {
  const r = readRun(run, runsDir(ctx.configDir));
  const a = activeStepsOf(ctx).get(run);
  return {
    label: r.label, template: templateIdOf(r.file), status: r.status, steps: r.runbook.steps, verification: r.verification,
    active: a ? { step: a.step, startedAt: a.startedAt, paused: a.pause.paused, backfill: a.backfill } : null,
  };
}

/** The step's statements as the checklist confirms them, resolved like the run resolves its folders. */
function previewOf(session: Session, opened: ReturnType<typeof readRun>, def: RunbookStep) {
  const { settings } = opened.runbook;
  // The profile's own settings win where set, as in the run.
  const fromProfile = Object.fromEntries(Object.entries(session.profile.tenancy ?? {}).filter(([, v]) => v !== undefined));
  return previewStep(session, def, {
    settings: { ...settings.tenancy, ...fromProfile }, rlsRole: session.profile.rlsRole ?? settings.rlsRole, rlsSetting: session.profile.rlsSetting ?? settings.rlsSetting,
    resolve: (folder) => resolveFolder(path.dirname(opened.file), folder), baseDir: path.dirname(opened.file),
  });
}

/** Handlers for the runbooks domain. */
export const runbooksHandlers: DomainHandlers<typeof runbooksContract> = {
  async templates() {
    return listTemplates();
  },

  async open(req, ctx) {
    if (req.source.kind === 'run') return view(ctx, req.source.run);
    if (!req.connectionId) throw new UserError('connect to the database first: a new run is started against the connection\'s database', 'usage');
    const conn = ctx.connections.get(req.connectionId);
    const file = req.source.kind === 'template' ? templateFile(req.source.template) : path.resolve(req.source.path);
    const { runbook, text } = readRunbook(file);
    const journal = await openRun({ file, runbook, text, operator: runbookOperator().name, runsDir: runsDir(ctx.configDir), profile: conn.profile.name, session: conn.session });
    journal.release();
    return view(ctx, journal.run);
  },

  async list(_req, ctx) {
    return summarizeRuns(runsDir(ctx.configDir));
  },

  async status(req, ctx) {
    return view(ctx, req.run);
  },

  async preview(req, ctx) {
    const conn = ctx.connections.get(req.connectionId);
    const opened = readRun(req.run, runsDir(ctx.configDir));
    const def = opened.runbook.steps.find((s) => s.id === req.step);
    if (!def) throw new UserError(`no step ${req.step} in this runbook; steps are ${opened.runbook.steps.map((s) => s.id).join(', ')}`, 'usage');
    return previewOf(conn.session, opened, def);
  },

  async runStep(req, ctx) {
    const conn = ctx.connections.get(req.connectionId);
    const opened = readRun(req.run, runsDir(ctx.configDir));
    const target = req.step ?? opened.status.next?.step;
    if (!target) throw new UserError(`every step of ${req.run} has passed`, 'usage');
    const def = opened.runbook.steps.find((s) => s.id === target);
    if (!def) throw new UserError(`no step ${target} in this runbook; steps are ${opened.runbook.steps.map((s) => s.id).join(', ')}`, 'usage');
    // A program of the team's never starts from the UI (browser mode must never execute programs): the CLI runs it.
    if (def.kind === 'command' && !req.untilStop) throw new UserError(`${def.id} runs a command (${shellLine(def.run)}): it never runs from the console's window; run it from a terminal: ${commandCliLine(opened.file, req.run, def.id, opened.status.profile)}`, 'usage');
    const writes = req.untilStop === true || def.kind !== 'manual';
    if (writes && !conn.session.isWritable) {
      throw new UserError('runbook steps write to the database: switch on write mode for this connection first (on production, type the database name)', 'permission');
    }
    if (def.kind === 'manual' && !req.note && !req.lines?.length && !req.untilStop) {
      throw new UserError(def.checklist.length ? `sign each checklist line of "${def.title}": write what you checked for each` : `sign off "${def.title}": write what you checked`, 'usage');
    }
    if (def.kind === 'manual' && def.checklist.length && req.note && !req.lines?.length) {
      throw new UserError(`${def.id} has ${def.checklist.length} checklist line(s): sign each on its own, with what you checked for it`, 'usage');
    }
    if (req.confirmed !== undefined && (await previewOf(conn.session, opened, def)).digest !== req.confirmed) {
      throw new UserError(`the SQL of ${def.id} changed since you confirmed it: review it again before it runs`, 'usage');
    }
    const operator = runbookOperator();
    const key = `runbook:${req.run}`;
    const active = activeStepsOf(ctx).begin(req.run, target);
    const controller = ctx.runs.start(key);
    try {
      await ctx.connections.withDedicatedSession(conn.id, async (session) => {
        // The operator already switched this connection to write mode (typed the name on production).
        if (writes) await session.enableWrite(conn.profile.database);
        ctx.runs.attach(key, session);
        active.pid = session.pid;
        // NOTICEs the step's statements raise, kept for the window view (they outlive the step).
        session.onNotice((n) => activeStepsOf(ctx).addNotice(req.run, { at: new Date().toISOString(), step: active.step, severity: n.severity ?? 'NOTICE', message: n.message ?? '' }));
        await runRunbook({
          session, file: opened.file, runbook: opened.runbook, text: opened.text, run: req.run, step: req.untilStop ? undefined : target,
          operator: operator.name, override: operator.override !== null, identities: [operator.osUser, ...(operator.git ? [operator.git] : [])],
          runsDir: runsDir(ctx.configDir), signal: controller.signal, pause: active.pause,
          onSql: (step, sql) => activeStepsOf(ctx).addStatement(req.run, { at: new Date().toISOString(), step, sql }),
          signOff: (s) => (s.id === target ? { note: req.note, lines: Object.fromEntries((req.lines ?? []).map((l) => [l.line, l.note])) } : null),
          onStep: (s, state, detail) => {
            active.step = s.id;
            ctx.emit('runbooks/onStep', { run: req.run, step: s.id, state, detail: detail ?? null });
          },
          onBackfill: (progress) => {
            active.backfill = progress;
            ctx.emit('runbooks/onBackfill', { run: req.run, step: active.step, paused: active.pause.paused, progress });
          },
        });
      });
    } catch (err) {
      // A cancel is journaled as the step failing ("cancelled by the operator"): show the run.
      if (!(err instanceof CancelledError)) throw err;
    } finally {
      ctx.runs.finish(key);
      activeStepsOf(ctx).end(req.run);
    }
    return view(ctx, req.run);
  },

  async cancel(req, ctx) {
    return { cancelled: await ctx.runs.cancel(`runbook:${req.run}`) };
  },

  async window(req, ctx) {
    const a = activeStepsOf(ctx).get(req.run);
    const conn = req.connectionId ? ctx.connections.get(req.connectionId) : null;
    // The lock picture around the step's session, read on the page's own (read-only) session.
    const locks = a?.pid && conn ? await readLocks(conn.session, a.pid) : null;
    return {
      active: a ? { step: a.step, startedAt: a.startedAt, pid: a.pid } : null,
      locks,
      notices: activeStepsOf(ctx).noticesOf(req.run),
      statements: activeStepsOf(ctx).statementsOf(req.run),
      expected: expectedDurations(req.run, runsDir(ctx.configDir)),
      at: new Date().toISOString(),
    };
  },

  async verify(req, ctx) {
    const file = path.join(runsDir(ctx.configDir), checkRunId(req.run), 'journal.jsonl');
    if (!fs.existsSync(file)) throw new UserError(`no run ${req.run} in this console's runs folder`, 'usage');
    return verifySignedJournal(path.dirname(file), { run: req.run, expectKey: installationKeyId(ctx.configDir) });
  },
};
