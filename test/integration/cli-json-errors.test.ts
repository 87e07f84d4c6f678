/**
 * `--format json` failures print the contract's `{ok: false, error: {code, message, field}}` on stdout
 * (with the usual exit code and the one-line message on stderr); without JSON, stdout stays empty.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { CliFailureSchema } from '../../shared/cli-output.js';
import { cleanCli, runTenancy, tempConfigDir } from '../support/cli.js';
import { freePort } from '../../main/engine/pg/embedded.js';

afterAll(() => cleanCli());
const env = () => ({ TENANCY_CONFIG_DIR: tempConfigDir() });

describe('CLI failures in JSON mode', () => {
  it('a refused connection: exit 2, one envelope on stdout naming the target, the line on stderr', async () => {
    const port = await freePort();
    const r = await runTenancy(['check', '--url', `postgres://app@127.0.0.1:${port}/shop`, '--format', 'json'], env());
    expect(r.code).toBe(2);
    const out = CliFailureSchema.parse(JSON.parse(r.stdout));
    expect(out).toEqual({ ok: false, error: { code: 'connection', message: expect.stringContaining(`127.0.0.1:${port}/shop`), field: null } });
    expect(r.stderr.trim()).toBe(`tenancy: ${out.error.message}`);
  });

  it('an unknown option with --format=json: exit 2 and a usage envelope', async () => {
    const r = await runTenancy(['model', '--no-such-flag', '--format=json'], env());
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toEqual({ ok: false, error: { code: 'usage', message: "unknown option '--no-such-flag'", field: '--no-such-flag' } });
  });

  it('the same failure in table format prints nothing on stdout', async () => {
    const port = await freePort();
    const r = await runTenancy(['check', '--url', `postgres://app@127.0.0.1:${port}/shop`], env());
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^tenancy: cannot connect to /);
  });

  it('--help lists every exit code, 130 included', async () => {
    const r = await runTenancy(['--help'], env());
    expect(r.code).toBe(0);
    expect(r.stdout.replace(/\s+/g, ' ')).toMatch(/Exit codes: 0 .* 1 .* 2 .* 130 cancelled with Ctrl-C/);
  });
});
