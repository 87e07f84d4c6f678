/**
 * `tenancy audit verify` checks the signed checkpoints: a log whose entry was edited and whose
 * chain (and head) were recomputed fails with exit 1, naming the line; the untouched log passes.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditLine } from '../../shared/audit.js';
import { GENESIS_HASH, headPath, listAuditFiles, splitLines } from '../../main/engine/audit/files.js';
import { lineHash } from '../../main/engine/audit/log.js';
import { canonicalize } from '../../main/engine/report/canonical.js';
import { cleanCli, runTenancy, tempConfigDir } from '../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

let db: TestDatabase;
let configDir: string;
const env = () => ({ TENANCY_CONFIG_DIR: configDir });

beforeAll(async () => {
  db = await createTestDatabase('CREATE TABLE orgs (id int PRIMARY KEY); CREATE TABLE projects (id int PRIMARY KEY, org_id int NOT NULL REFERENCES orgs);');
  configDir = tempConfigDir();
  const r = await runTenancy(['model', '--url', db.url], env());
  expect(r.code, r.stderr).toBe(0);
});

afterAll(async () => {
  await db?.drop();
  cleanCli();
  fs.rmSync(configDir, { recursive: true, force: true });
});

describe('audit verify with signed checkpoints', () => {
  it('passes on the untouched log (the twin)', async () => {
    const r = await runTenancy(['audit', 'verify'], env());
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^audit log intact: \d+ entries/);
  });

  it('fails on an edited entry whose chain and head were recomputed, naming the line', async () => {
    const dir = path.join(configDir, 'audit');
    const file = path.join(dir, listAuditFiles(dir)[0]!.name);
    const lines = splitLines(fs.readFileSync(file, 'utf8')).map((l) => JSON.parse(l) as AuditLine);
    let prev = GENESIS_HASH;
    const out = lines.map((l) => {
      const body = { v: l.v, seq: l.seq, prev, entry: l.seq === 2 ? { ...l.entry, sql: 'SELECT 1' } : l.entry };
      const hash = lineHash(body);
      prev = hash;
      return { ...body, hash };
    });
    fs.writeFileSync(file, out.map((l) => `${canonicalize(l)}\n`).join(''));
    fs.writeFileSync(headPath(dir), `${JSON.stringify({ file: path.basename(file), seq: out.at(-1)!.seq, hash: out.at(-1)!.hash })}\n`);
    const r = await runTenancy(['audit', 'verify'], env());
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`audit log BROKEN at ${path.basename(file)}:2 (seq 2): rewritten: its hash differs from the one signed for seq 2`);
  });
});
