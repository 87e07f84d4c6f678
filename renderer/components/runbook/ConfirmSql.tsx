/**
 * The confirmation before a step writes: every statement it will send, whole (a migration file,
 * every contract statement, an sql step statement by statement, a probe), with what each is, and
 * the operator's choice to run them or not. Nothing runs until "Run these statements".
 */
import { useRef } from 'react';
import type { StepPreviewView } from '../../../shared/contract/runbooks.js';
import { useRunbook } from '../../store/runbook.js';
import { CodeBlock } from '../CodeBlock.js';
import { useDialogFocus } from '../useDialogFocus.js';

/** The dialog for the pending confirmation. */
export function ConfirmSql({ preview, title, database }: { preview: StepPreviewView; title: string; database: string }) {
  const answerConfirm = useRunbook((s) => s.answerConfirm);
  const box = useRef<HTMLDivElement>(null);
  useDialogFocus(box, () => answerConfirm(false));
  const n = preview.statements.length;
  return (
    <div className="overlay">
      <div ref={box} className="dialog confirm-sql" role="dialog" aria-modal="true" aria-labelledby="confirm-sql-title" tabIndex={-1} data-testid="confirm-sql" data-step={preview.step}>
        <h2 id="confirm-sql-title">Run "{title}"?</h2>
        <p>It sends {n} statement{n === 1 ? '' : 's'} to <strong>{database}</strong>, shown here whole. Read them before you run them.</p>
        {preview.notes.map((note) => <p key={note} className="muted small-text">{note}</p>)}
        <ol className="confirm-sql-list">
          {preview.statements.map((st, i) => (
            <li key={`${i}-${st.label}`}><CodeBlock label={st.label} code={st.sql} testId="confirm-sql-statement" /></li>
          ))}
        </ol>
        <div className="dialog-actions">
          <button type="button" onClick={() => answerConfirm(false)}>Cancel</button>
          <button type="button" className="primary" onClick={() => answerConfirm(true)}>Run these statements</button>
        </div>
      </div>
    </div>
  );
}
