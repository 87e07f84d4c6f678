/**
 * Identifiers and data with terminal control sequences reach the terminal escaped: a table named
 * with cursor-up and erase-line, a tenant named with an OSC title sequence, in `model`, `check`
 * (findings and progress lines) and `distribution`, human format.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanCli, runTenancy, tempConfigDir } from '../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

const EVIL_TABLE = 'tasks\x1b[1A\x1b[2K';
const EVIL_ORG = 'Acme\x1b]0;pwned\x07\r';

let db: TestDatabase;
let configDir: string;

beforeAll(async () => {
  db = await createTestDatabase(`
    CREATE TABLE organizations (id bigint PRIMARY KEY, name text NOT NULL);
    INSERT INTO organizations VALUES (1, $o$${EVIL_ORG}$o$), (2, 'Globex');
    CREATE TABLE "${EVIL_TABLE}" (id bigint PRIMARY KEY, org_id bigint REFERENCES organizations(id), title text);
    INSERT INTO "${EVIL_TABLE}" SELECT g, CASE WHEN g % 5 = 0 THEN NULL ELSE 1 + g % 2 END, 't' FROM generate_series(1, 50) g;
    ANALYZE;
  `);
  configDir = tempConfigDir();
});

afterAll(async () => {
  await db?.drop();
  cleanCli();
});

const RAW_CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/; // eslint-disable-line no-control-regex

describe('terminal output is inert', () => {
  it.each([
    ['model', ['model', '--url', db?.url ?? '']],
    ['check', ['check', '--url', '', '--tenant-column', 'org_id']],
    ['distribution', ['distribution', '--url', '', '--tenant-column', 'org_id']],
  ])('%s prints control characters from the database escaped', async (_name, args) => {
    const argv = args.map((a, i) => (args[i - 1] === '--url' ? db.url : a));
    const r = await runTenancy(argv, { TENANCY_CONFIG_DIR: configDir });
    const all = r.stdout + r.stderr;
    expect(r.stderr).not.toMatch(/^tenancy: /m);
    expect(all).not.toMatch(RAW_CONTROL);
    expect(all).toContain('tasks\\x1b[1A\\x1b[2K');
  });
});
