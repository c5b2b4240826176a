import { z } from 'zod';
import { accountRoute } from '../account-route.ts';

const timestamp = z.iso.datetime();

const newEmail = z
  .strictObject({
    email: z.string().max(1000).meta({ description: 'The new address; a link to confirm it is sent there' }),
  })
  .meta({ examples: [{ email: 'erin.evans@example.org' }] });

const profileId = z.object({
  profileId: z
    .string()
    .min(1)
    .max(200)
    .meta({ description: 'A profile id', examples: ['prf-bob-fabrikam'] }),
});

const emailChangeRecord = z
  .object({
    reference: z.string().meta({ description: 'The audit reference of the request; the confirmation email quotes it' }),
    email: z.string().meta({ description: 'The new address, as it will be registered' }),
    expires_at: timestamp.meta({ description: 'Until when the link in the email works' }),
  })
  .meta({
    id: 'EmailChangeRequest',
    examples: [
      { reference: '3F9A-0C2B-77D1', email: 'erin.evans@example.org', expires_at: '2027-03-02T09:00:00.000Z' },
    ],
  });

const invitationRecord = z
  .object({
    reference: z.string().meta({ description: 'The audit reference of the invitation; the email quotes it' }),
    expires_at: timestamp.meta({ description: 'Until when the link in the email works' }),
  })
  .meta({ id: 'OwnInvitation', examples: [{ reference: 'B41C-9E02-5A7F', expires_at: '2027-03-02T09:00:00.000Z' }] });

/** "My account", continued: the registered email of the profile the token acts as, and who signs in as a profile. */
export const myEmailRoutes = [
  accountRoute({
    operationId: 'requestMyEmailChange',
    method: 'post',
    path: '/me/email',
    access: 'person',
    summary: 'Change the registered email of my profile',
    description:
      'Asks for a new registered email for the profile the token acts as. Nothing changes yet: a link goes to the new address, and the change is made when it is opened and confirmed there (the old address is then told). A newer request supersedes a pending one.',
    request: { body: newEmail, bodyIs: 'email change' },
    refusals: {
      400: 'email_address_invalid, or email_address_unchanged: it is the registered address already',
      409: 'email_address_taken: another profile of the organisation has this address',
      429: 'too_many_email_changes: wait as Retry-After says',
    },
    response: {
      status: 202,
      description: 'The confirmation link is on its way to the new address',
      schema: emailChangeRecord,
    },
    handle: async ({ holder, body, ip, language }, account) => {
      const { reference, email, expiresAt } = await account.email.request(holder, body.email, ip, language);
      return { reference, email, expires_at: expiresAt.toISOString() };
    },
  }),
  accountRoute({
    operationId: 'inviteAnotherAccountForProfile',
    method: 'post',
    path: '/profiles/{profileId}/invitation',
    access: 'person',
    summary: 'Use a different account for a profile of mine',
    description:
      "Sends an invitation to the profile's registered email. Whoever opens it from that mailbox and signs in takes the profile: this account's association is then replaced, everyone signed in as the profile is signed out, and the registered address is told. Until then nothing changes.",
    request: { params: profileId },
    refusals: {
      404: 'The profile is not associated with this account',
      409: 'profile_disabled: the profile or its organisation is disabled',
    },
    response: { status: 200, description: 'The invitation is on its way', schema: invitationRecord },
    handle: async ({ holder, params, ip, language }, account) => {
      const { reference, expiresAt } = await account.reinvite(holder, params.profileId, ip, language);
      return { reference, expires_at: expiresAt.toISOString() };
    },
  }),
];
