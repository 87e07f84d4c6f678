/**
 * `report verify` trusts keys, not just integrity: a report signed by another installation fails
 * (exit 1, naming the key and whose it is not) until that key is trusted (`report trust add`) or
 * named with --expect-key; the issuing installation's own verify passes (the twin).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanCli, runTenancy, tempConfigDir } from '../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

let db: TestDatabase;
let issuer: string;
let auditor: string;
let file: string;
let keyId: string;

beforeAll(async () => {
  db = await createTestDatabase(`
    CREATE TABLE organizations (id bigint PRIMARY KEY, name text NOT NULL);
    INSERT INTO organizations VALUES (1, 'Acme');
    CREATE TABLE tasks (id bigint PRIMARY KEY, org_id bigint NOT NULL REFERENCES organizations(id));
  `);
  issuer = tempConfigDir();
  auditor = tempConfigDir();
  file = path.join(issuer, 'report.json');
  const r = await runTenancy(['report', 'export', '--url', db.url, '--estimate', '--out', file], { TENANCY_CONFIG_DIR: issuer });
  expect(r.stderr).not.toMatch(/^tenancy:/m);
  keyId = (JSON.parse(fs.readFileSync(file, 'utf8')) as { integrity: { signature: { keyId: string } } }).integrity.signature.keyId;
  // The auditor's installation has a key of its own.
  const own = await runTenancy(['report', 'export', '--url', db.url, '--estimate', '--out', path.join(auditor, 'own.json')], { TENANCY_CONFIG_DIR: auditor });
  expect(own.stderr).not.toMatch(/^tenancy:/m);
}, 120_000);

afterAll(async () => {
  await db?.drop();
  cleanCli();
  for (const d of [issuer, auditor]) fs.rmSync(d, { recursive: true, force: true });
});

const asAuditor = (args: string[]) => runTenancy(args, { TENANCY_CONFIG_DIR: auditor });

describe('report verify and trust', () => {
  it("passes on the issuer's own installation (the twin)", async () => {
    const r = await runTenancy(['report', 'verify', file], { TENANCY_CONFIG_DIR: issuer });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`signed with key ${keyId} (this installation's key)`);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600); // reports are written for the operator only
  });

  it('fails for a key that is neither this installation\'s nor trusted, saying whose it is not', async () => {
    const r = await asAuditor(['report', 'verify', file]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('is intact but not signed by a key you trust');
    expect(r.stdout).toContain(`signed by ${keyId}, an unknown key: neither this installation's`);
    expect(r.stdout).toContain(`tenancy report trust add ${keyId}`);
    const json = await asAuditor(['report', 'verify', file, '--format', 'json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: true, verification: { ok: false, keyId, trustedKey: false } });
  });

  it('--expect-key with the right id passes; with another id fails', async () => {
    expect((await asAuditor(['report', 'verify', file, '--expect-key', keyId])).code).toBe(0);
    const wrong = await asAuditor(['report', 'verify', file, '--expect-key', '0123456789abcdef']);
    expect(wrong.code).toBe(1);
    expect(wrong.stdout).toContain('not the expected 0123456789abcdef');
  });

  it('trust add (from the report file) makes it pass with the label; trust remove undoes it', async () => {
    const add = await asAuditor(['report', 'trust', 'add', file, '--label', 'Acme DBA team']);
    expect(add.code).toBe(0);
    expect(add.stdout).toContain(`trusted key ${keyId} (Acme DBA team)`);
    expect(fs.statSync(path.join(auditor, 'keys', 'trusted-report-keys.json')).mode & 0o777).toBe(0o600);
    const ok = await asAuditor(['report', 'verify', file]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain(`signed with key ${keyId} (trusted: Acme DBA team)`);
    expect((await asAuditor(['report', 'trust', 'list'])).stdout).toContain(`${keyId}  Acme DBA team`);
    expect((await asAuditor(['report', 'trust', 'remove', keyId])).code).toBe(0);
    expect((await asAuditor(['report', 'verify', file])).code).toBe(1);
  });

  it('a tampered report still fails even when its key is trusted', async () => {
    await asAuditor(['report', 'trust', 'add', keyId, '--label', 'Acme']);
    const text = fs.readFileSync(file, 'utf8').replace(`"${db.name}"`, `"${db.name.replace(/^t_/, 'x_')}"`);
    expect(text).not.toBe(fs.readFileSync(file, 'utf8'));
    const tampered = path.join(auditor, 'tampered.json');
    fs.writeFileSync(tampered, text);
    const r = await asAuditor(['report', 'verify', tampered]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('does not match what was signed');
  });
});
