import type { Organisation, Profile } from './model.ts';

/** Read access to organisations and profiles, as sign-in needs it. */
export interface DirectoryStore {
  getProfile(id: string): Promise<Profile | undefined>;
  getOrganisation(id: string): Promise<Organisation | undefined>;
}
