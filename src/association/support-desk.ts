import type { AdminActor } from '../admin/scopes.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import type { AssociationStore } from '../directory/association-store.ts';
import type { DirectoryStore } from '../directory/directory-store.ts';
import type { Clock } from '../shared/clock.ts';
import { AppError } from '../shared/errors.ts';
import { randomToken, referenceFor } from '../shared/ids.ts';
import type { AssociationMail } from './association-mail.ts';
import { linkState, newLinkToken } from './link.ts';
import type { LinkStore } from './link-store.ts';
import { maskAccount } from './mask.ts';

export interface SupportDeskDeps {
  directory: DirectoryStore;
  associations: AssociationStore;
  links: LinkStore;
  mail: AssociationMail;
  audit: AuditLog;
  clock: Clock;
  linkTtlSeconds: number;
  linkUrl(token: string): string;
  upstreamName(upstreamId: string): string;
  /** The portal an invitation leads back to, by id (undefined when it is not registered or disabled). */
  portalName(clientId: string): Promise<string | undefined>;
  /** Ends the broker sessions and revokes the grants (and their tokens) of everyone signed in as the profile. */
  revokeSignIns(profileId: string): Promise<void>;
}

/** A link's status as support reads it: where the link is, and before it is used, where its email is. */
export type LinkStatus = 'queued' | 'sent' | 'delivery_failed' | 'redeeming' | 'used' | 'expired' | 'superseded' | 'revoked';

// Messages for people live in views/errors/messages/<code>.hbs; these messages are for the log.
const notFound = (code: string, message: string) => new AppError(404, code, message);

async function profileAndOrganisation(deps: Pick<SupportDeskDeps, 'directory'>, profileId: string) {
  const profile = await deps.directory.getProfile(profileId);
  if (!profile) throw notFound('profile_not_found', `no profile ${profileId}`);
  const organisation = await deps.directory.getOrganisation(profile.organisationId);
  if (!organisation) throw notFound('organisation_not_found', `no organisation ${profile.organisationId}`);
  return { profile, organisation };
}

/** Which account signs in as the profile (masked), since when, and how it was associated. */
export async function showAssociation(deps: SupportDeskDeps, profileId: string) {
  await profileAndOrganisation(deps, profileId);
  const association = await deps.associations.findByProfile(profileId);
  if (!association) throw notFound('not_associated', `profile ${profileId} has no association`);
  return {
    profile_id: profileId,
    upstream: association.upstreamId,
    upstream_name: deps.upstreamName(association.upstreamId),
    account: association.account ?? maskAccount({ subject: association.subject }),
    associated_at: association.associatedAt.toISOString(),
    how: association.linkId
      ? { method: 'association_link', link_id: association.linkId, reference: association.reference }
      : { method: 'directory_load' },
  };
}

/**
 * Unlinks the profile from its account: the association goes, everyone signed in as the profile is signed out
 * (sessions, grants and their tokens), and its outstanding links stop working. The person associates again through
 * a new link.
 */
export async function unlinkProfile(deps: SupportDeskDeps, who: AdminActor, profileId: string, reason: string) {
  const { organisation } = await profileAndOrganisation(deps, profileId);
  const current = await deps.associations.findByProfile(profileId);
  // Recorded first, under a reference derived from the association: a retry after a failure below records it once.
  const reference = current && referenceFor(`unlink:${profileId}:${current.upstreamId}:${current.subject}:${current.associatedAt.toISOString()}`);
  if (current && reference) {
    await deps.audit.record({
      id: reference, at: deps.clock.now(), action: 'association.removed', outcome: 'success', actor: who.actor, ip: who.ip,
      organisationId: organisation.id, profileId,
      details: { reason, upstream: current.upstreamId, account: current.account ?? maskAccount({ subject: current.subject }) },
    });
  }
  await deps.associations.dissociate(profileId);
  // Also without an association: a retry after a failure part-way finishes the revocations.
  await deps.links.revokeForProfile(profileId);
  await deps.revokeSignIns(profileId);
  if (!reference) throw notFound('not_associated', `profile ${profileId} has no association`);
  return { reference };
}

/** The profile's links, newest first, with the status support reads out ("it says delivery failed: check the address"). */
export async function listProfileLinks(deps: SupportDeskDeps, profileId: string) {
  await profileAndOrganisation(deps, profileId);
  const now = deps.clock.now();
  const links = await deps.links.listForProfile(profileId);
  return links.map((link) => {
    const state = linkState(link, now);
    const status: LinkStatus = state !== 'active' ? state : link.delivery === 'failed' ? 'delivery_failed' : link.delivery;
    return {
      id: link.id,
      status,
      delivery: link.delivery,
      kind: link.requester ? 'requested' : 'invitation',
      client_id: link.clientId ?? null,
      ...(link.requester ? { requested_with: link.requester.upstreamId } : {}),
      created_at: link.createdAt.toISOString(),
      expires_at: link.expiresAt.toISOString(),
      reference: referenceFor(`link:${link.id}`),
    };
  });
}

/**
 * "Send Invite E-mail": a new association link to the profile's registered address, superseding its older links.
 * Nobody asked for it from an account, so whoever opens it and signs in takes the profile: the registered address
 * is the proof, as with every link.
 */
export async function sendInvitation(deps: SupportDeskDeps, who: AdminActor, profileId: string, options: { clientId?: string } = {}) {
  const { profile, organisation } = await profileAndOrganisation(deps, profileId);
  if (profile.status !== 'active' || organisation.status !== 'active') {
    throw new AppError(409, 'profile_disabled', `profile ${profileId} or its organisation is disabled`);
  }
  const portalName = options.clientId ? await deps.portalName(options.clientId) : undefined;
  if (options.clientId && !portalName) throw notFound('client_not_found', `no enabled client ${options.clientId}`);
  const now = deps.clock.now();
  const { token, tokenHash } = newLinkToken();
  const expiresAt = new Date(now.getTime() + deps.linkTtlSeconds * 1000);
  const linkId = randomToken(9);
  const reference = referenceFor(`link:${linkId}`);
  await deps.links.issue({ id: linkId, tokenHash, profileId, ...(options.clientId ? { clientId: options.clientId } : {}), createdAt: now, expiresAt, status: 'active' });
  await deps.audit.record({
    id: reference, at: now, action: 'association.invited', outcome: 'success', actor: who.actor, ip: who.ip,
    organisationId: organisation.id, profileId, ...(options.clientId ? { clientId: options.clientId } : {}),
    details: { link: linkId, expiresAt: expiresAt.toISOString() },
  });
  await deps.mail.sendInvitation({ profile, organisation, url: deps.linkUrl(token), expiresAt, portalName, reference, linkId });
  return { link_id: linkId, reference, expires_at: expiresAt.toISOString() };
}
