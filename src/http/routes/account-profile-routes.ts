import { z } from 'zod';
import { accountRoute } from '../account-route.ts';
import { accountRecord, accountView, removalRecord } from './account-records.ts';

const profileId = z.object({
  profileId: z
    .string()
    .min(1)
    .max(200)
    .meta({ description: 'A profile id', examples: ['prf-erin-contoso'] }),
});

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
