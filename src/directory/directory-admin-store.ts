import type { Organisation, Profile, ProfileKind, ProfileRole } from './model.ts';

export type OrganisationChanges = Partial<Omit<Organisation, 'id' | 'contractEndsOn'>> & {
  contractEndsOn?: string | null;
};
/** `locale: null` removes the profile's language. */
export type ProfileChanges = Partial<Pick<Profile, 'email' | 'displayName' | 'status'>> & { locale?: string | null };

/** Emails owed for a change of administrator: to `profileId` (the new one) and `previousId` (the one replaced). */
export interface AdministratorNotice {
  profileId: string;
  previousId?: string;
  reference: string;
  at: Date;
}

export interface OrganisationFilter {
  kind?: ProfileKind;
  status?: Organisation['status'];
  /** Case-insensitive: part of the name, or the whole account number. */
  q?: string;
}

export interface ProfileFilter {
  organisationId?: string;
  /** Normalised (trimmed, lower-case). */
  email?: string;
  role?: ProfileRole;
  status?: Profile['status'];
  /** Case-insensitive part of the display name. */
  q?: string;
}

/** Keyset paging in id order: `after` is the last id of the previous page. */
export interface PageRequest {
  limit: number;
  after?: string;
}

/**
 * Which uniqueness rule a write broke. The stores enforce these with unique indexes, so they hold under concurrent
 * writers: one organisation per account number, one profile per (organisation, email), at most one administrator per
 * organisation.
 */
export type DirectoryConflictKind = 'account_number' | 'profile_email' | 'administrator';

export class DirectoryConflict extends Error {
  readonly kind: DirectoryConflictKind;
  constructor(kind: DirectoryConflictKind) {
    super(`directory conflict: ${kind}`);
    this.name = 'DirectoryConflict';
    this.kind = kind;
  }
}

/** The outcome of one write in a batch: written, or the rule it broke. */
export type BatchResult = { ok: true } | { ok: false; conflict: DirectoryConflictKind } | { ok: false; error: string };

/**
 * Maintaining the directory (administration and import). Sign-in reads it through DirectoryStore; the invariants above
 * belong to the store, so every writer (API, CLI, import) gets them.
 */
export interface DirectoryAdminStore {
  listOrganisations(filter: OrganisationFilter, page: PageRequest): Promise<Organisation[]>;
  listProfiles(filter: ProfileFilter, page: PageRequest): Promise<Profile[]>;
  findOrganisationsByAccountNumber(accountNumbers: string[]): Promise<Organisation[]>;
  findProfilesOfOrganisations(organisationIds: string[]): Promise<Profile[]>;
  /** Throws DirectoryConflict('account_number'). */
  createOrganisation(organisation: Organisation): Promise<void>;
  /**
   * Changes the given fields only (`contractEndsOn: null` removes the contract), so two admins changing different
   * fields at once both keep their change; false when there is no such organisation. Throws DirectoryConflict.
   */
  updateOrganisation(id: string, changes: OrganisationChanges): Promise<boolean>;
  /** Throws DirectoryConflict('profile_email' | 'administrator'). */
  createProfile(profile: Profile): Promise<void>;
  /** Changes the given fields only (the role changes by designation); false when there is no such profile. Throws DirectoryConflict. */
  updateProfile(id: string, changes: ProfileChanges): Promise<boolean>;
  /**
   * Makes the profile its organisation's administrator and the previous one a professional. The previous one is
   * demoted first, so there is never a moment with two; if another administrator appeared meanwhile, throws
   * DirectoryConflict('administrator') and the organisation may be left without one (never with two).
   */
  designateAdministrator(
    profileId: string,
    previousId?: string,
    notice?: { reference: string; at: Date },
  ): Promise<void>;
  /**
   * The outbox of administrator-change emails: `notice` above is recorded on the new administrator in the same write
   * as the role, and cleared by `administratorNoticeQueued` once the emails are in the queue. Those still pending from
   * before `before`, oldest first.
   */
  pendingAdministratorNotices(before: Date, limit: number): Promise<AdministratorNotice[]>;
  administratorNoticeQueued(profileId: string, reference: string): Promise<void>;
  /** Creates or replaces organisations by id, each on its own (import). */
  writeOrganisations(organisations: Organisation[]): Promise<BatchResult[]>;
  /** Creates or replaces profiles by id, each on its own (import). */
  writeProfiles(profiles: Profile[]): Promise<BatchResult[]>;
}
