/**
 * Prints the plain closing line CI reads ("tests: N passed, N failed, N skipped") after
 * Vitest's own summary.
 */
import type { Reporter, TestModule } from 'vitest/node';

export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (const mod of testModules) {
      let moduleFailed = 0;
      for (const test of mod.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') passed += 1;
        else if (state === 'failed') {
          failed += 1;
          moduleFailed += 1;
        }
        else skipped += 1;
      }
      // A file that fails outside any test (setup, import) counts as one failure.
      if (mod.state() === 'failed' && moduleFailed === 0) failed += 1;
    }
    process.stdout.write(`\ntests: ${passed} passed, ${failed} failed, ${skipped} skipped\n`);
  }
}
