import type { DirectorySeed } from '../../directory/seed.ts';
import type { DirectoryModels } from './directory-models.ts';

/** Loads a directory seed: upserts by id, so running it twice changes nothing. Returns what it wrote. */
export async function seedMongoDirectory(models: DirectoryModels, seed: DirectorySeed) {
  for (const org of seed.organisations) {
    await models.Organisation.updateOne({ _id: org.id }, { $set: { accountNumber: org.accountNumber, name: org.name, kind: org.kind, status: org.status, ...(org.contractEndsOn ? { contractEndsOn: org.contractEndsOn } : {}) } }, { upsert: true });
  }
  for (const profile of seed.profiles) {
    await models.Profile.updateOne({ _id: profile.id }, { $set: { organisationId: profile.organisationId, email: profile.email, displayName: profile.displayName, role: profile.role, status: profile.status } }, { upsert: true });
  }
  for (const association of seed.associations) {
    await models.Association.updateOne({ profileId: association.profileId }, { $setOnInsert: { upstreamId: association.upstreamId, subject: association.subject, associatedAt: new Date(0) } }, { upsert: true });
  }
  return { organisations: seed.organisations.length, profiles: seed.profiles.length, associations: seed.associations.length };
}
