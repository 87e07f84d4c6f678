/**
 * Where the host keeps profile passwords. Never the renderer, never profiles.json, never logs.
 * Two stores: in memory (browser mode: for the process lifetime only) and an encrypted file whose
 * cipher is supplied by the host (Electron's safeStorage), so this module never imports electron.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { SecretStorage } from '../../../shared/contract/profiles.js';
import { writeFileAtomic } from '../fs-util.js';

/** A password store keyed by profile name. */
export interface SecretStore {
  /** Whether remembered passwords survive a restart, and why not. */
  readonly storage: SecretStorage;
  get(profile: string): Promise<string | undefined>;
  has(profile: string): Promise<boolean>;
  /** Remember a password; returns false when this store cannot (the caller says so to the user). */
  set(profile: string, password: string): Promise<boolean>;
  remove(profile: string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
}

/** Passwords in memory until the process exits (browser mode, or no safe OS keyring). */
export class MemorySecretStore implements SecretStore {
  private readonly map = new Map<string, string>();
  constructor(readonly storage: SecretStorage) {}
  async get(profile: string) { return this.map.get(profile); }
  async has(profile: string) { return this.map.has(profile); }
  async set(profile: string, password: string) { this.map.set(profile, password); return true; }
  async remove(profile: string) { this.map.delete(profile); }
  async rename(from: string, to: string) {
    const v = this.map.get(from);
    this.map.delete(from);
    if (v !== undefined) this.map.set(to, v);
  }
}

/** Encrypts and decrypts with a key the OS holds (safeStorage); never a key of our own. */
export interface Cipher {
  encrypt(plain: string): Buffer;
  decrypt(data: Buffer): string;
}

const SecretFileSchema = z.object({ version: z.literal(1), entries: z.record(z.string(), z.string()) });

/** Passwords encrypted by the OS keyring, stored as base64 in secrets.json (mode 0600). */
export class EncryptedFileSecretStore implements SecretStore {
  constructor(private readonly dir: string, private readonly cipher: Cipher, readonly storage: SecretStorage) {}

  private get file(): string {
    return path.join(this.dir, 'secrets.json');
  }

  private async read(): Promise<Record<string, string>> {
    try {
      const parsed = SecretFileSchema.safeParse(JSON.parse(await fs.readFile(this.file, 'utf8')));
      return parsed.success ? parsed.data.entries : {};
    } catch {
      return {};
    }
  }

  private async write(entries: Record<string, string>): Promise<void> {
    await fs.mkdir(this.dir, { recursive: true, mode: 0o700 });
    await writeFileAtomic(this.file, JSON.stringify({ version: 1, entries }), { mode: 0o600 });
  }

  async get(profile: string) {
    const blob = (await this.read())[profile];
    if (blob === undefined) return undefined;
    try {
      return this.cipher.decrypt(Buffer.from(blob, 'base64'));
    } catch {
      return undefined; // keyring changed: the user is asked again
    }
  }

  async has(profile: string) {
    return (await this.read())[profile] !== undefined;
  }

  async set(profile: string, password: string) {
    const entries = await this.read();
    entries[profile] = this.cipher.encrypt(password).toString('base64');
    await this.write(entries);
    return true;
  }

  async remove(profile: string) {
    const entries = await this.read();
    if (!(profile in entries)) return;
    delete entries[profile];
    await this.write(entries);
  }

  async rename(from: string, to: string) {
    const entries = await this.read();
    if (!(from in entries)) return;
    entries[to] = entries[from]!;
    delete entries[from];
    await this.write(entries);
  }
}
