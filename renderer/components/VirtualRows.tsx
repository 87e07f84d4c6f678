/**
 * A virtualized, keyboard-navigable list of rows (2,000 tables, 10,000 tenants stay smooth): only
 * the visible rows are in the DOM. Arrow keys move, Home/End jump, Enter activates.
 */
import { useVirtualizer } from '@tanstack/react-virtual';
import { useRef, useState, type KeyboardEvent, type ReactNode } from 'react';

interface Props<T> {
  items: T[];
  rowHeight: number;
  label: string;
  getKey: (item: T) => string;
  renderRow: (item: T, index: number) => ReactNode;
  onActivate?: (item: T, index: number) => void;
  /** A second action on the focused row, by one typed key (e.g. "c" compares). */
  secondary?: { key: string; run: (item: T, index: number) => void };
  selectedKey?: string | null;
  height?: number;
  testId?: string;
}

/** The virtual list. */
export function VirtualRows<T>({ items, rowHeight, label, getKey, renderRow, onActivate, secondary, selectedKey, height = 480, testId }: Props<T>) {
  const parentRef = useRef<HTMLDivElement>(null);
  const [active, setActive] = useState(0);
  // eslint-disable-next-line react-hooks/incompatible-library -- TanStack Virtual returns functions React Compiler must not memoize
  const virtualizer = useVirtualizer({ count: items.length, getScrollElement: () => parentRef.current, estimateSize: () => rowHeight, overscan: 8 });

  const move = (to: number) => {
    const i = Math.max(0, Math.min(items.length - 1, to));
    setActive(i);
    virtualizer.scrollToIndex(i);
    requestAnimationFrame(() => parentRef.current?.querySelector<HTMLElement>(`[data-index="${i}"]`)?.focus());
  };

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const page = Math.max(1, Math.floor((parentRef.current?.clientHeight ?? rowHeight) / rowHeight));
    const keys: Record<string, number> = { ArrowDown: active + 1, ArrowUp: active - 1, PageDown: active + page, PageUp: active - page, Home: 0, End: items.length - 1 };
    if (e.key in keys) {
      e.preventDefault();
      move(keys[e.key]!);
    } else if (e.key === 'Enter' && onActivate && items[active] !== undefined) {
      e.preventDefault();
      onActivate(items[active]!, active);
    } else if (secondary && e.key.toLowerCase() === secondary.key && !e.altKey && !e.ctrlKey && !e.metaKey && items[active] !== undefined) {
      e.preventDefault();
      e.stopPropagation();
      secondary.run(items[active]!, active);
    }
  };

  return (
    <div ref={parentRef} className="virtual-rows" style={{ height }} role="listbox" aria-label={label} onKeyDown={onKeyDown} data-testid={testId} data-count={items.length}>
      <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
        {virtualizer.getVirtualItems().map((v) => {
          const item = items[v.index]!;
          const key = getKey(item);
          return (
            <div
              key={key}
              data-index={v.index}
              role="option"
              aria-selected={selectedKey === key}
              tabIndex={v.index === active ? 0 : -1}
              className={`vrow${selectedKey === key ? ' selected' : ''}`}
              style={{ position: 'absolute', top: 0, left: 0, right: 0, height: v.size, transform: `translateY(${v.start}px)` }}
              onClick={() => {
                setActive(v.index);
                onActivate?.(item, v.index);
              }}
              onFocus={() => setActive(v.index)}
            >
              {renderRow(item, v.index)}
            </div>
          );
        })}
      </div>
    </div>
  );
}
