import { z } from 'zod';
import { ADMIN_SCOPES } from '../../clients/admin-scopes.ts';
import { clientInput, toMetadata } from '../../clients/client-input.ts';
import { adminRoute } from '../admin-route.ts';
import { clientPath } from './admin-inputs.ts';
import { clientRecord, clientWithSecret } from './admin-records.ts';

const scope = ADMIN_SCOPES.clients;

/** The document names the client input and shows an example (the fields' meanings are in client-input.ts). */
const clientBody = clientInput.meta({
  id: 'ClientInput',
  examples: [
    {
      client_id: 'reseller-portal',
      client_name: 'Reseller portal',
      redirect_uris: ['https://resellers.example/cb'],
      post_logout_redirect_uris: ['https://resellers.example/'],
      grant_types: ['authorization_code', 'refresh_token'],
      profile_kinds: ['partner'],
      contract_required: true,
      initiate_login_uri: 'https://resellers.example/login',
    },
  ],
});

const statusChange = z
  .strictObject({ reason: z.string().min(1).max(500).optional().meta({ description: 'Recorded in the audit log.' }) })
  .meta({ id: 'StatusChange', examples: [{ reason: 'Portal retired (ticket 4413)' }] });

const SCOPE_NOT_HELD =
  'Missing scope (insufficient_scope), or scope_not_held: the caller may grant only admin scopes its token holds, and may not touch a client holding a scope it lacks';

/** /admin/api/v1/clients: the portals (and admin clients) registered with the broker (scope admin:clients). */
export const clientRoutes = [
  adminRoute({
    operationId: 'listClients',
    method: 'get',
    path: '/clients',
    scope,
    summary: 'List clients',
    request: {},
    response: { status: 200, description: 'Every client, by id', schema: z.object({ clients: z.array(clientRecord) }) },
    handle: async (_, admin) => ({ clients: await admin.clients.list() }),
  }),
  adminRoute({
    operationId: 'registerClient',
    bodyRequired: true,
    method: 'post',
    path: '/clients',
    scope,
    summary: 'Register a client',
    description:
      "Validated with oidc-provider's client validation and the broker's rules: https redirect URIs (http only on a loopback host outside production), no wildcards, no javascript: or data: schemes. The broker makes the secret (and the id, unless one is given). A caller may grant only the admin scopes its own token holds (403 scope_not_held).",
    request: { body: clientBody, bodyIs: 'client' },
    response: { status: 201, description: 'Created; the secret is shown this once', schema: clientWithSecret },
    refusals: {
      403: "Missing scope (insufficient_scope), or scope_not_held: the client would get an admin scope the caller's token does not hold",
      409: true,
    },
    handle: ({ body, actor }, admin) => admin.clients.register(actor, toMetadata(body)),
  }),
  adminRoute({
    operationId: 'getClient',
    method: 'get',
    path: '/clients/{clientId}',
    scope,
    summary: 'Show a client',
    request: { params: clientPath },
    response: { status: 200, description: 'The client, without its secret', schema: clientRecord },
    refusals: { 404: true },
    handle: ({ params }, admin) => admin.clients.get(params.clientId),
  }),
  adminRoute({
    operationId: 'replaceClient',
    bodyRequired: true,
    method: 'put',
    path: '/clients/{clientId}',
    scope,
    summary: "Replace a client's metadata",
    description:
      "Every property but client_id; the secret is kept. Clients defined in the broker's configuration are refused with 409 managed_by_configuration. The caller must hold every admin scope the client has and every one it is given (403 scope_not_held).",
    request: { params: clientPath, body: clientBody, bodyIs: 'client' },
    response: {
      status: 200,
      description: 'Updated; takes effect on every node at the next request',
      schema: clientRecord,
    },
    refusals: { 403: SCOPE_NOT_HELD, 404: true, 409: true },
    handle: ({ params, body: { client_id: _ignored, ...input }, actor }, admin) =>
      admin.clients.update(actor, params.clientId, toMetadata(input)),
  }),
  adminRoute({
    operationId: 'deleteClient',
    method: 'delete',
    path: '/clients/{clientId}',
    scope,
    summary: 'Delete a client',
    description:
      'Refused for a client the caller does not hold every admin scope of (403 scope_not_held), and for clients defined in configuration (409 managed_by_configuration). Tokens issued to the client stop working, also for a client registered again under the same id.',
    request: { params: clientPath },
    response: { status: 204, description: 'Deleted', schema: undefined },
    refusals: { 403: SCOPE_NOT_HELD, 404: true, 409: true },
    handle: ({ params, actor }, admin) => admin.clients.remove(actor, params.clientId),
  }),
  adminRoute({
    operationId: 'disableClient',
    method: 'post',
    path: '/clients/{clientId}/disable',
    scope,
    summary: 'Disable a client',
    description:
      'Refused for a client the caller does not hold every admin scope of (403 scope_not_held), and for an admin client defined in configuration, the bootstrap admin client (409 managed_by_configuration); configured portals can be disabled. Admin tokens issued to the client stop working at once and stay refused after it is enabled again.',
    request: { params: clientPath, body: statusChange },
    response: { status: 200, description: 'Disabled: refused on every node at its next request', schema: clientRecord },
    refusals: {
      403: SCOPE_NOT_HELD,
      404: true,
      409: 'managed_by_configuration: an admin client defined in configuration cannot be disabled',
    },
    handle: ({ params, body, actor }, admin) =>
      admin.clients.setStatus(actor, params.clientId, 'disabled', body.reason),
  }),
  adminRoute({
    operationId: 'enableClient',
    method: 'post',
    path: '/clients/{clientId}/enable',
    scope,
    summary: 'Enable a client',
    description: 'Refused for a client the caller does not hold every admin scope of (403 scope_not_held).',
    request: { params: clientPath, body: statusChange },
    response: { status: 200, description: 'Enabled', schema: clientRecord },
    refusals: { 403: SCOPE_NOT_HELD, 404: true },
    handle: ({ params, body, actor }, admin) => admin.clients.setStatus(actor, params.clientId, 'active', body.reason),
  }),
  adminRoute({
    operationId: 'rotateClientSecret',
    method: 'post',
    path: '/clients/{clientId}/secret',
    scope,
    summary: "Rotate a client's secret",
    description:
      'Refused for a client the caller does not hold every admin scope of (403 scope_not_held), and for clients defined in configuration (409 managed_by_configuration). The old secret, and every admin token issued with it, stop working at once.',
    request: { params: clientPath },
    response: {
      status: 200,
      description: 'The new secret, shown this once; the old one stops working at once',
      schema: clientWithSecret,
    },
    refusals: { 403: SCOPE_NOT_HELD, 404: true, 409: true },
    handle: ({ params, actor }, admin) => admin.clients.rotateSecret(actor, params.clientId),
  }),
];
