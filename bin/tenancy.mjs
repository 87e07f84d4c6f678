#!/usr/bin/env node
// The `tenancy` command. Runs the bundle built by `npm install` (scripts/build-node.mjs); from a
// checkout without it, falls back to the TypeScript sources through tsx.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  // Fast path: answer without loading the engine.
  const { readFileSync } = await import('node:fs');
  process.stdout.write(`${JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version}\n`);
  process.exit(0);
}
const bundle = join(root, 'dist', 'cli.mjs');
let runCli;
if (existsSync(bundle)) {
  ({ runCli } = await import(pathToFileURL(bundle).href));
} else {
  const { tsImport } = await import('tsx/esm/api');
  ({ runCli } = await tsImport(pathToFileURL(join(root, 'main', 'cli', 'main.ts')).href, import.meta.url));
}
const code = await runCli(process.argv);
// Exit once output is flushed, even if a library left a handle open.
process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
