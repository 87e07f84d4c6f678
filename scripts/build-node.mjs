// Bundle the Node side with esbuild: the CLI (ESM) and, when present, the Electron main process
// and preload (CommonJS, as Electron loads them). Dependencies stay external (node_modules).
import { build } from 'esbuild';
import { existsSync } from 'node:fs';

const common = { bundle: true, platform: 'node', target: 'node20', sourcemap: true, logLevel: 'warning', packages: 'external' };

await build({
  ...common,
  entryPoints: ['main/cli/main.ts'],
  outfile: 'dist/cli.mjs',
  format: 'esm',
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
});

if (existsSync('main/app.ts')) {
  await build({
    ...common,
    entryPoints: ['main/app.ts'],
    outfile: 'dist/electron/main.cjs',
    format: 'cjs',
    external: ['electron'],
    define: { 'import.meta.url': '__importMetaUrl' },
    banner: { js: "const __importMetaUrl = require('url').pathToFileURL(__filename).href;" },
  });
}
if (existsSync('main/preload.ts')) {
  // Sandboxed preloads may only require('electron'): bundle everything else in.
  await build({ ...common, packages: undefined, entryPoints: ['main/preload.ts'], outfile: 'dist/electron/preload.cjs', format: 'cjs', external: ['electron'] });
}
