/**
 * The host's profile list: profiles.json in the config directory plus ephemeral profiles that
 * live only as long as the process (the demo's scenarios in browser mode).
 */
import type { Profile, ProfileInput } from '../../../shared/profile.js';
import { ProfileSchema } from '../../../shared/profile.js';
import { UserError } from '../errors.js';
import { getProfile, listProfiles, removeProfile, saveProfile } from '../profiles.js';

/** A profile and whether it is ephemeral. */
export interface HostProfile {
  profile: Profile;
  ephemeral: boolean;
}

/** Stored profiles plus in-memory ones, one name space. */
export class HostProfiles {
  private readonly ephemeral = new Map<string, Profile>();

  constructor(private readonly dir?: string) {}

  /** Every profile, stored first, sorted by name. */
  async list(): Promise<HostProfile[]> {
    const stored = (await listProfiles(this.dir)).filter((p) => !this.ephemeral.has(p.name));
    const all = [
      ...stored.map((profile) => ({ profile, ephemeral: false })),
      ...[...this.ephemeral.values()].map((profile) => ({ profile, ephemeral: true })),
    ];
    return all.sort((a, b) => a.profile.name.localeCompare(b.profile.name));
  }

  /** One profile by name, or a UserError listing what exists. */
  async get(name: string): Promise<HostProfile> {
    const e = this.ephemeral.get(name);
    if (e) return { profile: e, ephemeral: true };
    return { profile: await getProfile(name, this.dir), ephemeral: false };
  }

  /** Save (or rename) a profile; ephemeral ones stay ephemeral. */
  async save(input: ProfileInput, previousName?: string): Promise<HostProfile> {
    const from = previousName ?? input.name;
    if (this.ephemeral.has(from)) {
      const parsed = ProfileSchema.parse(input);
      this.ephemeral.delete(from);
      this.ephemeral.set(parsed.name, parsed);
      return { profile: parsed, ephemeral: true };
    }
    if (previousName && previousName !== input.name) {
      const names = (await this.list()).map((p) => p.profile.name);
      if (names.includes(input.name)) throw new UserError(`a profile named "${input.name}" already exists; pick another name`, 'usage');
    }
    const saved = await saveProfile(input, this.dir);
    if (previousName && previousName !== saved.name) await removeProfile(previousName, this.dir);
    return { profile: saved, ephemeral: false };
  }

  /** Add a profile for this process only. */
  addEphemeral(profile: Profile): void {
    this.ephemeral.set(profile.name, profile);
  }

  /** Remove a profile by name. */
  async remove(name: string): Promise<void> {
    if (this.ephemeral.delete(name)) return;
    await removeProfile(name, this.dir);
  }
}
