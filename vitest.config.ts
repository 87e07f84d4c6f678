import { defineConfig } from 'vitest/config';

// Three projects: unit (pure functions), integration (real PostgreSQL), e2e (Chromium + browser mode).
// The database is started once per run by test/support/global-setup.ts (embedded PostgreSQL, or
// TEST_DATABASE_URL when set) and each test file gets its own database.
// TENANCY_EXIT_FIXTURES=1: each project runs only its deliberately failing fixture
// (test/fixtures/exit-codes/), so a test can prove that a failed run exits non-zero.
const fixtures = process.env.TENANCY_EXIT_FIXTURES === '1';
const include = (project: string, glob: string) => [fixtures ? `test/fixtures/exit-codes/${project}.fixture.ts` : glob];

export default defineConfig({
  test: {
    reporters: ['default', './test/support/summary-reporter.ts'],
    projects: [
      {
        test: { name: 'unit', include: include('unit', 'test/unit/**/*.test.ts'), environment: 'node' },
      },
      {
        test: {
          name: 'integration',
          include: include('integration', 'test/integration/**/*.test.ts'),
          globalSetup: ['test/support/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: include('e2e', 'test/e2e/**/*.test.ts'),
          globalSetup: ['test/support/global-setup.ts'],
          testTimeout: 180_000,
          hookTimeout: 240_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
