/** A side panel for details: focus moves in and stays in; Escape or Close closes it and focus returns to the opener. */
import { useRef, type ReactNode } from 'react';
import { useDialogFocus } from './useDialogFocus.js';

/** The detail drawer. */
export function Drawer({ title, onClose, children, testId }: { title: string; onClose: () => void; children: ReactNode; testId?: string }) {
  const ref = useRef<HTMLElement>(null);
  useDialogFocus(ref, onClose);
  return (
    <aside className="drawer" role="dialog" aria-modal="true" aria-label={title} tabIndex={-1} ref={ref} data-testid={testId}>
      <header>
        <h2>{title}</h2>
        <button type="button" className="small" onClick={onClose} aria-label="Close details">Close ✕</button>
      </header>
      <div className="drawer-body">{children}</div>
    </aside>
  );
}
