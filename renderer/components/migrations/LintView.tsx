/**
 * Lint findings beside the SQL: pick a file, read its lines (virtualized; flagged lines marked with
 * the rule), and each finding's file, line, rule, message and safe rewrite beside them.
 */
import { useMemo } from 'react';
import type { MigrationSourceFile } from '../../../shared/contract/migrations.js';
import type { LintFinding } from '../../../shared/migrations.js';
import { CodeBlock } from '../CodeBlock.js';
import { EmptyState } from '../States.js';
import { VirtualRows } from '../VirtualRows.js';

interface Props {
  files: MigrationSourceFile[];
  findings: LintFinding[];
  selected: string | null;
  onSelect: (file: string) => void;
}

function worst(fs: LintFinding[]): 'error' | 'warning' | 'info' | null {
  if (fs.some((f) => f.severity === 'error')) return 'error';
  if (fs.some((f) => f.severity === 'warning')) return 'warning';
  return fs.length ? 'info' : null;
}

/** The lint panel. */
export function LintView({ files, findings, selected, onSelect }: Props) {
  const byFile = useMemo(() => {
    const m = new Map<string, LintFinding[]>();
    for (const f of findings) m.set(f.file, [...(m.get(f.file) ?? []), f]);
    return m;
  }, [findings]);
  const file = files.find((f) => f.file === selected) ?? null;
  const mine = useMemo(() => (selected ? byFile.get(selected) ?? [] : []).slice().sort((a, b) => a.line - b.line), [byFile, selected]);
  const byLine = useMemo(() => {
    const m = new Map<number, LintFinding[]>();
    for (const f of mine) m.set(f.line, [...(m.get(f.line) ?? []), f]);
    return m;
  }, [mine]);
  const lines = useMemo(() => (file?.sql ?? '').split('\n').map((text, i) => ({ n: i + 1, text })), [file]);
  const errors = findings.filter((f) => f.severity === 'error').length;

  return (
    <div className="card" data-testid="lint">
      <div className="profile-main">
        <h2>Lint <span className="muted small-text">PostgreSQL's own parser</span></h2>
        <span className="muted" data-testid="lint-counts">{findings.length} finding{findings.length === 1 ? '' : 's'} · {errors} error{errors === 1 ? '' : 's'}</span>
      </div>
      <div className="file-tabs" role="tablist" aria-label="Migration files">
        {files.filter((f) => f.file).map((f) => {
          const fs = byFile.get(f.file!) ?? [];
          const w = worst(fs);
          return (
            <button key={f.id} type="button" role="tab" aria-selected={f.file === selected} className={f.file === selected ? 'active' : ''} onClick={() => onSelect(f.file!)}>
              {f.file}{w && <span className={`badge sev-${w}`}>{fs.length}</span>}
            </button>
          );
        })}
      </div>
      {!file ? <EmptyState title="No file selected" /> : (
        <div className="lint-split">
          <div>
            <VirtualRows
              items={lines}
              rowHeight={20}
              height={Math.min(460, lines.length * 20 + 4)}
              label={`SQL of ${file.file}`}
              testId="sql-lines"
              getKey={(l) => String(l.n)}
              renderRow={(l) => {
                const hits = byLine.get(l.n);
                return (
                  <div className={`sql-line${hits ? ` flagged sev-${worst(hits)}` : ''}`} data-line={l.n}>
                    <span className="ln">{l.n}</span>
                    <code>{l.text || ' '}</code>
                    {hits && <span className="rule-tag">{hits.map((h) => h.rule).join(', ')}</span>}
                  </div>
                );
              }}
            />
          </div>
          <ol className="lint-findings" data-testid="lint-findings" aria-label={`Findings in ${file.file}`}>
            {mine.length === 0 && <li className="muted">No findings in this file.</li>}
            {mine.map((f, i) => (
              <li key={i} className={`lint-finding sev-${f.severity}`} data-rule={f.rule}>
                <div><span className={`badge sev-${f.severity}`}>{f.severity}</span> <code>{f.file}:{f.line}</code> <strong>{f.rule}</strong></div>
                <p>{f.message}</p>
                {f.rewrite && <CodeBlock label="Safe rewrite" code={f.rewrite} />}
              </li>
            ))}
          </ol>
        </div>
      )}
    </div>
  );
}
