/** The "?" overlay: every keyboard shortcut, in a dialog that keeps focus and gives it back. */
import { useRef } from 'react';
import { OTHER_KEYS, shortcutLabel } from '../lib/shortcuts.js';
import { PAGES } from '../store/app.js';
import { useDialogFocus } from './useDialogFocus.js';

/** The help dialog. */
export function ShortcutHelp({ onClose }: { onClose: () => void }) {
  const ref = useRef<HTMLDivElement>(null);
  useDialogFocus(ref, onClose);
  return (
    <div className="overlay" onClick={onClose}>
      <div className="dialog" role="dialog" aria-modal="true" aria-labelledby="shortcuts-title" tabIndex={-1} ref={ref} data-testid="shortcut-help" onClick={(e) => e.stopPropagation()}>
        <header className="profile-main">
          <h2 id="shortcuts-title">Keyboard shortcuts</h2>
          <button type="button" className="small" onClick={onClose}>Close ✕</button>
        </header>
        <table className="sample-table shortcuts">
          <caption>Pages</caption>
          <thead><tr><th scope="col">Page</th><th scope="col">Keys</th></tr></thead>
          <tbody>{PAGES.map((p, i) => <tr key={p.id}><td>{p.label}</td><td>{shortcutLabel(p.id, i)}</td></tr>)}</tbody>
        </table>
        <table className="sample-table shortcuts">
          <caption>Everywhere</caption>
          <thead><tr><th scope="col">Keys</th><th scope="col">What</th></tr></thead>
          <tbody>{OTHER_KEYS.map((k) => <tr key={k.keys}><td>{k.keys}</td><td>{k.what}</td></tr>)}</tbody>
        </table>
      </div>
    </div>
  );
}
