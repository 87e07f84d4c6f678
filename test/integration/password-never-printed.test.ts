/**
 * Role passwords in migrations, in every spelling, never reach stdout, stderr, the audit log or
 * a signed report: `migrate apply` creates the roles (and fails on one), `report export --run`
 * carries the run's audited statements.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { cleanCli, runTenancy, tempConfigDir } from '../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { writeFolder } from '../support/migration-folders.js';

const tag = crypto.randomBytes(4).toString('hex');
const role = (i: number) => `pw_role_${tag}_${i}`;
const SECRETS = ['Sek1ret', 'Sek2ret', 'Sek3ret', 'Sek4ret', 'Sek5ret', 'Sek6ret', 'Sek7ret'].map((s) => `${s}${tag}`);

let db: TestDatabase;
let configDir: string;

beforeAll(async () => {
  // A tenant model for the report (an incomplete model is refused): orgs referenced by projects.
  db = await createTestDatabase('CREATE TABLE orgs (id int PRIMARY KEY); CREATE TABLE projects (id int PRIMARY KEY, org_id int NOT NULL REFERENCES orgs);');
  configDir = tempConfigDir();
});

afterAll(async () => {
  for (let i = 0; i < SECRETS.length; i++) await db.exec(`DROP ROLE IF EXISTS ${role(i)}`).catch(() => undefined);
  await db?.drop();
  cleanCli();
  fs.rmSync(configDir, { recursive: true, force: true });
});

it('migrate apply and report export never print or keep a role password', async () => {
  const folder = writeFolder('plain', [
    {
      name: 'roles',
      sql: [
        `CREATE ROLE ${role(0)} PASSWORD'${SECRETS[0]}';`,
        `CREATE ROLE ${role(1)} LOGIN PASSWORD /* note */ '${SECRETS[1]}';`,
        `CREATE ROLE ${role(2)} PASSWORD E'${SECRETS[2]}\\'x';`,
        `CREATE ROLE ${role(3)} PASSWORD U&'${SECRETS[3]}';`,
        `CREATE ROLE ${role(4)} WITH ENCRYPTED PASSWORD $pw$${SECRETS[4]}$pw$;`,
        `DO $$ BEGIN EXECUTE 'CREATE ROLE ${role(5)} PASSWORD ''${SECRETS[5]}'''; END $$;`,
      ].join('\n'),
    },
    { name: 'broken', sql: `ALTER ROLE ${role(6)}_missing PASSWORD '${SECRETS[6]}';\n` },
  ]);
  const run = `pw-${tag}`;
  const env = { TENANCY_CONFIG_DIR: configDir, TENANCY_RUN_ID: run };
  const apply = await runTenancy(['migrate', 'apply', '--dir', folder.dir, '--url', db.url, '--write'], env);
  expect(apply.code).not.toBe(0); // the second migration fails: its error path is covered too
  expect((await db.exec(`SELECT count(*)::int AS n FROM pg_roles WHERE rolname LIKE 'pw_role_${tag}_%'`)).rows[0].n).toBe(6);
  const out = path.join(configDir, 'r.json');
  const report = await runTenancy(['report', 'export', '--url', db.url, '--estimate', '--run', run, '--out', out], env);
  expect(report.stderr).not.toMatch(/^tenancy:/m);

  const audit = fs.readdirSync(path.join(configDir, 'audit')).map((f) => fs.readFileSync(path.join(configDir, 'audit', f), 'utf8')).join('');
  const reportText = fs.readFileSync(out, 'utf8');
  expect(audit).toContain(`CREATE ROLE ${role(0)} PASSWORD'[redacted]'`);
  expect(reportText).toContain('[redacted]');
  for (const [where, text] of [['apply stdout', apply.stdout], ['apply stderr', apply.stderr], ['report stdout', report.stdout], ['report stderr', report.stderr], ['audit log', audit], ['report', reportText]] as const) {
    for (const s of SECRETS) expect(text, `${where} holds ${s}`).not.toContain(s);
  }
});
