// `npm start`: build the Node side and the renderer, then run the desktop app where Electron's
// binary is installed, otherwise browser mode (saying why and printing the URL). Either way, when
// no profile is saved yet, the demo database is started and its scenarios offered as profiles.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

function step(label, cmd, args) {
  process.stdout.write(`> ${label}\n`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    process.stderr.write(`npm start: ${label} failed (exit ${r.status ?? r.signal})\n`);
    process.exit(r.status ?? 1);
  }
}

/** The Electron binary, or the reason there is none. */
function findElectron() {
  if (process.env.TENANCY_BROWSER_MODE === '1') return { reason: 'TENANCY_BROWSER_MODE=1 asks for browser mode' };
  const missing = { reason: "Electron's binary is not installed here (npm install could not download it; retry with: node node_modules/electron/install.js)" };
  let pathFile;
  try {
    pathFile = path.join(path.dirname(require.resolve('electron/package.json')), 'path.txt');
  } catch {
    return { reason: 'the electron package is not installed' };
  }
  if (!fs.existsSync(pathFile)) return missing;
  try {
    const bin = require('electron');
    if (typeof bin === 'string' && fs.existsSync(bin)) return { bin };
  } catch {
    // Electron's own message advises deleting node_modules: not what this machine needs.
  }
  return missing;
}

step('building the Node side (esbuild)', process.execPath, ['scripts/build-node.mjs']);
step('building the renderer (vite)', process.execPath, [path.join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--configLoader', 'runner', '--logLevel', 'warn']);

const electron = findElectron();
const forward = process.argv.slice(2);
let child;
if (electron.bin) {
  process.stdout.write('> starting the desktop app (Electron)\n');
  child = spawn(electron.bin, [root, ...forward], { cwd: root, stdio: 'inherit', env: { ...process.env, TENANCY_START_DEMO: 'if-no-profiles' } });
} else {
  process.stdout.write(`> starting browser mode instead of the desktop app: ${electron.reason}\n`);
  child = spawn(process.execPath, [path.join(root, 'bin', 'tenancy.mjs'), 'serve', '--demo-if-no-profiles', ...forward], { cwd: root, stdio: 'inherit' });
}
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
