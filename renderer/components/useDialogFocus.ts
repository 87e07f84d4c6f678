/**
 * Focus for drawers and dialogs: focus moves in on open, Tab and Shift+Tab stay inside, Escape
 * closes, and focus goes back to the control that opened it.
 */
import { useEffect, useRef, type RefObject } from 'react';

const FOCUSABLE = 'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

/** Trap focus in `ref` while mounted; `onClose` on Escape; restore focus to the opener on unmount. */
export function useDialogFocus(ref: RefObject<HTMLElement | null>, onClose: () => void): void {
  // Callers pass inline closures: keep the latest without re-running the effect (which would forget the opener).
  const close = useRef(onClose);
  useEffect(() => {
    close.current = onClose;
  }, [onClose]);
  useEffect(() => {
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    const box = ref.current;
    box?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (!box) return;
      if (e.key === 'Escape') {
        e.preventDefault();
        close.current();
        return;
      }
      if (e.key !== 'Tab') return;
      const items = [...box.querySelectorAll<HTMLElement>(FOCUSABLE)].filter((el) => el.offsetParent !== null || el === document.activeElement);
      if (items.length === 0) {
        e.preventDefault();
        box.focus();
        return;
      }
      const first = items[0]!;
      const last = items.at(-1)!;
      const inside = box.contains(document.activeElement);
      if (e.shiftKey && (document.activeElement === first || document.activeElement === box || !inside)) {
        e.preventDefault();
        last.focus();
      } else if (!e.shiftKey && (document.activeElement === last || !inside)) {
        e.preventDefault();
        first.focus();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => {
      window.removeEventListener('keydown', onKey);
      if (opener?.isConnected) opener.focus();
    };
  }, [ref]);
}
