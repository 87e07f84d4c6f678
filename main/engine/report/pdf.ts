/**
 * PDF from the HTML report, printed by a local Chromium (CHROME_PATH, else the usual install
 * paths) driven by playwright. Network is refused while printing: the page must need nothing.
 */
import fs from 'node:fs';
import { UserError } from '../errors.js';

const CANDIDATES = [
  '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable',
  '/snap/bin/chromium', '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
  'C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe',
];

/** The Chromium to print with: CHROME_PATH when set (and existing), else the first known path found, else null. */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string | null {
  if (env.CHROME_PATH) return fs.existsSync(env.CHROME_PATH) ? env.CHROME_PATH : null;
  return CANDIDATES.find((p) => fs.existsSync(p)) ?? null;
}

/** Launch flags: headless, no sandbox (root in containers), nothing phoning home. */
export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run',
];

/** The Chromium to print with, or a one-line UserError saying how to get one (check before long work). */
export function requireChromium(env: NodeJS.ProcessEnv = process.env): string {
  const found = findChromium(env);
  if (found) return found;
  throw new UserError(env.CHROME_PATH
    ? `CHROME_PATH=${env.CHROME_PATH} does not exist; point it at a Chrome or Chromium binary`
    : 'no Chromium found for PDF export: install chromium (apt-get install chromium) or set CHROME_PATH, or export --format html and print it', 'dependency');
}

/** Print `html` to a PDF file (A4, backgrounds on). Throws a UserError when no Chromium is found. */
export async function renderPdf(html: string, outFile: string, env: NodeJS.ProcessEnv = process.env): Promise<{ pages: number; blockedRequests: string[] }> {
  const executablePath = requireChromium(env);
  let chromium: typeof import('playwright').chromium;
  try {
    ({ chromium } = await import('playwright'));
  } catch {
    throw new UserError('PDF export needs the playwright package (npm install playwright); or export --format html and print it', 'dependency');
  }
  const browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage();
    const blockedRequests: string[] = [];
    await page.route('**/*', (route) => {
      blockedRequests.push(route.request().url());
      return route.abort();
    });
    await page.setContent(html, { waitUntil: 'load' });
    const pdf = await page.pdf({ format: 'A4', printBackground: true, preferCSSPageSize: true });
    fs.writeFileSync(outFile, pdf, { mode: 0o600 });
    const pages = (pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) ?? []).length;
    return { pages, blockedRequests };
  } finally {
    await browser.close();
  }
}
