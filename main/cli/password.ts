/**
 * Where the CLI gets a password, in order: the URL given at call time, PGPASSWORD, ~/.pgpass
 * (or PGPASSFILE), a prompt on a TTY. Asked only when the server wants one; never written anywhere.
 */
import readline from 'node:readline';
import pgpass from 'pgpass';
import type { Profile } from '../../shared/profile.js';
import { UserError } from '../engine/errors.js';
import type { PasswordProvider } from '../engine/session.js';
import { describeTarget } from '../engine/session.js';

function fromPgpass(profile: Profile): Promise<string | undefined> {
  return new Promise((resolve) => {
    pgpass({ host: profile.host, port: profile.port, database: profile.database, user: profile.user }, (pw?: string) => resolve(pw));
  });
}

/** Ask for a password on the terminal without echoing it. */
async function promptHidden(question: string): Promise<string> {
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  const out = rl as unknown as { _writeToOutput?: (s: string) => void; output: NodeJS.WriteStream };
  let asked = false;
  out._writeToOutput = (s: string) => {
    if (!asked) {
      out.output.write(s);
      asked = true;
    }
  };
  try {
    return await new Promise<string>((resolve) => rl.question(question, resolve));
  } finally {
    rl.close();
    process.stderr.write('\n');
  }
}

/** The password provider for a CLI connection. */
export function cliPasswordProvider(profile: Profile, urlPassword: string | undefined): PasswordProvider {
  if (urlPassword) return urlPassword;
  return async () => {
    if (process.env.PGPASSWORD) return process.env.PGPASSWORD;
    // The pgpass module ignores the file whenever PGPASSWORD is set, even to "".
    if (process.env.PGPASSWORD === '') delete process.env.PGPASSWORD;
    const stored = await fromPgpass(profile);
    if (stored) return stored;
    if (process.stdin.isTTY && process.stderr.isTTY && !process.env.CI) {
      return promptHidden(`Password for ${describeTarget(profile)}: `);
    }
    throw new UserError(`no password for ${describeTarget(profile)}; set PGPASSWORD or add a ~/.pgpass line (a password in --url is visible to other users in ps)`, 'auth');
  };
}
