/** Pages that need a connection and its model show why they are empty until both exist. */
import type { ReactNode } from 'react';
import type { ModelSummary, TenancyModel } from '../../shared/model.js';
import { useApp } from '../store/app.js';
import { useConnection } from '../store/connection.js';
import { EmptyState, ErrorState, LoadingState } from './States.js';

/**
 * Render `children(model)` once connected and loaded; the designed states before that.
 * `whileLoading`, when given, is shown in place of the loading state while the model is on its way
 * (a page that can already say something from another answer, as Overview from the estimate).
 */
export function RequireModel({ children, whileLoading }: { children: (m: { model: TenancyModel; summary: ModelSummary }) => ReactNode; whileLoading?: ReactNode }) {
  const current = useConnection((s) => s.current);
  const model = useConnection((s) => s.model);
  const modelState = useConnection((s) => s.modelState);
  const modelError = useConnection((s) => s.modelError);
  const loadModel = useConnection((s) => s.loadModel);
  const go = useApp((s) => s.go);
  if (!current) {
    return (
      <EmptyState title="Not connected" action={<button type="button" className="primary" onClick={() => go('connections')}>Choose a connection</button>}>
        Connect to a database to see its tenancy.
      </EmptyState>
    );
  }
  if (modelState === 'error') return <ErrorState title="Cannot read the tenancy model" message={modelError ?? ''} onRetry={() => void loadModel(true)} />;
  if (!model) return whileLoading ?? <LoadingState label="Reading the catalogs…" />;
  return <>{children(model)}</>;
}
