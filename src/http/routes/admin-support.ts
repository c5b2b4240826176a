import { z } from 'zod';
import { ADMIN_SCOPES } from '../../clients/admin-scopes.ts';
import { organisationView, profileView } from '../../directory/directory-views.ts';
import { adminRoute } from '../admin-route.ts';
import { organisationPath, profilePath, reasonInput, trimmedText } from './admin-inputs.ts';
import { organisationRecord, profileRecord } from './admin-records.ts';
import { endedRecord, sessionJson, sessionList } from './session-records.ts';

const scope = ADMIN_SCOPES.support;

const designation = z
  .strictObject({ profile_id: z.string().min(1).max(64), reason: trimmedText(500) })
  .meta({ examples: [{ profile_id: 'prf-erin-contoso', reason: 'Alice left (ticket 4411)' }] });
const invitation = z
  .strictObject({
    client_id: z.string().min(1).max(64).optional().meta({ description: 'The portal the success page leads back to' }),
  })
  .meta({ examples: [{ client_id: 'customer-portal' }] });

const sessionSignOut = z
  .strictObject({
    session_id: z
      .string()
      .min(1)
      .max(200)
      .optional()
      .meta({ description: 'One session, from the list; omitted: every session of the profile' }),
    reason: trimmedText(500),
  })
  .meta({ examples: [{ reason: 'Signed in on a library computer (ticket 5120)' }] });

/** Associations are shown and undone for a profile that has one: the example is such a profile. */
const associatedProfilePath = z.strictObject({
  profileId: profilePath.shape.profileId.meta({ examples: ['prf-bob-contoso'] }),
});

const timestamp = z.iso.datetime();
const association = z
  .object({
    profile_id: z.string(),
    upstream: z.string(),
    upstream_name: z.string(),
    account: z.string().meta({ description: 'The upstream account, masked' }),
    associated_at: timestamp,
    how: z.object({
      method: z.enum(['association_link', 'directory_load']),
      link_id: z.string().optional(),
      reference: z.string().optional(),
    }),
  })
  .meta({ id: 'Association' });
const link = z
  .object({
    id: z.string(),
    status: z.enum(['queued', 'sent', 'delivery_failed', 'redeeming', 'used', 'expired', 'superseded', 'revoked']),
    delivery: z.enum(['queued', 'sent', 'failed']),
    kind: z.enum(['requested', 'invitation']),
    client_id: z.string().nullable(),
    requested_with: z.string().optional().meta({ description: 'The upstream of the account that asked' }),
    created_at: timestamp,
    expires_at: timestamp,
    reference: z.string(),
  })
  .meta({ id: 'Link' });

/** /admin/api/v1/support: what the support desk does for people who are stuck (scope admin:support). */
export const supportRoutes = [
  adminRoute({
    operationId: 'designateAdministrator',
    method: 'put',
    path: '/support/organisations/{organisationId}/administrator',
    scope,
    summary: "Designate (or replace) the organisation's administrator",
    request: { params: organisationPath, body: designation },
    response: {
      status: 200,
      description: 'The change; the old and new administrator are emailed',
      schema: z.object({
        organisation: organisationRecord,
        administrator: profileRecord,
        previous: profileRecord.nullable(),
        reference: z.string().nullable().meta({ description: 'The audit event; null when nothing changed' }),
      }),
    },
    refusals: { 404: true, 409: true },
    handle: async ({ params, body, actor, language }, admin) => {
      const result = await admin.directory.designateAdministrator(
        actor,
        params.organisationId,
        body.profile_id,
        body.reason,
        language,
      );
      return {
        organisation: organisationView({ ...result.organisation, administratorId: result.administrator.id }),
        administrator: profileView(result.administrator),
        previous: result.previous ? profileView(result.previous) : null,
        reference: result.reference ?? null,
      };
    },
  }),
  adminRoute({
    operationId: 'showAssociation',
    method: 'get',
    path: '/support/profiles/{profileId}/association',
    scope,
    summary: "Show the profile's association (masked account, when, how)",
    request: { params: associatedProfilePath },
    response: { status: 200, description: 'The association', schema: association },
    refusals: { 404: 'profile_not_found, or not_associated' },
    handle: ({ params }, admin) => admin.support.showAssociation(params.profileId),
  }),
  adminRoute({
    operationId: 'unlinkProfile',
    method: 'post',
    path: '/support/profiles/{profileId}/unlink',
    scope,
    summary: 'Unlink the profile from its account: revokes its sessions, grants and outstanding links',
    request: { params: associatedProfilePath, body: reasonInput },
    response: {
      status: 200,
      description: 'Unlinked',
      schema: z.object({ reference: z.string().meta({ description: 'The audit event' }) }),
    },
    refusals: { 404: 'profile_not_found, or not_associated' },
    handle: ({ params, body, actor }, admin) => admin.support.unlink(actor, params.profileId, body.reason),
  }),
  adminRoute({
    operationId: 'listProfileSessions',
    method: 'get',
    path: '/support/profiles/{profileId}/sessions',
    scope,
    summary: "List the profile's broker sessions (browser, start, last use, portals); audited",
    request: { params: profilePath },
    response: { status: 200, description: 'Newest first', schema: sessionList },
    refusals: { 404: true },
    handle: async ({ params, actor }, admin) => ({
      sessions: (await admin.support.listSessions(actor, params.profileId)).map(sessionJson),
    }),
  }),
  adminRoute({
    operationId: 'endProfileSessions',
    method: 'post',
    path: '/support/profiles/{profileId}/sessions/sign-out',
    scope,
    summary: 'Sign the profile out: one session (`session_id`) or every one; their portals get logout tokens',
    request: { params: profilePath, body: sessionSignOut },
    response: {
      status: 200,
      description: 'Signed out',
      schema: endedRecord,
    },
    refusals: { 404: 'profile_not_found, or session_not_found' },
    handle: async ({ params, body, actor }, admin) => ({
      ended: await admin.support.endSessions(actor, params.profileId, body.reason, body.session_id),
    }),
  }),
  adminRoute({
    operationId: 'listProfileLinks',
    method: 'get',
    path: '/support/profiles/{profileId}/links',
    scope,
    summary: "List the profile's association links with their status",
    request: { params: profilePath },
    response: { status: 200, description: 'Newest first', schema: z.object({ links: z.array(link) }) },
    refusals: { 404: true },
    handle: async ({ params }, admin) => ({ links: await admin.support.listLinks(params.profileId) }),
  }),
  adminRoute({
    operationId: 'sendInvitation',
    method: 'post',
    path: '/support/profiles/{profileId}/invitations',
    scope,
    summary: 'Send an association email ("Send Invite E-mail"); supersedes older links',
    request: { params: profilePath, body: invitation },
    response: {
      status: 201,
      description: 'Sent (queued for delivery)',
      schema: z.object({ link_id: z.string(), reference: z.string(), expires_at: timestamp }),
    },
    refusals: {
      400: 'Invalid input, or client_not_a_portal: client_id names an admin client, which nobody signs in to',
      404: 'profile_not_found, or client_not_found',
      409: 'profile_disabled: the profile or its organisation is disabled',
    },
    handle: ({ params, body, actor, language }, admin) =>
      admin.support.invite(actor, params.profileId, { clientId: body.client_id, language }),
  }),
];
