/**
 * `tenancy demo`: an embedded PostgreSQL loaded with one scenario per reference runbook, each
 * half-way through its move with defects planted; prints the URLs once everything is loaded and
 * ANALYZEd, then stays up until Ctrl-C.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Option, type Command } from 'commander';
import { UserError } from '../../engine/errors.js';
import type { DemoScenario } from '../../engine/demo/scenarios.js';
import { signalExitCode, exitState } from '../exit.js';
import { renderTable } from '../format.js';
import { inert, writeRaw } from '../inert-output.js';
import { tenancyCommand } from '../invocation.js';
import { parseWhole } from '../options.js';

interface DemoOptions {
  rows: string;
  port?: string;
  dataDir?: string;
  format: 'table' | 'json';
}


/** Fail early, in one line, when the port is taken (instead of a PostgreSQL log excerpt). */
async function checkPortFree(port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', (err: NodeJS.ErrnoException) => {
      reject(err.code === 'EADDRINUSE'
        ? new UserError(`port ${port} on 127.0.0.1 is in use; pick another with --port, or leave --port out for a free one`, 'usage')
        : err);
    });
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve()));
  });
}

/** A data directory must be new, empty, or a PostgreSQL data directory from an earlier demo. */
function checkDataDir(dir: string): void {
  if (!fs.existsSync(dir)) return;
  if (!fs.statSync(dir).isDirectory()) throw new UserError(`--data-dir ${dir} is a file; give a directory`, 'usage');
  if (fs.readdirSync(dir).length > 0 && !fs.existsSync(path.join(dir, 'PG_VERSION'))) {
    throw new UserError(`--data-dir ${dir} is neither empty nor a PostgreSQL data directory; give a new or empty directory`, 'usage');
  }
}

/** The `tenancy check` flags that describe a scenario's tenancy (what a profile would hold). */
export function demoCheckFlags(s: DemoScenario): string {
  const flags: string[] = [];
  const t = s.settings.tenancy;
  if (t.tenantTable) flags.push(`--tenant-table ${t.tenantTable}`);
  if (t.tenantColumn) flags.push(`--tenant-column ${t.tenantColumn}`);
  if (t.globalTables?.length) flags.push(`--global-tables ${t.globalTables.join(',')}`);
  if (s.settings.rlsRole) flags.push(`--rls-role ${s.settings.rlsRole}`);
  if (s.settings.rlsSetting) flags.push(`--rls-setting ${s.settings.rlsSetting}`);
  return flags.join(' ');
}

/** Resolves on the first Ctrl-C (SIGINT) or SIGTERM. */
function untilInterrupted(): Promise<string> {
  return new Promise((resolve) => {
    const on = (signal: string) => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      resolve(signal);
    };
    const onInt = () => on('SIGINT');
    const onTerm = () => on('SIGTERM');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
  });
}

/** Register `tenancy demo`. */
export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('start an embedded PostgreSQL with one half-migrated scenario per reference runbook (defects planted); stays up until Ctrl-C')
    .option('--rows <n>', 'rows per main table (scales every scenario; 1,000,000+ for benchmarks)', '2000')
    .option('--port <port>', 'TCP port on 127.0.0.1 (default: a free one)')
    .option('--data-dir <dir>', 'keep the server here and reuse it next time (default: a temporary directory, removed on exit)')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'))
    .action(async (o: DemoOptions) => {
      // Loaded lazily: the embedded server package hooks process signals as soon as it is imported.
      const { startDemo, validateDemoRows } = await import('../../engine/demo/load.js');
      const { demoScenario } = await import('../../engine/demo/scenarios.js');
      const { demoProfileName } = await import('../../handlers/demo.js');
      const rows = validateDemoRows(parseWhole(o.rows, '--rows'));
      let port: number | undefined;
      if (o.port !== undefined) {
        port = parseWhole(o.port, '--port', { min: 1, max: 65535 });
        await checkPortFree(port);
      }
      const dataDir = o.dataDir ? path.resolve(o.dataDir) : undefined;
      if (dataDir) checkDataDir(dataDir);

      process.stderr.write(`tenancy demo: starting PostgreSQL and loading 5 scenarios, ${rows.toLocaleString('en-US')} rows per main table\n`);
      const started = Date.now();
      const demo = await startDemo({
        rows, port, dataDir,
        onProgress: (e) => {
          if (e.state !== 'loading') process.stderr.write(`  ${e.scenario}: ${e.state} (${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
        },
      });
      const interrupted = untilInterrupted();
      const { server, databases } = demo;
      if (o.format === 'json') {
        // The demo's own throwaway password and URLs are the point of this output: not redacted.
        writeRaw(process.stdout, `${inert(JSON.stringify({
          ok: true,
          port: server.port,
          password: server.password,
          dataDir: server.dataDir,
          temporary: !dataDir,
          databases: databases.map((d) => ({
            scenario: d.scenario, profile: demoProfileName(demoScenario(d.scenario), d.scenario), database: d.database, url: d.url, runbook: d.runbook,
            settings: demoScenario(d.scenario)?.settings ?? {},
          })),
        }, null, 2))}\n`);
      } else {
        const out: string[] = [
          `PostgreSQL on 127.0.0.1:${server.port}, user postgres, password ${server.password}`,
          `data directory: ${server.dataDir}${dataDir ? ' (kept; reused next time)' : ' (temporary, removed on exit)'}`,
          '',
          renderTable(['profile (tenancy serve --demo)', 'scenario', 'runbook', 'url'], databases.map((d) => [demoProfileName(demoScenario(d.scenario), d.scenario), d.scenario, d.runbook, d.url])),
          '',
          'Try:',
        ];
        const tenancy = tenancyCommand();
        for (const d of databases) {
          const s = demoScenario(d.scenario)!;
          out.push(`  ${tenancy} check --url '${d.url}' ${demoCheckFlags(s)}`.trimEnd());
        }
        out.push('', `ready: ${databases.length} databases loaded and analyzed; press Ctrl-C to stop`);
        writeRaw(process.stdout, `${inert(out.join('\n'))}\n`);
      }
      const signal = await interrupted;
      process.stderr.write(`\nstopping the demo server${dataDir ? '' : ' and removing its temporary data directory'}\n`);
      await server.stop();
      exitState.code = signalExitCode(signal);
    });
}
