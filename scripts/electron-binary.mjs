// postinstall: fetch Electron's binary where it can be downloaded. Electron's own install script is
// denied in package.json's allowScripts because its failure fails `npm install` as a whole (an
// air-gapped jump host, a CI machine); here a failed download is one line, and `npm start` then
// opens the console in browser mode. ELECTRON_SKIP_BINARY_DOWNLOAD=1 skips the attempt.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

function installScript() {
  try {
    return require.resolve('electron/install.js');
  } catch {
    return null; // electron is a devDependency: not there in a production install
  }
}

const script = installScript();
if (script && !process.env.ELECTRON_SKIP_BINARY_DOWNLOAD) {
  const r = spawnSync(process.execPath, [script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 300_000 });
  if (r.status !== 0) {
    const cause = /^\w*Error: (.+)$/m.exec(r.stderr ?? '')?.[1] ?? (r.error?.message || `exit ${r.status ?? r.signal}`);
    process.stdout.write(
      `tenancy-console: Electron's binary could not be downloaded (${cause}); npm start will open the console in browser mode instead (retry the download with: node node_modules/electron/install.js)\n`,
    );
  }
}
