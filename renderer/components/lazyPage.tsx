/**
 * A page in its own chunk that renders without suspending once its module is loaded: React's lazy()
 * suspends on the first render even when the module is already in memory, and React holds a shown
 * fallback for 300 ms, so a prefetched page opened through lazy() alone would still wait that long.
 */
import { lazy, type ComponentType } from 'react';

/** A lazily loaded page: `prefetch()` loads its module; `Page` renders it at once when loaded, else suspends. */
export interface LazyPage {
  Page: ComponentType;
  prefetch(): Promise<void>;
}

/** Wrap `load` (a dynamic import naming the page's export). */
export function lazyPage(load: () => Promise<ComponentType>): LazyPage {
  let loaded: ComponentType | null = null;
  let pending: Promise<void> | null = null;
  const prefetch = () => (pending ??= load().then((c) => {
    loaded = c;
  }));
  const Suspending = lazy(() => prefetch().then(() => ({ default: loaded! })));
  function Page() {
    const Loaded = loaded;
    return Loaded ? <Loaded /> : <Suspending />;
  }
  return { Page, prefetch };
}
