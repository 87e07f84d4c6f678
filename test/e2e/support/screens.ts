/** Screenshots and accessibility at the two sizes every page is judged at. */
import type { Page } from 'playwright';
import { seriousViolations } from './axe.js';
import { screenshotPath } from './browser.js';

/** 1440x900, the wide desktop size. */
export const WIDE = { width: 1440, height: 900 };
/** 1024x700, the narrow laptop size. */
export const NARROW = { width: 1024, height: 700 };

/**
 * Save `NAME-1440.png` and `NAME-1024.png` (full page, from the top) and return every serious or
 * critical axe violation and every horizontal overflow at either size; leaves the page at WIDE.
 */
export async function shotsAndAxe(page: Page, name: string): Promise<string[]> {
  const problems: string[] = [];
  for (const [size, vp] of [['1440', WIDE], ['1024', NARROW]] as const) {
    await page.setViewportSize(vp);
    await page.evaluate('window.scrollTo(0, 0)');
    await page.screenshot({ path: screenshotPath(`${name}-${size}`), fullPage: true });
    problems.push(...(await seriousViolations(page)).map((p) => `${size}: ${p.id} ${p.targets.join(' ')}`));
    const width = await page.evaluate<number>('document.documentElement.scrollWidth');
    if (width > vp.width) problems.push(`${size}: page is ${width}px wide`);
  }
  await page.setViewportSize(WIDE);
  return problems;
}
