import type { AssociationStore } from '../../directory/association-store.ts';
import type { DirectoryStore } from '../../directory/directory-store.ts';
import type { Association, Organisation, Profile } from '../../directory/model.ts';
import type { DirectoryModels } from './directory-models.ts';

const DUPLICATE_KEY = 11000;

/** The directory and its associations in MongoDB, through mongoose. */
export function createMongoDirectory(models: DirectoryModels): DirectoryStore & AssociationStore {
  const toOrganisation = (doc: Record<string, unknown>): Organisation => ({
    id: String(doc._id),
    accountNumber: String(doc.accountNumber),
    name: String(doc.name),
    kind: doc.kind as Organisation['kind'],
    status: doc.status as Organisation['status'],
    ...(doc.contractEndsOn ? { contractEndsOn: String(doc.contractEndsOn) } : {}),
  });
  const toProfile = (doc: Record<string, unknown>): Profile => ({
    id: String(doc._id),
    organisationId: String(doc.organisationId),
    email: String(doc.email),
    displayName: String(doc.displayName),
    role: doc.role as Profile['role'],
    status: doc.status as Profile['status'],
  });
  const toAssociation = (doc: Record<string, unknown>): Association => ({
    profileId: String(doc.profileId),
    upstreamId: String(doc.upstreamId),
    subject: String(doc.subject),
    associatedAt: new Date(doc.associatedAt as Date),
  });

  const associate = async (association: Association, retry = true): Promise<{ replaced?: Association }> => {
    const same = { profileId: association.profileId, upstreamId: association.upstreamId, subject: association.subject };
    // Idempotent: the same association again changes nothing (and keeps its original time).
    if (await models.Association.exists(same)) return {};
    try {
      // One single-document atomic upsert: with the unique index on profileId, one association per profile.
      const before = await models.Association.findOneAndUpdate(
        { profileId: association.profileId },
        { $set: { upstreamId: association.upstreamId, subject: association.subject, associatedAt: association.associatedAt } },
        { upsert: true, returnDocument: 'before', lean: true },
      );
      if (!before) return {};
      const previous = toAssociation(before as Record<string, unknown>);
      return previous.upstreamId === association.upstreamId && previous.subject === association.subject ? {} : { replaced: previous };
    } catch (err) {
      // Two first associations of one profile at once: one insert wins the unique index; the other retries as an update.
      if (retry && (err as { code?: number }).code === DUPLICATE_KEY) return associate(association, false);
      throw err;
    }
  };

  return {
    async getProfile(id) {
      const doc = await models.Profile.findById(id).lean();
      return doc ? toProfile(doc as Record<string, unknown>) : undefined;
    },
    async getOrganisation(id) {
      const doc = await models.Organisation.findById(id).lean();
      return doc ? toOrganisation(doc as Record<string, unknown>) : undefined;
    },
    async findProfilesByEmail(email) {
      const docs = await models.Profile.find({ email }).lean();
      return docs.map((d) => toProfile(d as Record<string, unknown>));
    },
    async findByIdentity({ upstreamId, subject }) {
      const docs = await models.Association.find({ upstreamId, subject }).lean();
      return docs.map((d) => toAssociation(d as Record<string, unknown>));
    },
    async findByProfile(profileId) {
      const doc = await models.Association.findOne({ profileId }).lean();
      return doc ? toAssociation(doc as Record<string, unknown>) : undefined;
    },
    associate: (association) => associate(association),
  };
}
