/**
 * The maintenance window (settings.window) read against a given clock, and the credential scan of
 * a runbook's folder (a connection password is found, a placeholder is not).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MaintenanceWindowSchema } from '../../shared/runbook.js';
import { passwordInLine, passwordsInFolders, urlFromEnvProblem } from '../../main/engine/runbook/credentials-check.js';
import { approvalGuardProblem } from '../../main/engine/runbook/operator.js';
import { assertInsideWindow, insideWindow } from '../../main/engine/runbook/window.js';

const sat = MaintenanceWindowSchema.parse({ days: ['sat'], fromUtc: '02:00', toUtc: '04:00' });

describe('settings.window', () => {
  it('is open on its day between from and to (UTC), closed a minute outside', () => {
    expect(insideWindow(sat, new Date('2026-12-05T02:00:00Z'))).toBe(true);
    expect(insideWindow(sat, new Date('2026-12-05T03:59:59Z'))).toBe(true);
    expect(insideWindow(sat, new Date('2026-12-05T04:00:00Z'))).toBe(false);
    expect(insideWindow(sat, new Date('2026-12-05T01:59:00Z'))).toBe(false);
    expect(insideWindow(sat, new Date('2026-12-02T03:00:00Z'))).toBe(false);
  });

  it('a window past midnight opens on its day and closes on the next', () => {
    const w = MaintenanceWindowSchema.parse({ days: ['fri'], fromUtc: '22:00', toUtc: '02:00' });
    expect(insideWindow(w, new Date('2026-12-04T23:30:00Z'))).toBe(true);
    expect(insideWindow(w, new Date('2026-12-05T01:30:00Z'))).toBe(true);
    expect(insideWindow(w, new Date('2026-12-05T02:30:00Z'))).toBe(false);
    expect(insideWindow(w, new Date('2026-12-04T01:30:00Z'))).toBe(false);
  });

  it('refuses a production run outside it with one line; staging and an open window pass', () => {
    expect(() => assertInsideWindow(sat, 'production', new Date('2026-12-02T03:36:00Z'))).toThrow(
      'outside the maintenance window (sat 02:00-04:00 UTC): it is wed 03:36 UTC and the target is production; nothing ran, run it inside the window (settings.window)',
    );
    expect(() => assertInsideWindow(sat, 'staging', new Date('2026-12-02T03:36:00Z'))).not.toThrow();
    expect(() => assertInsideWindow(sat, 'production', new Date('2026-12-05T03:00:00Z'))).not.toThrow();
    expect(() => assertInsideWindow(undefined, 'production', new Date('2026-12-02T03:36:00Z'))).not.toThrow();
  });

  it('refuses a malformed window by its field', () => {
    expect(MaintenanceWindowSchema.safeParse({ days: ['sat'], fromUtc: '2am', toUtc: '04:00' }).error?.issues[0]).toMatchObject({ path: ['fromUtc'], message: 'a UTC time as HH:MM, e.g. "02:00"' });
    expect(MaintenanceWindowSchema.safeParse({ days: ['sat'], fromUtc: '02:00', toUtc: '02:00' }).error?.issues[0]?.path).toEqual(['toUtc']);
    expect(MaintenanceWindowSchema.safeParse({ days: ['saturday'], fromUtc: '02:00', toUtc: '04:00' }).success).toBe(false);
  });
});

describe('credentials in the runbook folder', () => {
  it('finds a password in a URL, PGPASSWORD or a keyword DSN, not a placeholder', () => {
    expect(passwordInLine('url: postgres://app:s3cret@db.internal:5432/app')).toBe('a connection URL with a password');
    expect(passwordInLine('PGPASSWORD=hunter2 psql')).toBe('PGPASSWORD with a value');
    expect(passwordInLine('dsn: host=db dbname=app user=app password=hunter2')).toBe('a connection string with password=');
    for (const clean of ['--url "$DATABASE_URL"', 'postgres://app@db/app', 'postgres://app:${DB_PASSWORD}@db/app', 'postgres://user:<password>@host/db', 'postgres://app:***@db/app', 'PGPASSWORD=$SECRET', 'password= is read from the keychain']) {
      expect([clean, passwordInLine(clean)]).toEqual([clean, null]);
    }
  });

  it('names the file and line, never the password', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tenancy-creds-'));
    fs.writeFileSync(path.join(dir, 'clean.yaml'), 'url: ${DATABASE_URL}\n');
    fs.mkdirSync(path.join(dir, 'ci'));
    fs.writeFileSync(path.join(dir, 'ci', 'env.sh'), '# set up\nexport NETLIFY_DATABASE_URL=postgresql://neon:npg_Xy12@ep-1.neon.tech/app\n');
    const r = passwordsInFolders([dir]);
    expect(r).toEqual({ files: 2, found: [`${path.join(dir, 'ci', 'env.sh')}:2: a connection URL with a password`] });
    expect(r.found.join('')).not.toContain('npg_Xy12');
  });

  it('the target must be the URL the variable holds', () => {
    const target = { host: 'db', port: 5432, database: 'app', user: 'app' };
    expect(urlFromEnvProblem('DATABASE_URL', { DATABASE_URL: 'postgres://app:pw@db:5432/app' }, target)).toBeNull();
    expect(urlFromEnvProblem('DATABASE_URL', {}, target)).toBe('the target\'s URL must come from DATABASE_URL (the CI secret), which is not set in this job');
    expect(urlFromEnvProblem('DATABASE_URL', { DATABASE_URL: 'postgres://app:pw@other:5432/app' }, target)).toBe('DATABASE_URL points at app@other:5432/app, the run\'s target is app@db:5432/app: run with --url "$DATABASE_URL"');
  });
});

describe('approval guards (runbook 002: manual dispatch, AUTO_RUN_MIGRATIONS unset)', () => {
  const approval = { events: ['workflow_dispatch'], unsetEnv: ['AUTO_RUN_MIGRATIONS'] };
  const ci = (event: string | null) => ({ ci: 'github-actions', actor: 'a', runId: '1', workflow: 'w', environment: 'production', repository: null, event });
  it('refuses a push, and AUTO_RUN_MIGRATIONS set; passes a manual dispatch with it unset or "0"', () => {
    expect(approvalGuardProblem(approval, {}, ci('push'))).toBe('approval: this workflow run was started by push; only workflow_dispatch may run this runbook');
    expect(approvalGuardProblem(approval, { AUTO_RUN_MIGRATIONS: '1' }, ci('workflow_dispatch'))).toBe('approval: AUTO_RUN_MIGRATIONS is set; this runbook runs only with it unset (or "0"), behind a manual approval');
    expect(approvalGuardProblem(approval, { AUTO_RUN_MIGRATIONS: '0' }, ci('workflow_dispatch'))).toBeNull();
    expect(approvalGuardProblem(approval, {}, ci('workflow_dispatch'))).toBeNull();
  });
});
