/** Saved reports: names from the UI resolve inside the reports folder, or are refused with a one-line reason. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ReportNameSchema } from '../../shared/contract/reports.js';
import { UserError } from '../../main/engine/errors.js';
import { describeSavedReport, htmlNameOf, listSavedReports, readSavedReport, savedReportPath } from '../../main/engine/report/saved.js';

const dir = '/cfg/reports';

describe('savedReportPath', () => {
  it.each([
    'staging-2025-01-31T12-00-00-000Z-0acfeb5c.json',
    'a.json',
    'Ops_staging.v2.json',
  ])('accepts %s inside the folder', (name) => {
    expect(savedReportPath(dir, name)).toBe(path.join(dir, name));
    expect(ReportNameSchema.safeParse(name).success).toBe(true);
  });

  it.each([
    '../secrets.json', '..json', 'a/../../b.json', '/etc/passwd.json', 'sub/a.json', 'a\\b.json', '.hidden.json',
    'report.html', 'report.json\u0000.txt', '', 'a..json', `${'x'.repeat(300)}.json`,
  ])('refuses %j', (name) => {
    expect(() => savedReportPath(dir, name)).toThrow(UserError);
    expect(ReportNameSchema.safeParse(name).success && !name.includes('..')).toBe(false);
  });

  it('pairs a report with its HTML rendering', () => {
    expect(htmlNameOf('r-1.json')).toBe('r-1.html');
  });
});

describe('listing and reading', () => {
  it('lists reports newest first, flags files that are not reports, and reads the HTML beside one', () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tenancy-saved-'));
    try {
      fs.writeFileSync(path.join(tmp, 'old.json'), JSON.stringify({ kind: 'tenancy-console/verification-report', createdAt: '2025-01-01T00:00:00Z', summary: { verdict: 'fail', findings: 3 } }));
      fs.writeFileSync(path.join(tmp, 'new.json'), JSON.stringify({ kind: 'tenancy-console/verification-report', createdAt: '2025-02-01T00:00:00Z', summary: { verdict: 'pass', findings: 0 } }));
      fs.writeFileSync(path.join(tmp, 'new.html'), '<!doctype html><title>r</title>');
      fs.writeFileSync(path.join(tmp, 'junk.json'), '{not json');
      fs.writeFileSync(path.join(tmp, 'notes.txt'), 'ignored');
      const list = listSavedReports(tmp);
      expect(list.map((r) => r.name)).toEqual(['new.json', 'old.json', 'junk.json']);
      expect(list[0]).toMatchObject({ verdict: 'pass', findings: 0, htmlName: 'new.html', problem: null });
      expect(list[1]!.htmlName).toBeNull();
      expect(describeSavedReport(tmp, 'junk.json').problem).toBe('not valid JSON');
      expect(readSavedReport(tmp, 'new.json', 'html')).toMatchObject({ fileName: 'new.html', mime: 'text/html' });
      expect(() => readSavedReport(tmp, 'old.json', 'html')).toThrow(/old\.html is not in the reports folder/);
      expect(listSavedReports(path.join(tmp, 'missing'))).toEqual([]);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});
