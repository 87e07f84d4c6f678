/**
 * Vitest global setup: one PostgreSQL server per test run. TEST_DATABASE_URL (a superuser URL)
 * points the suite at an existing server (Debian's PostgreSQL 15 in CI); otherwise an embedded
 * PostgreSQL 18 is started and stopped with the run.
 */
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from '../../main/engine/pg/embedded.js';

declare module 'vitest' {
  export interface ProvidedContext {
    adminUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (process.env.TEST_DATABASE_URL) {
    project.provide('adminUrl', process.env.TEST_DATABASE_URL);
    return async () => undefined;
  }
  const server = await startEmbeddedPostgres({ fast: true });
  project.provide('adminUrl', server.adminUrl);
  return () => server.stop();
}
