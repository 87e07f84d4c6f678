/**
 * The report as one self-contained, printable HTML page: inline CSS, inline SVG, no scripts and
 * no external reference (a CSP meta tag forbids loading anything). Page 1 is the executive
 * summary; then findings by check with evidence SQL and samples, the distribution, the model,
 * the runbook run's journal (steps, who, when, durations, evidence, signed heads) and statements
 * when present, the migration ledger when present, and the integrity appendix.
 */
import { CHECKS, CHECK_IDS } from '../../../shared/checks.js';
import type { Finding } from '../../../shared/findings.js';
import { z } from 'zod';
import { MigrationStatusSchema } from '../../../shared/migrations.js';
import type { Report } from '../../../shared/report.js';
import { JournalLineSchema, type JournalLine } from '../../../shared/runbook.js';
import { distributionSvg, esc, num } from './html-util.js';

const VERDICT_TEXT: Record<Report['summary']['verdict'], string> = {
  pass: 'PASS: no findings',
  'pass-with-warnings': 'PASS with warnings',
  fail: 'FAIL: error findings',
  incomplete: 'INCOMPLETE: the run was cancelled',
};

const CSS = `
*{box-sizing:border-box}body{font:13px/1.45 -apple-system,"Segoe UI",Roboto,"DejaVu Sans",Arial,sans-serif;color:#1d2430;margin:0;padding:24px 32px;max-width:1000px}
h1{font-size:24px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:2px solid #d9dee5;padding-bottom:4px}h3{font-size:15px;margin:18px 0 6px}
.band{height:8px;margin:-24px -32px 18px}.band.production{background:#c0392b}.band.staging{background:#e0a526}.band.development{background:#3c9d5d}
.muted{color:#5d6776}.verdict{font-size:26px;font-weight:700;padding:14px 18px;border-radius:8px;margin:16px 0;color:#fff}
.verdict.fail{background:#c0392b}.verdict.pass{background:#2e8b57}.verdict.pass-with-warnings{background:#b7791f}.verdict.incomplete{background:#6b7280}
.counts{display:flex;gap:12px;margin:10px 0 16px}.count{flex:1;border:1px solid #d9dee5;border-radius:8px;padding:10px 14px}.count b{display:block;font-size:26px}
.count.error b{color:#c0392b}.count.warning b{color:#b7791f}.count.info b{color:#3b6ea5}
table{border-collapse:collapse;width:100%;margin:6px 0 12px}th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #e3e7ec;vertical-align:top}th{background:#f3f5f8;font-weight:600}
table.kv th{width:190px;background:none;color:#5d6776;font-weight:500}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
pre{background:#f6f8fa;border:1px solid #e3e7ec;border-radius:6px;padding:8px 10px;white-space:pre-wrap;word-break:break-word;font:12px/1.4 "DejaVu Sans Mono",Menlo,Consolas,monospace;margin:4px 0 8px}
.sev{display:inline-block;border-radius:4px;padding:0 6px;font-size:11px;font-weight:700;color:#fff;text-transform:uppercase}.sev.error{background:#c0392b}.sev.warning{background:#b7791f}.sev.info{background:#3b6ea5}
.finding{border-left:3px solid #d9dee5;padding:2px 0 2px 12px;margin:10px 0;break-inside:avoid}code,.mono{font-family:"DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:12px}
svg .lbl{font-size:11px;fill:#1d2430}.digest{word-break:break-all}
.page{break-before:page}
@page{size:A4;margin:14mm 12mm}
@media print{body{padding:0;max-width:none}.band{margin:0 0 14px}h2{break-after:avoid}tr{break-inside:avoid}}
`;

function kv(rows: [string, unknown][]): string {
  return `<table class="kv">${rows.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`).join('')}</table>`;
}

function sev(s: string): string {
  return `<span class="sev ${esc(s)}">${esc(s)}</span>`;
}

function summaryPage(r: Report): string {
  const s = r.summary;
  const fp = r.database;
  const byCheck = s.byCheck.length === 0
    ? '<p>No check found anything to fix.</p>'
    : `<table><tr><th>Check</th><th>Severity</th><th class="n">Findings</th><th class="n">Rows</th></tr>${s.byCheck
        .map((c) => `<tr><td>${esc(CHECKS[c.check].title)} <span class="muted mono">${esc(c.check)}</span></td><td>${sev(c.severity)}</td><td class="n">${num(c.findings)}</td><td class="n">${c.rows ? num(c.rows) : ''}</td></tr>`)
        .join('')}</table>`;
  return `<section id="summary">
<div class="band ${esc(r.profile.environment)}"></div>
<h1>Tenancy verification report</h1>
<div class="muted">${esc(fp.database)} on ${esc(fp.serverAddress ?? 'local socket')}${fp.serverPort ? `:${esc(fp.serverPort)}` : ''} · ${esc(r.profile.environment)} · ${esc(r.createdAt)}</div>
<div class="verdict ${esc(s.verdict)}">${esc(VERDICT_TEXT[s.verdict])}</div>
<div class="counts">
<div class="count error"><b>${num(s.bySeverity.error)}</b>errors</div>
<div class="count warning"><b>${num(s.bySeverity.warning)}</b>warnings</div>
<div class="count info"><b>${num(s.bySeverity.info)}</b>info</div>
<div class="count"><b>${num(s.tablesScanned)}</b>tables ${r.checks.mode === 'exact' ? 'scanned' : 'estimated'}</div>
</div>
<h3>Database</h3>
${kv([
  ['Database', fp.database], ['Server', `PostgreSQL ${fp.serverVersion}`], ['Address', `${fp.serverAddress ?? 'local socket'}${fp.serverPort ? `:${fp.serverPort}` : ''}`],
  ['System identifier', fp.systemIdentifier ?? 'not readable by this role'], ['Connected as', `${fp.user}${fp.superuser ? ' (superuser)' : ''}, ${fp.readOnly ? 'read-only' : 'write mode'}`],
  ['Profile', `${r.profile.name} (${r.profile.environment})`], ['Tenant table / column', `${r.model.summary.tenantTable ?? 'none'} / ${r.model.summary.tenantColumn ?? 'none'}`],
  ['Checks', `${r.checks.mode === 'exact' ? 'exact (table scans)' : 'estimate (statistics only)'}, ${r.checks.startedAt} to ${r.checks.finishedAt}`],
  ['Operator', r.operator], ['Console version', r.consoleVersion],
  ['Skipped', s.skipped ? `${s.skipped} (listed under Findings)` : 'nothing'],
])}
<h3>Findings by check</h3>
${byCheck}
<p class="muted">Report ${esc(r.id)} · sha256 <span class="mono digest">${esc(r.integrity.digest)}</span> · signed with key <span class="mono">${esc(r.integrity.signature.keyId)}</span>. Prove it unchanged with <code>tenancy report verify</code> on the JSON.</p>
</section>`;
}

function sampleTable(rows: NonNullable<Finding['sample']>): string {
  if (rows.length === 0) return '';
  const cols = Object.keys(rows[0]!);
  return `<table><tr>${cols.map((c) => `<th>${esc(c)}</th>`).join('')}</tr>${rows
    .map((r) => `<tr>${cols.map((c) => `<td class="mono">${r[c] === null ? '<span class="muted">NULL</span>' : esc(r[c])}</td>`).join('')}</tr>`)
    .join('')}</table>`;
}

function findingsSection(r: Report): string {
  const parts: string[] = ['<section id="findings" class="page"><h2>Findings</h2>'];
  if (r.checks.findings.length === 0) parts.push('<p>No findings.</p>');
  for (const id of CHECK_IDS) {
    const fs = r.checks.findings.filter((f) => f.check === id);
    if (fs.length === 0) continue;
    const def = CHECKS[id];
    parts.push(`<h3>${sev(def.severity)} ${esc(def.title)} <span class="muted mono">${esc(id)}</span></h3><p class="muted">${esc(def.why)}</p>`);
    for (const f of fs) {
      parts.push(`<div class="finding"><b class="mono">${esc(`${f.schema}.${f.table}`)}</b>${f.constraint ? ` <span class="mono">${esc(f.constraint)}</span>` : ''}${f.count !== undefined ? ` · ${num(f.count)} row${f.count === 1 ? '' : 's'}${f.estimate ? ' (estimate)' : ''}` : ''}
<div>${esc(f.message)}</div>
<div class="muted">Evidence</div><pre>${esc(f.sql)}</pre>
${f.sample && f.sample.length ? `<div class="muted">Sample rows</div>${sampleTable(f.sample)}` : ''}
${f.remedy ? `<div class="muted">Suggested remedy</div><pre>${esc(f.remedy)}</pre>` : ''}</div>`);
    }
  }
  if (r.checks.skipped.length) {
    parts.push(`<h3>Skipped</h3><table><tr><th>Table</th><th>Why</th></tr>${r.checks.skipped
      .map((s) => `<tr><td class="mono">${esc(s.table ? `${s.schema}.${s.table}${s.constraint ? ` (${s.constraint})` : ''}` : '-')}</td><td>${esc(s.reason)}</td></tr>`)
      .join('')}</table>`);
  }
  parts.push('</section>');
  return parts.join('\n');
}

function distributionSection(r: Report): string {
  const d = r.distribution;
  if (!d) return `<section id="distribution"><h2>Distribution</h2><p class="muted">Not measured (${r.checks.mode === 'estimate' ? 'estimate mode reads statistics only' : 'no tenant column known'}).</p></section>`;
  const buckets = [
    ...d.noTenant.map((b) => [`${b.schema}.${b.table}`, 'no tenant', b.rows] as const),
    ...d.missingTenant.map((b) => [`${b.schema}.${b.table}`, `missing tenant ${b.tenant}`, b.rows] as const),
  ];
  return `<section id="distribution"><h2>Distribution</h2>
<p class="muted">Rows per tenant in each tenant table (${num(d.tenants.length)} tenants in ${esc(d.tenantTable ?? 'no tenant table')}); each bar is one table.</p>
${distributionSvg(d)}
${buckets.length ? `<h3>Rows outside any tenant</h3><table><tr><th>Table</th><th>Bucket</th><th class="n">Rows</th></tr>${buckets
    .map(([t, b, n]) => `<tr><td class="mono">${esc(t)}</td><td>${esc(b)}</td><td class="n">${num(n)}</td></tr>`).join('')}</table>` : ''}
</section>`;
}

function modelSection(r: Report): string {
  const m = r.model.detail;
  const rows = m.tables.map((t) => {
    const c = t.tenantColumn;
    return `<tr><td class="mono">${esc(`${t.schema}.${t.table}`)}</td><td>${esc(t.role)}</td><td class="mono">${esc(c ? `${c.name} ${c.type}` : '')}</td><td>${c ? (c.nullable ? 'yes' : 'no') : ''}</td><td class="mono">${esc(c?.default ?? '')}</td><td class="mono">${esc(t.tenantForeignKey ?? '')}</td><td>${t.rlsEnabled ? (t.rlsForced ? 'forced' : 'enabled') : 'off'}</td><td class="n">${num(t.policies.length)}</td><td class="n">${num(t.estimatedRows)}</td></tr>`;
  });
  return `<section id="model" class="page"><h2>Tenancy model</h2>
${kv([['Schemas', m.schemas.join(', ')], ['Tenant table', m.tenantTable ? `${m.tenantTable.schema}.${m.tenantTable.table} (${m.detection.tenantTable})` : 'none'], ['Tenant column', `${m.tenantColumn ?? 'none'} (${m.detection.tenantColumn})`], ['Global tables', m.globalTables.map((g) => `${g.schema}.${g.table}`).join(', ') || 'none']])}
${m.detection.notes.length ? `<ul class="muted">${m.detection.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>` : ''}
<table><tr><th>Table</th><th>Role</th><th>Tenant column</th><th>Nullable</th><th>Default</th><th>FK to tenants</th><th>RLS</th><th class="n">Policies</th><th class="n">Est. rows</th></tr>${rows.join('')}</table>
</section>`;
}

function seconds(ms: number | undefined): string {
  if (ms === undefined) return '';
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** What a journal event says, in one cell: the step, and its evidence, note or error. */
function eventText(e: JournalLine['event']): string {
  switch (e.type) {
    case 'run-started': return `${e.runbook} on ${e.database}${e.systemIdentifier ? ` (system identifier ${e.systemIdentifier})` : ''}, runbook sha256 ${e.sha256.slice(0, 16)}`;
    case 'step-passed': return `${e.evidence.result}${e.evidence.ran.length ? `\n${e.evidence.ran.join('\n')}` : ''}`;
    case 'step-failed': return `${e.error}${e.evidence.ran.length ? `\n${e.evidence.ran.join('\n')}` : ''}`;
    case 'step-signed': return `${e.note}${e.override ? ' (operator overridden)' : ''}`;
    case 'line-signed': return `line ${e.line} "${e.text}": ${e.note}${e.override ? ' (operator overridden)' : ''}`;
    case 'ci-approved': return `approved in ${e.ci} ${e.workflow} run ${e.runId} by ${e.actor}${e.environment ? ` (environment ${e.environment})` : ''}`;
    case 'step-blocked': return e.reason;
    case 'rollback-started': return e.reason;
    case 'journal-repaired': return `${e.reason} (${e.cutBytes} bytes cut, sha256 ${e.cutSha256.slice(0, 16)})`;
    default: return '';
  }
}

function journalTable(r: Report): string {
  const parsed = z.array(JournalLineSchema).safeParse(r.runbook?.journal);
  if (!parsed.success) return '<p class="muted">The run\'s journal is not in this report.</p>';
  const heads = z.array(z.object({ seq: z.number(), hash: z.string(), keyId: z.string() }).passthrough()).safeParse(r.runbook?.signatures);
  const signed = new Map((heads.success ? heads.data : []).map((h) => [h.seq, h]));
  const rows = parsed.data.map((l) => {
    const h = signed.get(l.seq);
    const sig = !h ? '<span class="muted">not in this report</span>' : h.hash === l.hash ? `key <span class="mono">${esc(h.keyId.slice(0, 12))}</span>` : '<b>head differs</b>';
    const step = 'step' in l.event ? l.event.step : '';
    const took = 'durationMs' in l.event ? seconds(l.event.durationMs) : '';
    return `<tr><td class="n">${l.seq}</td><td class="mono">${esc(l.time)}</td><td>${esc(l.operator)}</td><td class="mono">${esc(l.event.type)}</td><td class="mono">${esc(step)}</td><td class="n">${esc(took)}</td><td><pre>${esc(eventText(l.event))}</pre></td><td class="mono digest">${esc(l.hash.slice(0, 16))}</td><td>${sig}</td></tr>`;
  });
  return `<h3>Journal</h3>
<p class="muted">${num(parsed.data.length)} lines of the run's hash-chained journal up to this report: each step, who, when, how long, the evidence and every sign-off; each line's head signed with the installation key (prove it with <code>tenancy runbook verify ${esc(r.runbook!.run)}</code>).</p>
<table><tr><th class="n">#</th><th>Time</th><th>Who</th><th>Event</th><th>Step</th><th class="n">Took</th><th>Evidence</th><th>sha256</th><th>Signed</th></tr>${rows.join('')}</table>`;
}

function runbookSection(r: Report): string {
  if (!r.runbook) return '';
  const a = r.runbook.audit;
  return `<section id="runbook" class="page"><h2>Runbook run ${esc(r.runbook.run)}</h2>
${journalTable(r)}
<h3>Statements</h3>
<p class="muted">${num(a.length)} statements sent to the database during the run, from the hash-chained audit log (secrets redacted).</p>
<table><tr><th>Time</th><th>Operator</th><th>Statement</th><th class="n">ms</th><th class="n">Rows</th><th>Error</th></tr>${a
    .map((e) => `<tr><td class="mono">${esc(e.time)}</td><td>${esc(e.operator)}</td><td><pre>${esc(e.sql)}</pre></td><td class="n">${esc(e.durationMs)}</td><td class="n">${num(e.rows)}</td><td>${esc(e.error ?? '')}</td></tr>`)
    .join('')}</table></section>`;
}

function ledgerSection(r: Report): string {
  if (r.migrations === undefined) return '';
  const m = MigrationStatusSchema.safeParse(r.migrations);
  if (!m.success) return '<section id="ledger"><h2>Migration ledger</h2><p class="muted">The ledger state in this report is in a form this page cannot show; see the JSON.</p></section>';
  const s = m.data;
  return `<section id="ledger"><h2>Migration ledger</h2>
<p class="muted">${esc(s.kind)} folder ${esc(s.dir)} against ${esc(s.ledgerExists ? 'the ledger' : 'no ledger (it does not exist)')}: ${Object.entries(s.counts).filter(([, n]) => n > 0).map(([k, n]) => `${num(n)} ${esc(k)}`).join(', ') || 'no migrations'}.</p>
<table><tr><th>Migration</th><th>State</th><th>Applied at</th><th>Checksum</th><th>Note</th></tr>${s.migrations
    .map((e) => `<tr><td class="mono">${esc(e.id)}</td><td>${esc(e.state)}</td><td class="mono">${esc(e.appliedAt ?? '')}</td><td class="mono digest">${esc((e.appliedChecksum ?? e.checksum ?? '').slice(0, 16))}</td><td>${esc(e.note ?? '')}</td></tr>`)
    .join('')}</table></section>`;
}

function integritySection(r: Report): string {
  const i = r.integrity;
  return `<section id="integrity"><h2>Integrity</h2>
${kv([['Digest (sha256, RFC 8785 canonical JSON)', i.digest], ['Sections digested', Object.keys(i.sections).length], ['Signature', `${i.signature.algorithm}, key ${i.signature.keyId}`], ['Public key (SPKI, base64)', i.signature.publicKey], ['Signature value', i.signature.value]])}
<p class="muted">This page is a rendering. The signed JSON file is the record: <code>tenancy report verify FILE.json</code> recomputes the digest and checks the signature.</p>
</section>`;
}

/** Render a signed report as a self-contained HTML page. */
export function renderReportHtml(r: Report): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(`Tenancy report: ${r.database.database} ${r.createdAt}`)}</title>
<style>${CSS}</style></head>
<body>
${summaryPage(r)}
${findingsSection(r)}
${distributionSection(r)}
${modelSection(r)}
${runbookSection(r)}
${ledgerSection(r)}
${integritySection(r)}
</body></html>
`;
}
