/**
 * Run the real `tenancy` CLI in a child process, as a user would: built fresh from the sources
 * once per test file (into its own folder, so parallel files do not race), with its own config dir.
 */
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';

const root = path.resolve(import.meta.dirname, '..', '..');
let built: string | undefined;

/** Bundle main/cli/main.ts into dist/test-<id>/cli.mjs (once per process). */
export async function buildCli(): Promise<string> {
  if (built) return built;
  const out = path.join(root, 'dist', `test-${crypto.randomBytes(4).toString('hex')}`, 'cli.mjs');
  await build({
    entryPoints: [path.join(root, 'main/cli/main.ts')], outfile: out, bundle: true, platform: 'node', format: 'esm',
    packages: 'external', logLevel: 'error',
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  });
  built = out;
  return out;
}

/** Remove this process's CLI bundle. */
export function cleanCli(): void {
  if (built) fs.rmSync(path.dirname(built), { recursive: true, force: true });
  built = undefined;
}

/** What a CLI run produced. */
export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A fresh, empty config directory for a test. */
export function tempConfigDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'tenancy-config-'));
}

/**
 * The child's environment: this process's, without a password or DATABASE_URL to leak in, plus
 * `env`. TENANCY_ENV=development: test databases given by bare --url are not production (a bare
 * URL is production by default); tests of that default pass `TENANCY_ENV: ''`.
 */
function childEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const base = { ...process.env };
  delete base.PGPASSWORD;
  delete base.DATABASE_URL;
  return { ...base, CI: 'true', TENANCY_ENV: 'development', ...env };
}

/** Run `tenancy ...args` to completion. */
export async function runTenancy(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  const cli = await buildCli();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], {
      cwd: root,
      env: childEnv(env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Start `tenancy ...args` and return the child process (stdout/stderr piped), for signal tests. */
export async function spawnTenancy(args: string[], env: NodeJS.ProcessEnv = {}): Promise<import('node:child_process').ChildProcessWithoutNullStreams> {
  const cli = await buildCli();
  return spawn(process.execPath, [cli, ...args], { cwd: root, env: childEnv(env) });
}
