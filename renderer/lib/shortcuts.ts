/**
 * Keyboard shortcuts that can be typed on any keyboard: "g" then a letter opens a page (as in
 * GitHub and Gmail), Alt+1..9 the first nine; "?" lists them. Never while typing in a field.
 */
import type { PageId } from '../store/app.js';

/** The letter after "g" for each page. */
export const PAGE_KEYS: Record<PageId, string> = {
  connections: 'c', overview: 'o', 'null-safety': 'n', orphans: 'f', distribution: 'd', isolation: 'i',
  backups: 'b', migrations: 'm', reports: 'r', audit: 'a', runbook: 'u', tenant: 't', window: 'w',
};

/** The shortcut as shown in tooltips and the help overlay. */
export function shortcutLabel(page: PageId, index: number): string {
  return `g then ${PAGE_KEYS[page]}${index < 9 ? `, or Alt+${index + 1}` : ''}`;
}

/** The page a letter typed after "g" opens, if any. */
export function pageForLetter(letter: string): PageId | null {
  const l = letter.toLowerCase();
  return (Object.keys(PAGE_KEYS) as PageId[]).find((p) => PAGE_KEYS[p] === l) ?? null;
}

/** Whether a key event comes from a place where typing means text (inputs, selects, editable). */
export function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName);
}

/** Other keys, for the help overlay. */
export const OTHER_KEYS: { keys: string; what: string }[] = [
  { keys: '?', what: 'this list of shortcuts' },
  { keys: 'Escape', what: 'close a drawer or dialog; focus returns to what opened it' },
  { keys: '↑ ↓ Home End PageUp PageDown', what: 'move in a list' },
  { keys: 'Enter', what: 'open the focused row; in the tenant search, select the first match' },
  { keys: 'C', what: 'on a tenant in Distribution: compare it with the selected tenant' },
  { keys: 'Tab / Shift+Tab', what: 'move between controls (kept inside an open drawer or dialog)' },
];
