/** `tenancy serve`: browser mode, the desktop UI over HTTP on 127.0.0.1 with a per-launch token. */
import { Option, type Command } from 'commander';
import readline from 'node:readline';
import { UserError } from '../../engine/errors.js';
import { appHandlers } from '../../handlers/app.js';
import { demoLauncher, stopDemo } from '../../handlers/demo.js';
import { exitState, signalExitCode } from '../exit.js';
import { startBrowserHost } from '../../serve/host.js';
import { openInBrowser, type OpenedUrl } from '../../serve/open-browser.js';

interface ServeOptions {
  port: string;
  open?: boolean;
  demo?: boolean;
  demoIfNoProfiles?: boolean;
}

/** Register `tenancy serve`. */
export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('browser mode: serve the console on http://127.0.0.1 with a secret per-launch token (for jump hosts and machines without Electron)')
    .addOption(new Option('--port <port>', 'port on 127.0.0.1 (0 picks a free one)').default('0'))
    .option('--open', 'open the URL in the default browser')
    .option('--demo', 'start the demo database and offer its scenarios as profiles (kept in memory, not saved)')
    .option('--demo-if-no-profiles', 'like --demo, but only when no profile is saved yet (what `npm start` uses)')
    .action(async (o: ServeOptions) => {
      const port = Number(o.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UserError(`--port must be 0..65535, not "${o.port}"`, 'usage');
      const demo = demoLauncher();
      let host;
      let opened: OpenedUrl | null = null;
      try {
        host = await startBrowserHost({ port, demo, onSignedIn: () => opened?.remove() });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new UserError(`port ${port} is in use; pick another with --port or use 0`, 'usage');
        throw err;
      }
      const wantDemo = o.demo || (o.demoIfNoProfiles && (await host.ctx.profiles.list()).length === 0);
      if (wantDemo) {
        process.stdout.write('starting the demo database (embedded PostgreSQL; the first start loads every scenario)...\n');
        const { profiles, note } = await appHandlers.startDemo({}, host.ctx);
        process.stdout.write(`demo: ${note}\n  profiles (in memory only, not written to the config directory): ${profiles.join(', ')}\n`);
      }
      process.stdout.write(`Tenancy Console (browser mode) listening on 127.0.0.1:${host.port}\n`);
      process.stdout.write(`Open this URL (it signs in once; keep it private until then):\n  ${host.url}\n`);
      if (o.open) {
        opened = openInBrowser(host.signInUrl());
        process.stdout.write(opened ? 'opened your browser (through a private file, not a command line)\n' : 'could not open a browser; copy the URL above\n');
      }
      const lines = process.stdin.isTTY ? readline.createInterface({ input: process.stdin }) : null;
      lines?.on('line', () => process.stdout.write(`new sign-in URL (works once):\n  ${host.signInUrl()}\n`));
      process.stdout.write(lines ? 'Press Enter for another sign-in URL, Ctrl-C to stop.\n' : 'Press Ctrl-C to stop.\n');
      const signal = await new Promise<string>((resolve) => {
        const stop = (sig: string) => {
          process.off('SIGINT', onInt);
          process.off('SIGTERM', onTerm);
          lines?.close();
          opened?.remove();
          void host.close().then(stopDemo).then(() => resolve(sig));
        };
        const onInt = () => stop('SIGINT');
        const onTerm = () => stop('SIGTERM');
        process.on('SIGINT', onInt);
        process.on('SIGTERM', onTerm);
      });
      exitState.code = signalExitCode(signal);
    });
}
