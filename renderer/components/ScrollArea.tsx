/** A horizontally scrollable area that keyboard users can reach (focusable, named): wide tables at 1024 px. */
import type { ReactNode } from 'react';

/** The area; `label` names it for screen readers. */
export function ScrollArea({ label, children }: { label: string; children: ReactNode }) {
  return <div className="table-scroll" tabIndex={0} role="region" aria-label={label}>{children}</div>;
}
