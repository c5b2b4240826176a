import type { DirectorySeed } from '../../directory/seed.ts';
import { adminSlot, type DirectoryModels } from './directory-models.ts';

/**
 * Loads a directory seed: inserts what is missing, by id, and leaves existing records alone, so running it at every
 * start changes nothing and never undoes what administrators changed since (the admin API and imports own the
 * directory once it exists). Returns what the seed holds.
 */
export async function seedMongoDirectory(models: DirectoryModels, seed: DirectorySeed) {
  for (const org of seed.organisations) {
    await models.Organisation.updateOne(
      { _id: org.id },
      {
        $setOnInsert: {
          accountNumber: org.accountNumber,
          name: org.name,
          kind: org.kind,
          status: org.status,
          ...(org.contractEndsOn ? { contractEndsOn: org.contractEndsOn } : {}),
        },
      },
      { upsert: true },
    );
  }
  for (const profile of seed.profiles) {
    await models.Profile.updateOne(
      { _id: profile.id },
      {
        $setOnInsert: {
          organisationId: profile.organisationId,
          email: profile.email,
          displayName: profile.displayName,
          role: profile.role,
          status: profile.status,
          ...(profile.locale ? { locale: profile.locale } : {}),
          adminSlot: adminSlot(profile),
        },
      },
      { upsert: true },
    );
  }
  for (const association of seed.associations) {
    await models.Association.updateOne(
      { profileId: association.profileId },
      { $setOnInsert: { upstreamId: association.upstreamId, subject: association.subject, associatedAt: new Date(0) } },
      { upsert: true },
    );
  }
  return {
    organisations: seed.organisations.length,
    profiles: seed.profiles.length,
    associations: seed.associations.length,
  };
}
