import type { AssociationStore } from '../../directory/association-store.ts';
import {
  DirectoryConflict,
  type DirectoryAdminStore,
  type DirectoryConflictKind,
  type PageRequest,
} from '../../directory/directory-admin-store.ts';
import type { DirectoryStore } from '../../directory/directory-store.ts';
import type { Association, Organisation, Profile } from '../../directory/model.ts';
import { DUPLICATE_KEY, isDuplicate, writeBatch } from './batch-write.ts';
import { adminSlot, type DirectoryModels } from './directory-models.ts';

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The directory and its associations in MongoDB, through mongoose. */
export function createMongoDirectory(models: DirectoryModels): DirectoryStore & AssociationStore & DirectoryAdminStore {
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
    ...(doc.locale ? { locale: String(doc.locale) } : {}),
  });
  const toAssociation = (doc: Record<string, unknown>): Association => ({
    profileId: String(doc.profileId),
    upstreamId: String(doc.upstreamId),
    subject: String(doc.subject),
    associatedAt: new Date(doc.associatedAt as Date),
    ...(doc.linkId ? { linkId: String(doc.linkId) } : {}),
    ...(doc.reference ? { reference: String(doc.reference) } : {}),
    ...(doc.account ? { account: String(doc.account) } : {}),
    ...(doc.noticePending ? { noticePending: true } : {}),
  });
  // Servers differ in whether a duplicate-key error names its index, so which rule broke is asked of the data. An
  // organisation has one unique key besides its id (which the broker makes, never reusing one).
  const organisationConflict = (err: unknown): never => {
    throw isDuplicate(err) ? new DirectoryConflict('account_number') : err;
  };
  const profileConflictKind = async (
    profile: Profile,
    organisationId = profile.organisationId,
  ): Promise<DirectoryConflictKind> => {
    const sameEmail = await models.Profile.exists({ organisationId, email: profile.email, _id: { $ne: profile.id } });
    return sameEmail ? 'profile_email' : 'administrator';
  };
  const profileConflict =
    (profile: Profile, organisationId?: string) =>
    async (err: unknown): Promise<never> => {
      throw isDuplicate(err) ? new DirectoryConflict(await profileConflictKind(profile, organisationId)) : err;
    };
  const organisationDoc = (o: Organisation) => ({
    accountNumber: o.accountNumber,
    name: o.name,
    kind: o.kind,
    status: o.status,
    ...(o.contractEndsOn ? { contractEndsOn: o.contractEndsOn } : {}),
  });
  const profileDoc = (p: Profile) => ({
    organisationId: p.organisationId,
    email: p.email,
    displayName: p.displayName,
    role: p.role,
    status: p.status,
    ...(p.locale ? { locale: p.locale } : {}),
    adminSlot: adminSlot(p),
  });
  const paging = ({ after }: PageRequest) => (after === undefined ? {} : { _id: { $gt: after } });

  const associate = async (association: Association, retry = true): Promise<{ replaced?: Association }> => {
    const same = { profileId: association.profileId, upstreamId: association.upstreamId, subject: association.subject };
    const how = Object.fromEntries(
      Object.entries({
        linkId: association.linkId,
        reference: association.reference,
        account: association.account,
        noticePending: association.noticePending || undefined,
      }).filter(([, v]) => v !== undefined),
    );
    // What a replaced association had and this one has not.
    const unset = {
      ...(association.linkId ? {} : { linkId: 1, reference: 1, account: 1 }),
      ...(association.noticePending ? {} : { noticePending: 1 }),
    };
    // Idempotent: the same association again changes nothing (and keeps its original time).
    if (await models.Association.exists(same)) return {};
    try {
      // One single-document atomic upsert: with the unique index on profileId, one association per profile.
      const before = await models.Association.findOneAndUpdate(
        { profileId: association.profileId },
        {
          $set: {
            upstreamId: association.upstreamId,
            subject: association.subject,
            associatedAt: association.associatedAt,
            ...how,
          },
          ...(Object.keys(unset).length ? { $unset: unset } : {}),
        },
        { upsert: true, returnDocument: 'before', lean: true },
      );
      if (!before) return {};
      const previous = toAssociation(before as Record<string, unknown>);
      return previous.upstreamId === association.upstreamId && previous.subject === association.subject
        ? {}
        : { replaced: previous };
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
    async pendingNotices(before, limit) {
      const docs = await models.Association.find({ noticePending: true, associatedAt: { $lt: before } })
        .sort({ associatedAt: 1 })
        .limit(limit)
        .lean();
      return docs.map((d) => toAssociation(d as Record<string, unknown>));
    },
    async noticeQueued(profileId, reference) {
      await models.Association.updateOne({ profileId, reference }, { $unset: { noticePending: 1 } });
    },
    async dissociate(profileId) {
      const doc = await models.Association.findOneAndDelete({ profileId }, { lean: true });
      return doc ? toAssociation(doc as Record<string, unknown>) : undefined;
    },

    async listOrganisations(filter, page) {
      const query: Record<string, unknown> = { ...paging(page) };
      if (filter.kind) query.kind = filter.kind;
      if (filter.status) query.status = filter.status;
      if (filter.q)
        query.$or = [
          { name: { $regex: escapeRegex(filter.q), $options: 'i' } },
          { accountNumber: { $regex: `^${escapeRegex(filter.q)}$`, $options: 'i' } },
        ];
      const docs = await models.Organisation.find(query).sort({ _id: 1 }).limit(page.limit).lean();
      return docs.map((d) => toOrganisation(d as Record<string, unknown>));
    },
    async listProfiles(filter, page) {
      const query: Record<string, unknown> = { ...paging(page) };
      for (const key of ['organisationId', 'email', 'role', 'status'] as const)
        if (filter[key]) query[key] = filter[key];
      if (filter.q) query.displayName = { $regex: escapeRegex(filter.q), $options: 'i' };
      const docs = await models.Profile.find(query).sort({ _id: 1 }).limit(page.limit).lean();
      return docs.map((d) => toProfile(d as Record<string, unknown>));
    },
    async findOrganisationsByAccountNumber(accountNumbers) {
      const docs = await models.Organisation.find({ accountNumber: { $in: accountNumbers } }).lean();
      return docs.map((d) => toOrganisation(d as Record<string, unknown>));
    },
    async findProfilesOfOrganisations(organisationIds) {
      const docs = await models.Profile.find({ organisationId: { $in: organisationIds } }).lean();
      return docs.map((d) => toProfile(d as Record<string, unknown>));
    },
    async createOrganisation(organisation) {
      await models.Organisation.create({ _id: organisation.id, ...organisationDoc(organisation) }).catch(
        organisationConflict,
      );
    },
    async updateOrganisation(id, changes) {
      const { contractEndsOn, ...fields } = changes;
      const update = {
        $set: { ...fields, ...(contractEndsOn ? { contractEndsOn } : {}) },
        ...(contractEndsOn === null ? { $unset: { contractEndsOn: 1 } } : {}),
      };
      const { matchedCount } = await models.Organisation.updateOne({ _id: id }, update).catch(organisationConflict);
      return matchedCount > 0;
    },
    async createProfile(profile) {
      await models.Profile.create({ _id: profile.id, ...profileDoc(profile) }).catch(profileConflict(profile));
    },
    async updateProfile(id, changes) {
      const { locale, ...fields } = changes;
      const update = {
        $set: { ...fields, ...(locale ? { locale } : {}) },
        ...(locale === null || locale === '' ? { $unset: { locale: 1 } } : {}),
      };
      const { matchedCount } = await models.Profile.updateOne({ _id: id }, update).catch(async (err: unknown) => {
        // Only a refused write needs the profile as it is, to say which rule the change broke.
        const current = isDuplicate(err) ? await models.Profile.findById(id).lean() : undefined;
        if (!current) throw err;
        return profileConflict({ ...toProfile(current as Record<string, unknown>), ...fields })(err);
      });
      return matchedCount > 0;
    },
    async designateAdministrator(profileId, previousId, notice) {
      if (previousId) {
        // Demoted first: the unique adminSlot index then admits the new one, and there is never a moment with two.
        await models.Profile.updateOne(
          { _id: previousId, role: 'administrator' },
          { $set: { role: 'professional', adminSlot: `profile:${previousId}` } },
        );
      }
      const profile = await models.Profile.findById(profileId, { organisationId: 1 }).lean();
      if (!profile) return;
      const owed = notice
        ? { administratorNotice: { reference: notice.reference, at: notice.at, ...(previousId ? { previousId } : {}) } }
        : {};
      await models.Profile.updateOne(
        { _id: profileId },
        { $set: { role: 'administrator', adminSlot: `org:${String(profile.organisationId)}`, ...owed } },
      ).catch((err: unknown) => {
        throw isDuplicate(err) ? new DirectoryConflict('administrator') : err;
      });
    },
    async pendingAdministratorNotices(before, limit) {
      const docs = await models.Profile.find({ 'administratorNotice.at': { $lt: before } }, { administratorNotice: 1 })
        .sort({ 'administratorNotice.at': 1 })
        .limit(limit)
        .lean();
      return docs.map((d) => {
        const notice = (d as { administratorNotice: { reference: string; at: Date; previousId?: string } })
          .administratorNotice;
        return {
          profileId: String(d._id),
          reference: notice.reference,
          at: new Date(notice.at),
          ...(notice.previousId ? { previousId: notice.previousId } : {}),
        };
      });
    },
    async administratorNoticeQueued(profileId, reference) {
      await models.Profile.updateOne(
        { _id: profileId, 'administratorNotice.reference': reference },
        { $unset: { administratorNotice: 1 } },
      );
    },
    async writeOrganisations(items) {
      return writeBatch(models.Organisation.collection, items, organisationDoc, () => organisationConflict);
    },
    async writeProfiles(items) {
      return writeBatch(models.Profile.collection, items, profileDoc, (p) => profileConflict(p));
    },
  };
}
