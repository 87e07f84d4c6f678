/** axe-core in the page: the serious and critical accessibility violations of what is on screen now. */
import path from 'node:path';
import type { Page } from 'playwright';
import { projectRoot } from '../../../main/engine/paths.js';

/** One violation, short enough to read in a failed expectation. */
export interface AxeProblem {
  id: string;
  impact: string;
  help: string;
  targets: string[];
}

/** Run axe on the whole document (the context must bypass CSP for the injected script). */
export async function seriousViolations(page: Page): Promise<AxeProblem[]> {
  const loaded = await page.evaluate<boolean>("typeof window.axe === 'object'");
  if (!loaded) await page.addScriptTag({ path: path.join(projectRoot(), 'node_modules', 'axe-core', 'axe.min.js') });
  return page.evaluate<AxeProblem[]>(`(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.slice(0, 4).map((n) => n.target.join(' ')) }));
  })()`);
}
