import { z } from 'zod';
import { accountRoute } from '../account-route.ts';
import { LOCALE_MAX_LENGTH, LOCALE_RULE, LOCALE_TAG } from '../../directory/model.ts';
import { accountRecord, accountView, languageRecord, removalRecord } from './account-records.ts';

const profileId = z.object({
  profileId: z
    .string()
    .min(1)
    .max(200)
    .meta({ description: 'A profile id', examples: ['prf-erin-contoso'] }),
});

const languageInput = z
  .strictObject({
    locale: z
      .string()
      .max(LOCALE_MAX_LENGTH)
      .regex(LOCALE_TAG, `must be ${LOCALE_RULE}`)
      .nullable()
      .meta({
        description: `${LOCALE_RULE}, at most ${LOCALE_MAX_LENGTH} characters; null removes the choice. A language the broker has no catalogue for reads as the broker's default.`,
      }),
  })
  .meta({ examples: [{ locale: 'fr-CH' }, { locale: null }] });

/** "My account": the person's own account and the profiles associated with it. */
export const myAccountRoutes = [
  accountRoute({
    operationId: 'getMyAccount',
    method: 'get',
    path: '/me',
    access: 'person',
    summary: 'The sign-in account and every profile associated with it',
    description:
      'The upstream account the token was issued to (masked) and each profile it is associated with: organisation, account number, kind, role, registered email, contract, and which portals admit it now.',
    request: {},
    response: { status: 200, description: 'The account', schema: accountRecord },
    handle: async ({ holder }, account) => accountView(await account.overview(holder)),
  }),
  accountRoute({
    operationId: 'setMyProfileLanguage',
    method: 'put',
    path: '/profiles/{profileId}/locale',
    access: 'person',
    summary: 'Set the language of the emails to a profile of mine',
    description:
      "The language the broker writes to the person in for this profile (association links, notices of changes). Without one, an email is in the language of the page that caused it, else the broker's default. Recorded in the audit log with the person as actor.",
    request: { params: profileId, body: languageInput, bodyIs: 'language' },
    refusals: { 404: 'The profile is not associated with this account' },
    response: { status: 200, description: 'The language now', schema: languageRecord },
    handle: async ({ holder, params, body, ip }, account) => {
      const profile = await account.setLanguage(holder, params.profileId, body.locale, ip);
      return { id: profile.id, locale: profile.locale ?? null };
    },
  }),
  accountRoute({
    operationId: 'removeProfileFromMyAccount',
    method: 'delete',
    path: '/profiles/{profileId}/association',
    access: 'person',
    summary: 'Remove a profile from my account',
    description:
      "Removes the association between the person's account and one of its profiles: everyone signed in as that profile is signed out, its grants and outstanding links are revoked, its registered address is told, and the audit log records the person as actor. The profile can be associated again through a new link.",
    request: { params: profileId },
    refusals: { 404: 'The profile is not associated with this account' },
    response: { status: 200, description: 'Removed', schema: removalRecord },
    handle: async ({ holder, params, ip, language }, account) => {
      const { reference, signedOut } = await account.removeProfile(holder, params.profileId, ip, language);
      return { reference, signed_out: signedOut };
    },
  }),
];
