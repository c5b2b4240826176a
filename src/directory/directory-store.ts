import type { Organisation, Profile } from './model.ts';

/** Read access to organisations and profiles, as sign-in and association need it. */
export interface DirectoryStore {
  getProfile(id: string): Promise<Profile | undefined>;
  getOrganisation(id: string): Promise<Organisation | undefined>;
  /** Profiles registered with this email (already normalised: trimmed, lower-case). */
  findProfilesByEmail(email: string): Promise<Profile[]>;
}
