/**
 * `npm run bench -- NAME [args]`: runs test/bench/NAME.ts, whose exported `run(args)` prints its
 * measurements (ratios measured side by side in one run). Without a name, lists the benchmarks.
 * Exit codes: 0 every target met, 1 a target MISSED, 2 the benchmark failed (one line on stderr).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { missedTargets } from './verdict.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const available = fs.readdirSync(here).filter((f) => f.endsWith('.ts') && f !== 'run.ts' && f !== 'verdict.ts').map((f) => f.replace(/\.ts$/, ''));
const [name, ...args] = process.argv.slice(2);
if (!name || !available.includes(name)) {
  process.stderr.write(`usage: npm run bench -- <${available.join('|')}> [args]\n`);
  process.exit(name ? 2 : 0);
}
const mod = (await import(pathToFileURL(path.join(here, `${name}.ts`)).href)) as { run(args: string[]): Promise<void> };
try {
  await mod.run(args);
  process.exitCode = missedTargets() > 0 ? 1 : 0;
} catch (err) {
  process.stderr.write(`bench ${name}: failed: ${(err as Error).message?.split('\n')[0] ?? String(err)}\n`);
  process.exitCode = 2;
}
