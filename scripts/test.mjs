// `npm test`: build what the tests drive (the CLI bundle, the renderer for browser-mode e2e), then
// run every Vitest project: unit, integration (real PostgreSQL), e2e (Chromium). Extra arguments
// go to Vitest, e.g. `npm test -- --project unit`.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

function run(cmd, args) {
  const r = spawnSync(cmd, args, { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

// TENANCY_TEST_SKIP_BUILD=1: the suite's own exit-code test runs this script while other tests
// serve the built files, which a rebuild must not replace under them.
if (process.env.TENANCY_TEST_SKIP_BUILD !== '1') {
  run(process.execPath, ['scripts/build-node.mjs']);
  if (existsSync('renderer/index.html')) run('npx', ['vite', 'build', '--configLoader', 'runner', '--logLevel', 'warn']);
}
run('npx', ['vitest', 'run', ...process.argv.slice(2)]);
