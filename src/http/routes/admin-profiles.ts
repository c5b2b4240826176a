import { z } from 'zod';
import { ADMIN_SCOPES } from '../../clients/admin-scopes.ts';
import { profileView } from '../../directory/directory-views.ts';
import { PROFILE_ROLES } from '../../directory/model.ts';
import { nameText } from '../../directory/name-text.ts';
import { pageQuery } from '../../shared/page-query.ts';
import { adminRoute } from '../admin-route.ts';
import { emailInput, localeInput, newId, optionalReasonInput, profilePath, statusInput } from './admin-inputs.ts';
import { nextPage, profileRecord } from './admin-records.ts';

const scope = ADMIN_SCOPES.directory;

const profileInput = z
  .strictObject({
    id: newId.optional(),
    organisation_id: newId,
    email: emailInput,
    display_name: nameText(200),
    role: z.enum(PROFILE_ROLES).optional().meta({
      description:
        'Default: administrator for an organisation without one (the first profile added), else professional. A second administrator is refused (409 administrator_exists).',
    }),
    status: statusInput.optional(),
    locale: localeInput.optional(),
    /** Emails the person an association link at once ("Add New Professionals" then "Send Invite E-mail"). */
    send_invite: z.boolean().optional().meta({ description: 'Email the person an association link at once' }),
  })
  .meta({
    id: 'ProfileInput',
    examples: [
      {
        organisation_id: 'org-contoso',
        email: 'harry.hughes@contoso.example',
        display_name: 'Harry Hughes',
        role: 'professional',
      },
    ],
  });
const profileUpdate = z
  .strictObject({
    email: emailInput.meta({
      description:
        'A new address revokes the links sent to the old one and signs the profile out (its portals get logout tokens).',
    }),
    display_name: nameText(200),
    locale: localeInput.nullable().optional().meta({
      description:
        "The language of the person's emails (a BCP 47 tag such as de or fr-CH); null removes it, absent leaves it as it is",
    }),
  })
  .meta({
    id: 'ProfileUpdate',
    examples: [{ email: 'erin.evans@contoso.example', display_name: 'Erin Evans-Lee', locale: 'fr-CH' }],
  });
const profileQuery = z.strictObject({
  organisation_id: newId.optional(),
  email: z.string().min(1).max(254).optional().meta({ description: 'The registered address, in any case' }),
  role: z.enum(PROFILE_ROLES).optional(),
  status: statusInput.optional(),
  q: z.string().min(1).max(200).optional().meta({ description: 'Part of the display name' }),
  ...pageQuery,
});

const statusChange = (action: 'disable' | 'enable', next: 'disabled' | 'active', summary: string) =>
  adminRoute({
    operationId: `${action}Profile`,
    method: 'post',
    path: `/directory/profiles/{profileId}/${action}`,
    scope,
    summary,
    request: { params: profilePath, body: optionalReasonInput },
    response: { status: 200, description: 'Its new state', schema: profileRecord },
    refusals: { 404: true },
    handle: async ({ params, body, actor }, admin) =>
      profileView(await admin.directory.setProfileStatus(actor, params.profileId, next, body.reason)),
  });

/** /admin/api/v1/directory/profiles (scope admin:directory). */
export const profileRoutes = [
  adminRoute({
    operationId: 'listProfiles',
    method: 'get',
    path: '/directory/profiles',
    scope,
    summary: 'List profiles',
    request: { query: profileQuery },
    response: {
      status: 200,
      description: 'A page of profiles, in id order',
      schema: z.object({ profiles: z.array(profileRecord), next: nextPage }),
    },
    handle: async ({ query: { limit, after, organisation_id: organisationId, ...filter } }, admin) => {
      const page = await admin.directory.listProfiles(
        { ...filter, ...(organisationId ? { organisationId } : {}) },
        { limit, after },
      );
      return { profiles: page.items.map(profileView), next: page.next ?? null };
    },
  }),
  adminRoute({
    operationId: 'createProfile',
    method: 'post',
    path: '/directory/profiles',
    scope,
    summary: 'Add a profile ("Add New Professionals")',
    description: 'The first profile of an organisation becomes its administrator unless a role is given.',
    request: { body: profileInput, bodyIs: 'profile' },
    response: { status: 201, description: 'Created', schema: profileRecord },
    refusals: {
      404: 'organisation_not_found',
      409: 'profile_email_taken (the organisation has a profile with this address) or administrator_exists',
    },
    handle: async ({ body, actor }, admin) =>
      profileView(
        await admin.directory.createProfile(
          actor,
          {
            ...(body.id ? { id: body.id } : {}),
            organisationId: body.organisation_id,
            email: body.email,
            displayName: body.display_name,
            ...(body.role ? { role: body.role } : {}),
            ...(body.status ? { status: body.status } : {}),
            ...(body.locale ? { locale: body.locale } : {}),
          },
          { invite: body.send_invite },
        ),
      ),
  }),
  adminRoute({
    operationId: 'getProfile',
    method: 'get',
    path: '/directory/profiles/{profileId}',
    scope,
    summary: 'Show a profile',
    request: { params: profilePath },
    response: { status: 200, description: 'The profile', schema: profileRecord },
    refusals: { 404: true },
    handle: async ({ params }, admin) => profileView(await admin.directory.getProfile(params.profileId)),
  }),
  adminRoute({
    operationId: 'replaceProfile',
    method: 'put',
    path: '/directory/profiles/{profileId}',
    scope,
    summary: "Replace a profile's name and registered email, and its language when given",
    request: { params: profilePath, body: profileUpdate, bodyIs: 'profile' },
    response: { status: 200, description: 'Replaced', schema: profileRecord },
    refusals: { 404: true, 409: 'profile_email_taken: the organisation has a profile with this address' },
    handle: async ({ params, body, actor }, admin) =>
      profileView(
        await admin.directory.updateProfile(actor, params.profileId, {
          email: body.email,
          displayName: body.display_name,
          ...(body.locale !== undefined ? { locale: body.locale } : {}),
        }),
      ),
  }),
  statusChange('disable', 'disabled', 'Disable a profile: it cannot sign in or be associated'),
  statusChange('enable', 'active', 'Enable a profile'),
];
