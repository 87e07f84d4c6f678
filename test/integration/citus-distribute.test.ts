/**
 * The `distribute` runbook step and template 005 on a real Citus cluster (TENANCY_CITUS_URL): the
 * template moves a local application onto the cluster in order and its verify step passes; each
 * step shows its lock and expected duration before it runs, and takes exactly that lock; a table
 * already placed as asked is not distributed again, one placed otherwise fails. Skipped loudly
 * without Citus; the single-server refusal runs everywhere.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunbookStep } from '../../shared/runbook.js';
import { runChecks } from '../../main/engine/checks/run.js';
import { loadModel } from '../../main/engine/model/load.js';
import { DistributeRefusal, planDistribute, runDistribute } from '../../main/engine/runbook/distribute-step.js';
import { parseRunbookText, readRunbook } from '../../main/engine/runbook/parse.js';
import { runRunbook } from '../../main/engine/runbook/run.js';
import { tempConfigDir } from '../support/cli.js';
import { citusUrl, createCitusSchema, type CitusSchema } from '../support/citus.js';
import { createTestDatabase } from '../support/db.js';
import { CITUS_CHECKS } from './fixtures/citus.js';

const url = await citusUrl('Citus distribute step and template 005 (test/integration/citus-distribute.test.ts)');
const TEMPLATE = path.resolve(import.meta.dirname, '../../runbooks/templates/005-citus-distribute.yaml');

type Distribute = Extract<RunbookStep, { kind: 'distribute' }>;
const step = (o: Partial<Distribute> & { table: string }): Distribute => ({ id: 'd', title: 'd', kind: 'distribute', as: 'distributed', concurrently: false, ...o });

/** The application before the move: every table local on the coordinator. */
const LOCAL_APP = [
  'CREATE TABLE plans (id int PRIMARY KEY, name text NOT NULL)',
  'CREATE TABLE orgs (id bigint PRIMARY KEY, name text NOT NULL)',
  'CREATE TABLE projects (org_id bigint NOT NULL REFERENCES orgs(id), id bigint, plan_id int NOT NULL REFERENCES plans(id), PRIMARY KEY (org_id, id))',
  'CREATE TABLE tasks (org_id bigint NOT NULL REFERENCES orgs(id), id bigint, project_id bigint NOT NULL, PRIMARY KEY (org_id, id), FOREIGN KEY (org_id, project_id) REFERENCES projects (org_id, id))',
  'CREATE INDEX ON projects (org_id)',
  'CREATE INDEX ON tasks (org_id)',
  `INSERT INTO plans VALUES (1, 'free'), (2, 'pro')`,
  `INSERT INTO orgs SELECT g, 'org ' || g FROM generate_series(1, 20) g`,
  'INSERT INTO projects SELECT 1 + g % 20, g, 1 + g % 2 FROM generate_series(1, 20000) g',
  'INSERT INTO tasks SELECT 1 + g % 20, g, g FROM generate_series(1, 20000) g',
  'ANALYZE plans', 'ANALYZE orgs', 'ANALYZE projects', 'ANALYZE tasks',
];

describe('the distribute step on a single server', () => {
  it('refuses before anything runs: there is no cluster to distribute to', async () => {
    const db = await createTestDatabase('CREATE TABLE orgs (id bigint PRIMARY KEY)');
    try {
      const s = await db.session();
      await expect(planDistribute(s, step({ table: 'public.orgs', column: 'id' }))).rejects.toThrow(DistributeRefusal);
      await expect(planDistribute(s, step({ table: 'public.orgs', column: 'id' }))).rejects.toThrow(/has no citus extension: a distribute step needs a Citus coordinator/);
    } finally {
      await db.drop();
    }
  });

  it('is validated like every step: a distributed table needs its column, a reference table takes none', () => {
    const bad = (yaml: string) => {
      const r = parseRunbookText(`version: 1\ntitle: t\nsteps:\n${yaml}`);
      return r.ok ? [] : r.issues.map((i) => `${i.field}: ${i.message}`);
    };
    expect(bad('  - { id: a, kind: distribute, title: A, table: public.orgs }')).toEqual(['steps[0].column: a distributed table needs its distribution column: give column (the tenant column)']);
    expect(bad('  - { id: a, kind: distribute, title: A, table: public.plans, as: reference, column: id }')).toEqual(['steps[0].as: a reference table takes no column, colocateWith, concurrently or shardCount']);
    expect(bad('  - { id: a, kind: distribute, title: A, table: public.orgs, column: id }')).toEqual([]);
  });
});

describe.skipIf(!url)('Citus: the distribute step and template 005', () => {
  let app: CitusSchema;

  beforeAll(async () => {
    app = await createCitusSchema(url!, LOCAL_APP);
  });
  afterAll(async () => {
    await app?.drop();
  });

  it('template 005 moves the application in order, shows each lock and expectation first, and verifies clean', async () => {
    const { text } = readRunbook(TEMPLATE);
    const mine = text.replaceAll('public.', `${app.schema}.`).replace('schemas: [public]', `schemas: [${app.schema}]`);
    const parsed = parseRunbookText(mine);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
    const runbook = parsed.runbook;
    const session = await app.session({ statementTimeoutMs: 120_000 });
    await session.enableWrite();
    const log: string[] = [];
    const status = await runRunbook({
      session, file: TEMPLATE, runbook, text: mine, operator: 'citus-test', runsDir: path.join(tempConfigDir(), 'runs'), ci: true,
      signOff: (s) => ({ note: undefined, lines: Object.fromEntries(s.checklist.map((c, i) => [i + 1, `rehearsal: ${c}`])) }),
      onStep: (s, state) => log.push(`${s.id} ${state}`),
      onSql: (id, sql) => log.push(`${id} SQL ${sql}`),
    });
    expect(status.steps.filter((s) => s.state !== 'passed').map((s) => `${s.id}: ${s.error}`), log.join('\n')).toEqual([]);
    // Each distribute step's SQL, with its lock and expected duration, comes before the step passes.
    for (const id of ['reference-plans', 'distribute-orgs', 'distribute-projects', 'distribute-tasks']) {
      const shown = log.findIndex((l) => l.startsWith(`${id} SQL`));
      expect(shown, id).toBeGreaterThanOrEqual(0);
      expect(log.findIndex((l) => l === `${id} passed`)).toBeGreaterThan(shown);
      expect(log[shown]).toMatch(/-- locks: ExclusiveLock on .* for the whole copy: reads continue, INSERT\/UPDATE\/DELETE wait until it commits/);
      expect(log[shown]).toMatch(/-- expected: about \d+ s for ~[\d,]+ rows, [\d.]+ MB \(an estimate\)/);
    }
    expect(log.find((l) => l.startsWith('distribute-tasks SQL'))).toContain(`create_distributed_table('"${app.schema}"."tasks"', 'org_id', colocate_with => '"${app.schema}"."orgs"')`);
    expect(log.find((l) => l.startsWith('reference-plans SQL'))).toContain(`create_reference_table('"${app.schema}"."plans"')`);
    const projects = status.steps.find((s) => s.id === 'distribute-projects')!.evidence!;
    expect(projects.counts).toMatchObject({ rows: 20000, shards: expect.any(Number) });
    expect(projects.counts.durationMs).toBeGreaterThanOrEqual(0);
    expect(projects.result).toMatch(/^distributed by org_id in co-location group \d+, \d+ shards in [\d.]+ s \(expected about \d+ s\)$/);

    const { rows } = await app.exec(
      `SELECT c.relname AS t, p.partmethod, p.colocationid FROM pg_dist_partition p JOIN pg_class c ON c.oid = p.logicalrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 ORDER BY 1`, [app.schema],
    );
    const group = rows.find((r) => r.t === 'orgs').colocationid;
    expect(rows.map((r) => `${r.t} ${r.partmethod} ${r.partmethod === 'h' ? r.colocationid === group : 'ref'}`)).toEqual(['orgs h true', 'plans n ref', 'projects h true', 'tasks h true']);
    // Independently of the runbook's own check step: the Citus checks are clean, every row still there.
    const run = await runChecks(session, await loadModel(session, { schemas: [app.schema] }), { mode: 'exact' });
    expect(run.findings.filter((f) => CITUS_CHECKS.includes(f.check))).toEqual([]);
    expect(run.tables.find((t) => t.table === 'tasks')).toMatchObject({ rows: 20000, estimate: false });

    // Again: already placed as asked, so nothing runs.
    const again = await runDistribute(session, step({ table: `${app.schema}.projects`, column: 'org_id', colocateWith: `${app.schema}.orgs` }));
    expect(again).toMatchObject({ failed: null, evidence: { ran: [], result: expect.stringMatching(/^already distributed by org_id .*; not run again$/) } });
    // Placed otherwise: it fails, naming what is there, and does not pass.
    const other = await runDistribute(session, step({ table: `${app.schema}.projects`, column: 'id' }));
    expect(other.failed).toMatch(/projects is already distributed by org_id in co-location group \d+, \d+ shards; change it with alter_distributed_table or undistribute_table first$/);
  });

  it('takes the lock it shows: ExclusiveLock waits for a writer; the concurrent form waits only at its start, and refuses a table in a foreign key', async () => {
    await app.exec('CREATE TABLE locked_a (org_id bigint, id bigint, PRIMARY KEY (org_id, id))');
    await app.exec('CREATE TABLE locked_b (org_id bigint, id bigint, PRIMARY KEY (org_id, id))');
    await app.exec('INSERT INTO locked_b SELECT 1 + g % 5, g FROM generate_series(1, 2000) g');
    const session = await app.session({ statementTimeoutMs: 60_000 });
    await session.enableWrite();
    for (const [table, concurrently, mode] of [['locked_a', false, 'ExclusiveLock'], ['locked_b', true, 'AccessExclusiveLock']] as const) {
      const writer = await app.session();
      await writer.enableWrite();
      // An open writer transaction holds RowExclusiveLock on the table.
      await writer.query('BEGIN');
      await writer.query(`INSERT INTO ${app.schema}.${table} VALUES (100, 100000)`);
      const s = step({ table: `${app.schema}.${table}`, column: 'org_id', concurrently });
      expect((await planDistribute(session, s)).shown).toContain(`-- locks: ${mode} on`);
      const running = runDistribute(session, s);
      // The step waits for the writer, on exactly the lock it showed.
      await waitFor(app, `SELECT EXISTS (SELECT FROM pg_locks WHERE relation = '${app.schema}.${table}'::regclass AND mode = '${mode}' AND NOT granted) AS ok`);
      await writer.query('COMMIT');
      const r = await running;
      expect(r.failed).toBeNull();
      expect(r.evidence.result).toMatch(/^distributed by org_id in co-location group \d+/);
      await writer.close();
    }
    expect((await app.exec('SELECT count(*)::int AS n FROM locked_b')).rows[0].n).toBe(2001);
    await expect(planDistribute(session, step({ table: `${app.schema}.projects`, column: 'org_id', concurrently: true }))).resolves.toBeDefined();
    await app.exec('CREATE TABLE with_fk (org_id bigint, id bigint, plan_id int REFERENCES plans(id), PRIMARY KEY (org_id, id))');
    await expect(planDistribute(session, step({ table: `${app.schema}.with_fk`, column: 'org_id', concurrently: true })))
      .rejects.toThrow(/^create_distributed_table_concurrently does not take a table in a foreign key \(with_fk_plan_id_fkey\): set concurrently: false and run it in a window$/);
  });
});

/** Wait until `sql` returns ok = true (real readiness: a lock requested), failing after 30 s with what it saw. */
async function waitFor(c: CitusSchema, sql: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if ((await c.exec(sql)).rows[0]?.ok) return;
    await new Promise((r) => setImmediate(r));
  }
  throw new Error(`never true within 30 s: ${sql}`);
}
