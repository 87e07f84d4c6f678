/**
 * A page in its own chunk that renders without suspending once its module is loaded: React's lazy()
 * suspends on the first render even when the module is already in memory, and React holds a shown
 * fallback for 300 ms, so a prefetched page opened through lazy() alone would still wait that long.
 * A chunk that fails to load (the host went away) shows an error with a retry, not a blank window.
 */
import { Component, lazy, type ComponentType, type ReactNode } from 'react';
import { ErrorState } from './States.js';

/** A lazily loaded page: `prefetch()` loads its module; `Page` renders it at once when loaded, else suspends. */
export interface LazyPage {
  Page: ComponentType;
  prefetch(): Promise<void>;
}

class LoadFailed extends Component<{ onRetry: () => void; page: () => ReactNode }, { error: string | null }> {
  override state = { error: null as string | null };
  static getDerivedStateFromError(err: unknown) {
    return { error: err instanceof Error ? err.message : String(err) };
  }
  override render() {
    if (this.state.error === null) return this.props.page();
    return <ErrorState title="This page could not be loaded" message={this.state.error} onRetry={() => { this.props.onRetry(); this.setState({ error: null }); }} />;
  }
}

/** Wrap `load` (a dynamic import naming the page's export). */
export function lazyPage(load: () => Promise<ComponentType>): LazyPage {
  let loaded: ComponentType | null = null;
  let pending: Promise<void> | null = null;
  const prefetch = () => (pending ??= load().then(
    (c) => {
      loaded = c;
    },
    (err: unknown) => {
      pending = null; // the next attempt loads again
      throw err;
    },
  ));
  const suspending = () => lazy(() => prefetch().then(() => ({ default: loaded! })));
  let Suspending = suspending();
  function Page() {
    const Loaded = loaded;
    if (Loaded) return <Loaded />;
    return <LoadFailed onRetry={() => { Suspending = suspending(); }} page={() => <Suspending />} />;
  }
  return { Page, prefetch };
}
