/**
 * Evidence and time on real PostgreSQL: a check step's report carries the run's journal (steps,
 * who, when, durations, evidence, signed heads) and the migration ledger, and its HTML shows them;
 * a run records every table's size at start, so a reference run's durations give another target
 * the expected time per step, scaled by its table sizes.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../shared/report.js';
import { renderReportHtml } from '../../main/engine/report/html.js';
import { expectedTimes, runbookTables, tableSizes } from '../../main/engine/runbook/expected.js';
import { Journal } from '../../main/engine/runbook/journal.js';
import { parseRunbookText } from '../../main/engine/runbook/parse.js';
import { runRunbook } from '../../main/engine/runbook/run.js';
import type { Session } from '../../main/engine/session.js';
import { tempConfigDir } from '../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

const fixture = (rows: number) => `
CREATE TABLE org (id text PRIMARY KEY);
INSERT INTO org VALUES ('org_a'), ('org_b');
CREATE TABLE item (id int PRIMARY KEY, label text NOT NULL, org_id text REFERENCES org (id));
INSERT INTO item SELECT g, repeat('item ', 8) || g, CASE WHEN g % 2 = 0 THEN 'org_a' ELSE 'org_b' END FROM generate_series(1, ${rows}) g;
CREATE TABLE event (id int, org_id text NOT NULL REFERENCES org (id), at date NOT NULL) PARTITION BY RANGE (at);
CREATE TABLE event_2024 PARTITION OF event FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE event_2025 PARTITION OF event FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
INSERT INTO event SELECT g, 'org_a', DATE '2024-01-01' + (g % 700) FROM generate_series(1, ${rows}) g;
`;

let staging: TestDatabase;
let production: TestDatabase;
let sStaging: Session;
let sProduction: Session;
let runsDir: string;
let folder: string;
beforeAll(async () => {
  staging = await createTestDatabase(fixture(500));
  production = await createTestDatabase(fixture(8000));
  sStaging = await staging.session();
  sProduction = await production.session();
  await sStaging.enableWrite();
  runsDir = path.join(tempConfigDir(), 'runs');
  folder = fs.mkdtempSync(path.join(os.tmpdir(), 'evidence-migrations-'));
  fs.writeFileSync(path.join(folder, '0001_item_note.sql'), 'ALTER TABLE item ADD COLUMN note text;\n');
});
afterAll(async () => {
  await sStaging.close();
  await sProduction.close();
  await staging.drop();
  await production.drop();
});

const TEXT = () => `version: 1
title: Evidence
steps:
  - id: backup
    kind: backup
    title: Backup
    tables: [public.item, public.event]
  - id: migrate
    kind: migrate
    title: Add the note column
    dir: ${JSON.stringify(folder)}
  - id: sign
    kind: manual
    title: Smoke tests
    text: The application works.
    checklist: [smoke tests green]
  - id: backfill
    kind: backfill
    title: Notes
    table: public.item
    column: note
    source: { kind: constant, value: "n/a" }
    batch: 200
    nice: 19
  - id: verify
    kind: check
    title: Verified, with the report
    expect:
      no: [null-tenant-rows]
    report: true
`;

describe('the report of a run', () => {
  it('carries the journal (steps, who, when, durations, evidence, signed heads) and the migration ledger, and the HTML shows them', async () => {
    const text = TEXT();
    const parsed = parseRunbookText(text);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
    const status = await runRunbook({
      session: sStaging, file: path.join(runsDir, '..', 'evidence.yaml'), runbook: parsed.runbook, text, operator: 'ann', runsDir, ci: true,
      signOff: () => ({ lines: { 1: 'all green, build 4711' } }),
    });
    expect(status.steps.map((s) => `${s.id} ${s.state}`)).toEqual(['backup passed', 'migrate passed', 'sign passed', 'backfill passed', 'verify passed']);
    // The step's nice is in its evidence: applied (the test server is on this host, and the tests run as root or as its owner), or why not.
    const owner = fs.statSync(`/proc/${sStaging.pid}`).uid;
    expect(status.steps[3]!.evidence!.result).toMatch(process.getuid?.() === 0 || owner === process.getuid?.()
      ? /NULL left; its server process ran at nice 19$/ : /NULL left; nice 19 not applied: this OS user may not renice/);
    const report = JSON.parse(fs.readFileSync(status.steps[4]!.evidence!.refs.report!, 'utf8')) as Report;
    const journal = report.runbook!.journal as { seq: number; event: { type: string; step?: string } }[];
    expect(journal.map((l) => `${l.event.type}${l.event.step ? ` ${l.event.step}` : ''}`)).toEqual([
      'run-started', 'step-started backup', 'step-passed backup', 'step-started migrate', 'step-passed migrate',
      'line-signed sign', 'step-signed sign', 'step-started backfill', 'step-passed backfill', 'step-started verify',
    ]);
    expect((report.runbook!.signatures as { seq: number }[]).map((h) => h.seq)).toEqual(journal.map((l) => l.seq));
    expect(report.migrations).toMatchObject({ kind: 'plain', counts: { applied: 1, pending: 0 } });

    const html = renderReportHtml(report);
    const section = html.slice(html.indexOf('<section id="runbook"'), html.indexOf('<section id="integrity"'));
    expect(section).toContain('<h3>Journal</h3>');
    expect(section).toMatch(/<td class="mono">step-passed<\/td><td class="mono">backup<\/td><td class="n">\d+ ms<\/td><td><pre>2 backup\(s\) made, no pg_dump/);
    expect(section).toContain('line 1 &quot;smoke tests green&quot;: all green, build 4711');
    expect(section).toMatch(/<td>ann<\/td><td class="mono">line-signed<\/td>/);
    expect((section.match(/<td>key <span class="mono">[0-9a-f]{12}<\/span><\/td>/g) ?? []).length).toBe(journal.length);
    expect(section).toContain('<h2>Migration ledger</h2>');
    expect(section).toMatch(/<td class="mono">0001_item_note\.sql<\/td><td>applied<\/td><td class="mono">20\d\d-/);
  });
});

describe('expected time per step', () => {
  it('scales the reference run\'s durations by the sizes of the tables each step names (partitions summed)', async () => {
    const runs = fs.readdirSync(runsDir);
    const reference = Journal.open(runs[0]!, runsDir).entries;
    const started = reference[0]!.event;
    if (started.type !== 'run-started') throw new Error('no run-started');
    // The run recorded every named table's size at start; the partitioned one is its partitions' sum.
    expect(Object.keys(started.sizes ?? {}).sort()).toEqual(['public.event', 'public.item']);
    expect(started.sizes!['public.event']).toBeGreaterThan(0);

    const parsed = parseRunbookText(TEXT());
    if (!parsed.ok) throw new Error('does not parse');
    const target = await tableSizes(sProduction, runbookTables(parsed.runbook));
    expect(target['public.item']).toBeGreaterThan(started.sizes!['public.item']!);
    const expected = expectedTimes(parsed.runbook, reference, target);
    const by = Object.fromEntries(expected.map((e) => [e.id, e]));
    const durations = Object.fromEntries(reference.flatMap((l) => (l.event.type === 'step-passed' ? [[l.event.step, l.event.durationMs!]] : [])));
    const factor = (target['public.item']! + target['public.event']!) / (started.sizes!['public.item']! + started.sizes!['public.event']!);
    expect(by.backup!.factor).toBeCloseTo(factor, 6);
    expect(by.backup!.expectedMs).toBe(Math.round(durations.backup! * factor));
    expect(by.backfill!.factor).toBeCloseTo(target['public.item']! / started.sizes!['public.item']!, 6);
    expect(by.backfill!.factor).toBeGreaterThan(2);
    // A step that names no table takes what it took; a manual one has no expectation.
    expect(by.migrate).toMatchObject({ factor: null, expectedMs: durations.migrate, basis: 'as in the reference run (the step names no table)' });
    expect(by.sign).toMatchObject({ expectedMs: null, basis: 'manual: as long as the people take' });
    // Without sizes in the reference (an older run), nothing is scaled, and it says so.
    const older = [{ ...reference[0]!, event: { ...started, sizes: undefined } }, ...reference.slice(1)];
    expect(expectedTimes(parsed.runbook, older, target).find((e) => e.id === 'backup')).toMatchObject({ factor: null, expectedMs: durations.backup, basis: 'as in the reference run (not scaled: the reference run recorded no table sizes)' });
  });
});
