import { z } from 'zod';
import { LOCALE_RULE, PROFILE_ROLES, RECORD_STATUSES, isLocaleTag, normaliseEmail, normaliseLocale } from './model.ts';
import { kindInput, type ProfileKinds } from './profile-kinds.ts';

/**
 * The shape of a directory seed file (config/demo/directory.json), its organisations of the configured `kinds`;
 * validated before anything is loaded.
 */
export const directorySeedSchema = (kinds: ProfileKinds) =>
  z
    .object({
      organisations: z.array(
        z.object({
          id: z.string().min(1),
          accountNumber: z.string().min(1),
          name: z.string().min(1),
          kind: kindInput(kinds),
          status: z.enum(RECORD_STATUSES).default('active'),
          contractEndsOn: z.iso.date().optional(),
        }),
      ),
      profiles: z.array(
        z.object({
          id: z.string().min(1),
          organisationId: z.string().min(1),
          email: z.email().transform(normaliseEmail),
          displayName: z.string().min(1),
          role: z.enum(PROFILE_ROLES),
          status: z.enum(RECORD_STATUSES).default('active'),
          locale: z.string().refine(isLocaleTag, `must be ${LOCALE_RULE}`).transform(normaliseLocale).optional(),
        }),
      ),
      associations: z
        .array(
          z.object({
            profileId: z.string().min(1),
            upstreamId: z.string().min(1),
            subject: z.string().min(1),
          }),
        )
        .default([]),
    })
    .superRefine((seed, ctx) => {
      const orgIds = new Set(seed.organisations.map((o) => o.id));
      const profileIds = new Set(seed.profiles.map((p) => p.id));
      const administrators = new Set<string>();
      const addresses = new Set<string>();
      seed.profiles.forEach((p, i) => {
        if (!orgIds.has(p.organisationId))
          ctx.addIssue({
            code: 'custom',
            path: ['profiles', i, 'organisationId'],
            message: `unknown organisation ${p.organisationId}`,
          });
        if (p.role === 'administrator' && administrators.has(p.organisationId))
          ctx.addIssue({
            code: 'custom',
            path: ['profiles', i, 'role'],
            message: 'an organisation has at most one administrator',
          });
        if (p.role === 'administrator') administrators.add(p.organisationId);
        if (addresses.has(`${p.organisationId} ${p.email}`))
          ctx.addIssue({
            code: 'custom',
            path: ['profiles', i, 'email'],
            message: 'an organisation has one profile per email',
          });
        addresses.add(`${p.organisationId} ${p.email}`);
      });
      const associated = new Set<string>();
      seed.associations.forEach((a, i) => {
        if (!profileIds.has(a.profileId))
          ctx.addIssue({
            code: 'custom',
            path: ['associations', i, 'profileId'],
            message: `unknown profile ${a.profileId}`,
          });
        if (associated.has(a.profileId))
          ctx.addIssue({
            code: 'custom',
            path: ['associations', i, 'profileId'],
            message: 'a profile has at most one association',
          });
        associated.add(a.profileId);
      });
    });

export type DirectorySeed = z.output<ReturnType<typeof directorySeedSchema>>;
