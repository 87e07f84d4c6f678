/** A side panel for details; Escape or the close button closes it, focus moves into it on open. */
import { useEffect, useRef, type ReactNode } from 'react';

/** The detail drawer. */
export function Drawer({ title, onClose, children, testId }: { title: string; onClose: () => void; children: ReactNode; testId?: string }) {
  const ref = useRef<HTMLElement>(null);
  useEffect(() => {
    ref.current?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') onClose();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);
  return (
    <aside className="drawer" role="dialog" aria-label={title} tabIndex={-1} ref={ref} data-testid={testId}>
      <header>
        <h2>{title}</h2>
        <button type="button" className="small" onClick={onClose} aria-label="Close details">Close ✕</button>
      </header>
      <div className="drawer-body">{children}</div>
    </aside>
  );
}
