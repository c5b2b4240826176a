import type { ClientMetadata } from 'oidc-provider';
import type { AdminActor } from './admin-scopes.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import type { Clock } from '../shared/clock.ts';
import type { ErrorCode } from '../shared/error-codes.ts';
import { AppError } from '../shared/errors.ts';
import { newRecordId, randomToken, referenceCode } from '../shared/ids.ts';
import { newTokenGeneration } from './token-generation.ts';
import { isConfiguredAdmin, mayGrant, mayTouch } from './client-authority.ts';
import type { ClientStore, StoredClient } from './client-store.ts';

export interface ManageClientsDeps {
  clients: ClientStore;
  audit: AuditLog;
  clock: Clock;
  /**
   * oidc-provider's own client validation, the broker's policy and URI rules included (client-policy.ts). Throws
   * InvalidClientMetadataError with a description a person can act on.
   */
  validate(metadata: ClientMetadata): Promise<void>;
}

/** A client as the admin API and the CLI show it: never its secret. */
export interface ClientView {
  client_id: string;
  status: StoredClient['status'];
  source: StoredClient['source'];
  created_at: string;
  updated_at: string;
  /** Whether it authenticates with a secret (shown once, when created or rotated). */
  has_secret: boolean;
  metadata: Omit<ClientMetadata, 'client_secret'>;
}

export function viewOf(client: StoredClient): ClientView {
  const { client_secret: secret, ...metadata } = client.metadata;
  return {
    client_id: client.clientId,
    status: client.status,
    source: client.source,
    created_at: client.createdAt.toISOString(),
    updated_at: client.updatedAt.toISOString(),
    has_secret: Boolean(secret),
    metadata,
  };
}

// Messages for people live in the catalogue (errors.message.<code>); these say what happened for the log.
const conflict = (code: ErrorCode, clientId: string, message: string, details: Record<string, string | boolean> = {}) =>
  new AppError(409, code, message, { details: { clientId, ...details } });

async function existing(deps: ManageClientsDeps, clientId: string): Promise<StoredClient> {
  const client = await deps.clients.find(clientId);
  if (!client) throw new AppError(404, 'client_not_found', `no client ${clientId}`, { details: { clientId } });
  return client;
}

function editable(client: StoredClient): void {
  if (client.source === 'configuration') {
    throw conflict('managed_by_configuration', client.clientId, `client ${client.clientId} comes from configuration`, {
      adminClient: isConfiguredAdmin(client),
    });
  }
}

/** Clients that authenticate with a secret need one; public clients (token_endpoint_auth_method none) do not. */
const needsSecret = (metadata: ClientMetadata) =>
  (metadata.token_endpoint_auth_method ?? 'client_secret_basic') !== 'none';

async function record(
  deps: ManageClientsDeps,
  who: AdminActor,
  action: string,
  clientId: string,
  details?: Record<string, string | number | boolean>,
) {
  await deps.audit.record({
    id: referenceCode(),
    at: deps.clock.now(),
    action,
    outcome: 'success',
    actor: who.actor,
    ip: who.ip,
    clientId,
    ...(details ? { details } : {}),
  });
}

export async function listClients(deps: ManageClientsDeps): Promise<ClientView[]> {
  return (await deps.clients.list()).map(viewOf);
}

export async function getClient(deps: ManageClientsDeps, clientId: string): Promise<ClientView> {
  return viewOf(await existing(deps, clientId));
}

/**
 * Registers a portal (or an admin client). The broker makes the id when none is asked for, and always makes the
 * secret: it is returned here once and never shown again.
 */
export async function createClient(
  deps: ManageClientsDeps,
  who: AdminActor,
  input: ClientMetadata,
): Promise<{ client: ClientView; client_secret?: string }> {
  const clientId = input.client_id ? String(input.client_id) : newRecordId('c', 12);
  mayGrant(who, clientId, input.scope);
  if (await deps.clients.find(clientId)) throw conflict('client_exists', clientId, `client ${clientId} exists`);
  const secret = needsSecret(input) ? randomToken(32) : undefined;
  const metadata: ClientMetadata = { ...input, client_id: clientId, ...(secret ? { client_secret: secret } : {}) };
  await deps.validate(structuredClone(metadata));
  const now = deps.clock.now();
  // A new generation: tokens issued to an earlier client of the same id (deleted since) do not carry over.
  const client: StoredClient = {
    clientId,
    metadata,
    status: 'active',
    source: 'admin',
    tokenGeneration: newTokenGeneration(),
    createdAt: now,
    updatedAt: now,
  };
  await deps.clients.save(client);
  await record(deps, who, 'client.created', clientId, { fields: Object.keys(input).sort().join(' ') });
  return { client: viewOf(client), ...(secret ? { client_secret: secret } : {}) };
}

/** Replaces a client's metadata (all of it but the id and the secret, which keep their values). */
export async function updateClient(
  deps: ManageClientsDeps,
  who: AdminActor,
  clientId: string,
  input: ClientMetadata,
): Promise<ClientView> {
  const current = await existing(deps, clientId);
  editable(current);
  mayTouch(who, current);
  mayGrant(who, clientId, input.scope);
  const secret = current.metadata.client_secret;
  if (needsSecret(input) && !secret)
    throw conflict('secret_required', clientId, `public client ${clientId} cannot become confidential by an update`);
  const metadata: ClientMetadata = {
    ...input,
    client_id: clientId,
    ...(needsSecret(input) && secret ? { client_secret: secret } : {}),
  };
  await deps.validate(structuredClone(metadata));
  const changed = [...new Set([...Object.keys(input), ...Object.keys(current.metadata)])].filter(
    (k) =>
      k !== 'client_id' && k !== 'client_secret' && JSON.stringify(input[k]) !== JSON.stringify(current.metadata[k]),
  );
  const client: StoredClient = { ...current, metadata, updatedAt: deps.clock.now() };
  await deps.clients.save(client);
  await record(deps, who, 'client.updated', clientId, { fields: changed.sort().join(' ') });
  return viewOf(client);
}

/**
 * Disables or enables a client; a disabled client is refused on every node at its next request. Its admin tokens
 * stay refused after it is enabled again: a disable starts a new token generation.
 */
export async function setClientStatus(
  deps: ManageClientsDeps,
  who: AdminActor,
  clientId: string,
  status: StoredClient['status'],
  reason?: string,
): Promise<ClientView> {
  const current = await existing(deps, clientId);
  if (status === 'disabled' && isConfiguredAdmin(current)) {
    throw conflict(
      'managed_by_configuration',
      clientId,
      `admin client ${clientId} comes from configuration and cannot be disabled`,
      { adminClient: true },
    );
  }
  mayTouch(who, current);
  if (current.status === status) return viewOf(current);
  const client: StoredClient = {
    ...current,
    status,
    ...(status === 'disabled' ? { tokenGeneration: newTokenGeneration() } : {}),
    updatedAt: deps.clock.now(),
  };
  await deps.clients.save(client);
  await record(
    deps,
    who,
    status === 'disabled' ? 'client.disabled' : 'client.enabled',
    clientId,
    reason ? { reason } : undefined,
  );
  return viewOf(client);
}

export async function deleteClient(deps: ManageClientsDeps, who: AdminActor, clientId: string): Promise<void> {
  const current = await existing(deps, clientId);
  editable(current);
  mayTouch(who, current);
  await deps.clients.remove(clientId);
  await record(deps, who, 'client.deleted', clientId);
}

/** A new secret, returned once; the old one stops working at the next request. */
export async function rotateClientSecret(
  deps: ManageClientsDeps,
  who: AdminActor,
  clientId: string,
): Promise<{ client: ClientView; client_secret: string }> {
  const current = await existing(deps, clientId);
  editable(current);
  mayTouch(who, current);
  if (!needsSecret(current.metadata)) throw conflict('public_client', clientId, `client ${clientId} is public`);
  const secret = randomToken(32);
  const client: StoredClient = {
    ...current,
    metadata: { ...current.metadata, client_secret: secret },
    tokenGeneration: newTokenGeneration(),
    updatedAt: deps.clock.now(),
  };
  await deps.clients.save(client);
  await record(deps, who, 'client.secret_rotated', clientId);
  return { client: viewOf(client), client_secret: secret };
}
