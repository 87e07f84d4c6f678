/**
 * The password never travels in clear over a connection without TLS unless the profile consents.
 * The server picks the authentication method: a cleartext request sends the password itself, an
 * MD5 request sends md5(password || user), which is as good as the password to any MD5 server.
 * Both are refused on a plain-TCP connection (including `sslmode=prefer` falling back) unless the
 * profile chose `sslmode=disable` explicitly or the host is this machine (loopback or a socket).
 * SCRAM proves knowledge of the password without sending it and is allowed either way.
 */
import type pg from 'pg';
import type tls from 'node:tls';
import pgpass from 'pgpass';
import type { Profile } from '../../shared/profile.js';
import { UserError } from './errors.js';
import type { PasswordProvider } from './session.js';

/** Whether `host` is this machine: loopback addresses, localhost, a Unix socket folder. */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  return h.startsWith('/') || h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/** Why the profile lets a password go over plain TCP, or null when it does not. */
export function plainPasswordConsent(profile: Pick<Profile, 'host' | 'sslmode'>): string | null {
  if (profile.sslmode === 'disable') return 'sslmode=disable';
  if (isLoopbackHost(profile.host)) return 'a local host';
  return null;
}

function pgpassLookup(c: pg.Client): Promise<string | undefined> {
  const p = (c as unknown as { connectionParameters: { host: string; port: number; database: string; user: string } }).connectionParameters;
  return new Promise((resolve) => pgpass({ host: p.host, port: p.port, database: p.database, user: p.user }, (pw?: string) => resolve(pw)));
}

/**
 * Install the guard on a client before `connect()`: notes which method the server asked for and
 * refuses, before anything is sent, to hand out a cleartext or MD5 password over plain TCP.
 * With no password at all it says so rather than sending an empty one.
 */
export function guardPassword(client: pg.Client, profile: Pick<Profile, 'host' | 'sslmode'>, where: string, password: PasswordProvider | undefined): void {
  const con = (client as unknown as { connection: { on(e: string, f: () => void): void; stream?: tls.TLSSocket } }).connection;
  let asked: 'cleartext' | 'md5' | 'sasl' | null = null;
  con.on('authenticationCleartextPassword', () => (asked = 'cleartext'));
  con.on('authenticationMD5Password', () => (asked = 'md5'));
  con.on('authenticationSASL', () => (asked = 'sasl'));
  const provide = async (): Promise<string> => {
    const pw = typeof password === 'string' ? password : typeof password === 'function' ? await password() : await pgpassLookup(client);
    if (pw === undefined) throw new UserError(`no password for ${where}; enter it (or add it to ~/.pgpass)`, 'auth');
    return pw;
  };
  (client as unknown as { password: () => Promise<string> }).password = async () => {
    const encrypted = con.stream?.encrypted === true;
    if ((asked === 'cleartext' || asked === 'md5') && !encrypted && plainPasswordConsent(profile) === null) {
      throw new UserError(
        `refused to send the password to ${where}: the server asked for it ${asked === 'cleartext' ? 'in clear text' : 'as an MD5 hash'} over a connection without TLS; ` +
          `use sslmode=require (or verify-full), or choose sslmode=disable explicitly if this network is trusted`,
        'auth',
      );
    }
    return provide();
  };
}
