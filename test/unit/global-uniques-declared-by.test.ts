/** Accepted findings name who declared a global unique: the profile, or the --global-uniques flag. */
import { describe, expect, it } from 'vitest';
import { profileTenancy, resolveTarget } from '../../main/engine/target.js';

describe('who declared the global uniques', () => {
  it("a profile's global uniques are the profile's", () => {
    expect(profileTenancy({ name: 'prod', tenancy: { globalUniques: ['public.invitations.token'] } }).globalUniquesDeclaredBy).toBe('profile "prod"');
  });

  it('a profile without global uniques declares nothing', () => {
    expect(profileTenancy({ name: 'prod', tenancy: { globalTables: ['public.countries'] } }).globalUniquesDeclaredBy).toBeUndefined();
  });

  it('given on the command line, they are the flag\'s', async () => {
    const t = await resolveTarget({ url: 'postgres://u@localhost/db', env: 'development', tenancy: { globalUniques: ['public.api_keys.key'] } });
    expect(t.profile.tenancy.globalUniquesDeclaredBy).toBe('--global-uniques');
    const none = await resolveTarget({ url: 'postgres://u@localhost/db', env: 'development', tenancy: {} });
    expect(none.profile.tenancy.globalUniquesDeclaredBy).toBeUndefined();
  });
});
