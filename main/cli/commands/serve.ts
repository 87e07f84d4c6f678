/** `tenancy serve`: browser mode, the desktop UI over HTTP on 127.0.0.1 with a per-launch token. */
import { Option, type Command } from 'commander';
import readline from 'node:readline';
import { UserError } from '../../engine/errors.js';
import { appHandlers } from '../../handlers/app.js';
import { demoLauncher, stopDemo } from '../../handlers/demo.js';
import { describeTarget } from '../../engine/session.js';
import { resolveTarget } from '../../engine/target.js';
import { exitState, signalExitCode } from '../exit.js';
import { parseWhole } from '../options.js';
import { startBrowserHost, type BrowserHost } from '../../serve/host.js';
import { openInBrowser, type OpenedUrl } from '../../serve/open-browser.js';

interface ServeOptions {
  port: string;
  profile?: string;
  url?: string;
  env?: string;
  open?: boolean;
  demo?: boolean;
  demoIfNoProfiles?: boolean;
}

/**
 * Open the connection `serve --profile|--url` names, so the console opens on it (the page adopts
 * the host's open connection). A URL becomes a profile for this run only; on failure the server
 * stops and the one-line reason is the error.
 */
async function connectAtStart(host: BrowserHost, target: Awaited<ReturnType<typeof resolveTarget>>, fromUrl: boolean): Promise<void> {
  if (fromUrl) host.ctx.profiles.addEphemeral(target.profile);
  try {
    await host.ctx.connections.connect(target.profile, target.urlPassword ?? (process.env.PGPASSWORD || undefined), fromUrl);
  } catch (err) {
    await host.close();
    throw err;
  }
  process.stdout.write(`connected to ${describeTarget(target.profile)} (${target.profile.environment}, read-only until you switch on write mode)\n`);
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
    .option('--profile <name>', 'open the console connected with this profile')
    .option('--url <url>', 'open the console connected to this database (a profile for this run only; prefer PGPASSWORD to a password in it)')
    .addOption(new Option('--env <environment>', 'for --url: the environment (default TENANCY_ENV, else production)').choices(['development', 'staging', 'production']))
    .action(async (o: ServeOptions) => {
      const port = parseWhole(o.port, '--port', { max: 65535 });
      if ((o.profile || o.url) && (o.demo || o.demoIfNoProfiles)) throw new UserError('give --profile/--url or --demo, not both', 'usage', '--demo');
      // Resolved before the server starts: a wrong profile name or URL is one line, nothing listening.
      const target = o.profile || o.url ? await resolveTarget({ profile: o.profile, url: o.url, env: o.env, tenancy: {} }) : null;
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
      if (target) await connectAtStart(host, target, Boolean(o.url));
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
