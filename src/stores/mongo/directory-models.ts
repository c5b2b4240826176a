import { Schema, type Connection } from 'mongoose';
import { PROFILE_ROLES, RECORD_STATUSES } from '../../directory/model.ts';

/** The value of a profile's `adminSlot` (see below). */
export function adminSlot(profile: { id: string; organisationId: string; role: string }): string {
  return profile.role === 'administrator' ? `org:${profile.organisationId}` : `profile:${profile.id}`;
}

/**
 * The directory's collections. Unique indexes carry the invariants (docs/architecture.md §5): one association per
 * profile, one organisation per account number. Only single-document atomic operations are used, so MongoDB and
 * MongoDB-compatible servers (FerretDB) behave alike (docs/decisions/0006-production-stores.md).
 */
export function directoryModels(connection: Connection) {
  const organisation = new Schema(
    {
      _id: { type: String, required: true },
      accountNumber: { type: String, required: true, unique: true },
      name: { type: String, required: true },
      // One of the configured kinds, checked where it comes in (profile-kinds.ts): the list is the deployment's, and an
      // organisation keeps its kind when the operator changes the list.
      kind: { type: String, required: true },
      status: { type: String, enum: [...RECORD_STATUSES], required: true },
      contractEndsOn: { type: String },
    },
    { versionKey: false, collection: 'organisations' },
  );

  const profile = new Schema(
    {
      _id: { type: String, required: true },
      organisationId: { type: String, required: true, index: true },
      email: { type: String, required: true, index: true },
      displayName: { type: String, required: true },
      role: { type: String, enum: PROFILE_ROLES, required: true },
      status: { type: String, enum: [...RECORD_STATUSES], required: true },
      // The language of the person's emails (a BCP 47 tag); absent, the page's or the broker's default.
      locale: { type: String },
      // `org:<organisation>` for its administrator, `profile:<id>` for everyone else: a unique index on it allows at
      // most one administrator per organisation, with no partial index (which MongoDB-compatible servers may lack).
      adminSlot: { type: String, required: true },
      // The outbox of the administrator-change emails (directory-admin-store.ts), set with the role it tells of.
      administratorNotice: {
        type: new Schema({ reference: String, at: Date, previousId: String }, { _id: false }),
        required: false,
      },
    },
    { versionKey: false, collection: 'profiles' },
  );
  profile.index({ 'administratorNotice.at': 1 });
  profile.index({ organisationId: 1, email: 1 }, { unique: true });
  // Led by the organisation, like every unique index of profiles, so that a sharded cluster can shard them on
  // `organisationId` (a unique index must start with the shard key). The slot names its organisation or its profile,
  // so it is unique across organisations all the same (migration 0002 replaced the index on `adminSlot` alone).
  profile.index({ organisationId: 1, adminSlot: 1 }, { unique: true });

  const association = new Schema(
    {
      profileId: { type: String, required: true, unique: true },
      upstreamId: { type: String, required: true },
      subject: { type: String, required: true },
      associatedAt: { type: Date, required: true },
    },
    { versionKey: false, collection: 'associations' },
  );
  association.index({ upstreamId: 1, subject: 1 });
  association.add({ linkId: String, reference: String, account: String, noticePending: Boolean });
  // The outbox of notices (directory/model.ts): few documents carry the flag, and the relay asks for them often.
  association.index({ noticePending: 1, associatedAt: 1 });

  return {
    Organisation: connection.model('Organisation', organisation),
    Profile: connection.model('Profile', profile),
    Association: connection.model('Association', association),
  };
}

export type DirectoryModels = ReturnType<typeof directoryModels>;
