import { z } from 'zod';
import { ADMIN_SCOPES } from '../../clients/admin-scopes.ts';
import { organisationView } from '../../directory/directory-views.ts';
import { nameText } from '../../directory/name-text.ts';
import { kindInput, type ProfileKinds } from '../../directory/profile-kinds.ts';
import { pageQuery } from '../../shared/page-query.ts';
import { adminRoute } from '../admin-route.ts';
import { newId, optionalReasonInput, organisationPath, statusInput, trimmedText } from './admin-inputs.ts';
import { nextPage, organisationRecord } from './admin-records.ts';

const scope = ADMIN_SCOPES.directory;

const example = { account_number: 'C-104250', name: 'Tailspin Toys', kind: 'customer', contract_ends_on: '2027-06-30' };

/** What a request may say about an organisation, its kind one of the configured `kinds`. */
function organisationInputs(kinds: ProfileKinds) {
  const fields = {
    account_number: trimmedText(64).meta({ description: 'Trimmed; not blank' }),
    name: nameText(200),
    kind: kindInput(kinds),
    contract_ends_on: z.iso.date().nullable().optional().meta({ description: 'Last day the service contract covers' }),
  };
  return {
    input: z.strictObject({ id: newId.optional(), ...fields }).meta({ id: 'OrganisationInput', examples: [example] }),
    update: z.strictObject(fields).meta({
      id: 'OrganisationUpdate',
      examples: [{ ...example, account_number: 'C-104233', name: 'Contoso Pharma' }],
    }),
    query: z.strictObject({
      kind: kindInput(kinds).optional(),
      status: statusInput.optional(),
      q: z.string().min(1).max(200).optional().meta({ description: 'Part of the name, or the whole account number' }),
      ...pageQuery,
    }),
  };
}

const organisationValues = (input: z.output<ReturnType<typeof organisationInputs>['update']>) => ({
  accountNumber: input.account_number,
  name: input.name,
  kind: input.kind,
  ...(input.contract_ends_on ? { contractEndsOn: input.contract_ends_on } : {}),
});

const statusChange = (action: 'disable' | 'enable', next: 'disabled' | 'active', summary: string) =>
  adminRoute({
    operationId: `${action}Organisation`,
    method: 'post',
    path: `/directory/organisations/{organisationId}/${action}`,
    scope,
    summary,
    request: { params: organisationPath, body: optionalReasonInput },
    response: { status: 200, description: 'Its new state', schema: organisationRecord },
    refusals: { 404: true },
    handle: async ({ params, body, actor }, admin) =>
      organisationView(await admin.directory.setOrganisationStatus(actor, params.organisationId, next, body.reason)),
  });

/** /admin/api/v1/directory/organisations (scope admin:directory), for an organisation of one of `kinds`. */
export const organisationRoutes = (kinds: ProfileKinds) => {
  const organisation = organisationInputs(kinds);
  return [
    adminRoute({
      operationId: 'listOrganisations',
      method: 'get',
      path: '/directory/organisations',
      scope,
      summary: 'List organisations',
      request: { query: organisation.query },
      response: {
        status: 200,
        description: 'A page of organisations, in id order',
        schema: z.object({ organisations: z.array(organisationRecord), next: nextPage }),
      },
      handle: async ({ query: { limit, after, ...filter } }, admin) => {
        const page = await admin.directory.listOrganisations(filter, { limit, after });
        return { organisations: page.items.map(organisationView), next: page.next ?? null };
      },
    }),
    adminRoute({
      operationId: 'createOrganisation',
      method: 'post',
      path: '/directory/organisations',
      scope,
      summary: 'Create an organisation',
      request: { body: organisation.input, bodyIs: 'organisation' },
      response: { status: 201, description: 'Created', schema: organisationRecord },
      refusals: { 409: 'account_number_taken: another organisation has this account number' },
      handle: async ({ body, actor }, admin) =>
        organisationView(
          await admin.directory.createOrganisation(actor, {
            ...(body.id ? { id: body.id } : {}),
            ...organisationValues(body),
          }),
        ),
    }),
    adminRoute({
      operationId: 'getOrganisation',
      method: 'get',
      path: '/directory/organisations/{organisationId}',
      scope,
      summary: 'Show an organisation, with its administrator',
      request: { params: organisationPath },
      response: { status: 200, description: 'The organisation', schema: organisationRecord },
      refusals: { 404: true },
      handle: async ({ params }, admin) =>
        organisationView(await admin.directory.getOrganisation(params.organisationId)),
    }),
    adminRoute({
      operationId: 'replaceOrganisation',
      method: 'put',
      path: '/directory/organisations/{organisationId}',
      scope,
      summary: "Replace an organisation's fields",
      description: 'Without contract_ends_on the organisation has no contract.',
      request: { params: organisationPath, body: organisation.update, bodyIs: 'organisation' },
      response: { status: 200, description: 'Replaced', schema: organisationRecord },
      refusals: { 404: true, 409: 'account_number_taken: another organisation has this account number' },
      handle: async ({ params, body, actor }, admin) =>
        organisationView(
          await admin.directory.updateOrganisation(actor, params.organisationId, organisationValues(body)),
        ),
    }),
    statusChange('disable', 'disabled', 'Disable an organisation: none of its profiles can sign in'),
    statusChange('enable', 'active', 'Enable an organisation'),
  ];
};
