/**
 * Chromium for the e2e tests: Debian's /usr/bin/chromium driven by Playwright, and the renderer
 * built by vite when its sources are newer than dist/renderer.
 */
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser } from 'playwright';
import { build } from 'vite';
import { projectRoot } from '../../../main/engine/paths.js';

/** Where Debian installs Chromium (`apt-get install -y chromium`). */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? process.env.CHROME_PATH ?? '/usr/bin/chromium';

/** Launch headless Chromium with the flags a CI container needs. */
export async function launchChromium(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install -y chromium (or set CHROME_PATH)`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

function newest(dir: string): number {
  let max = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    max = Math.max(max, e.isDirectory() ? newest(p) : fs.statSync(p).mtimeMs);
  }
  return max;
}

/** Build the renderer unless dist/renderer is newer than renderer/ and shared/. */
export async function ensureRendererBuilt(): Promise<string> {
  const root = projectRoot();
  const out = path.join(root, 'dist', 'renderer');
  const index = path.join(out, 'index.html');
  const stale = !fs.existsSync(index) || fs.statSync(index).mtimeMs < Math.max(newest(path.join(root, 'renderer')), newest(path.join(root, 'shared')));
  if (stale) await build({ configFile: path.join(root, 'vite.config.ts'), root: path.join(root, 'renderer'), logLevel: 'warn' });
  return out;
}

/** Where screenshots go. */
export function screenshotPath(name: string): string {
  const dir = path.join(projectRoot(), 'test-results', 'screenshots');
  fs.mkdirSync(dir, { recursive: true });
  return path.join(dir, `${name}.png`);
}
