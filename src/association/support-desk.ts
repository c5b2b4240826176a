import type { AdminActor } from '../clients/admin-scopes.ts';
import { mayUseProfile } from '../directory/eligibility.ts';
import { organisationOf, profileOf } from '../directory/manage-directory.ts';
import type { ErrorCode } from '../shared/error-codes.ts';
import { AppError } from '../shared/errors.ts';
import { referenceCode, referenceFor } from '../shared/ids.ts';
import { linkReference, linkState, newLink } from './link.ts';
import { maskAccount } from './mask.ts';
import type { RedeemDeps } from './redeem-link.ts';
import type { RequestLinksDeps } from './request-links.ts';

/** What issuing links needs (as for a person's request), and what an unlink revokes (as after a redemption). */
export interface SupportDeskDeps
  extends
    Pick<
      RequestLinksDeps,
      | 'directory'
      | 'associations'
      | 'links'
      | 'mail'
      | 'audit'
      | 'clock'
      | 'linkTtlSeconds'
      | 'linkUrl'
      | 'upstreamName'
    >,
    Pick<RedeemDeps, 'revokeSignIns'> {
  /**
   * The client an invitation names, by id (undefined when it is not registered or disabled), and whether people
   * sign in to it (an admin client, by client credentials only, is no portal to lead back to).
   */
  portal(clientId: string): Promise<{ name: string; signsPeopleIn: boolean } | undefined>;
}

/** A link's status as support reads it: where the link is, and before it is used, where its email is. */
export type LinkStatus =
  'queued' | 'sent' | 'delivery_failed' | 'redeeming' | 'used' | 'expired' | 'superseded' | 'revoked';

// Messages for people live in the catalogue (errors.message.<code>); these messages are for the log.
const notFound = (code: ErrorCode, message: string) => new AppError(404, code, message);

async function profileAndOrganisation(deps: Pick<SupportDeskDeps, 'directory'>, profileId: string) {
  const profile = await profileOf(deps, profileId);
  return { profile, organisation: await organisationOf(deps, profile.organisationId) };
}

/** Which account signs in as the profile (masked), since when, and how it was associated. */
export async function showAssociation(deps: SupportDeskDeps, profileId: string) {
  await profileOf(deps, profileId);
  const association = await deps.associations.findByProfile(profileId);
  if (!association) throw notFound('not_associated', `profile ${profileId} has no association`);
  return {
    profile_id: profileId,
    upstream: association.upstreamId,
    upstream_name: deps.upstreamName(association.upstreamId),
    account: association.account ?? maskAccount({ subject: association.subject }),
    associated_at: association.associatedAt.toISOString(),
    how: association.linkId
      ? { method: 'association_link' as const, link_id: association.linkId, reference: association.reference }
      : { method: 'directory_load' as const },
  };
}

/**
 * Unlinks the profile from its account: the association goes, everyone signed in as the profile is signed out
 * (sessions, grants and their tokens), and its outstanding links stop working. The person associates again through
 * a new link. A profile without an association is refused and nothing changes (its invitations stay usable).
 */
export async function unlinkProfile(deps: SupportDeskDeps, who: AdminActor, profileId: string, reason: string) {
  const { organisation } = await profileAndOrganisation(deps, profileId);
  const current = await deps.associations.findByProfile(profileId);
  if (!current) throw notFound('not_associated', `profile ${profileId} has no association`);
  // Recorded first, under a reference derived from the association, and the association removed last: a retry after
  // a failure part-way still finds it, finishes the revocations and records the event once.
  const reference = referenceFor(
    `unlink:${profileId}:${current.upstreamId}:${current.subject}:${current.associatedAt.toISOString()}`,
  );
  await deps.audit.record({
    id: reference,
    at: deps.clock.now(),
    action: 'association.removed',
    outcome: 'success',
    actor: who.actor,
    ip: who.ip,
    organisationId: organisation.id,
    profileId,
    details: {
      reason,
      upstream: current.upstreamId,
      account: current.account ?? maskAccount({ subject: current.subject }),
    },
  });
  await deps.links.revokeForProfile(profileId);
  await deps.revokeSignIns(profileId, 'association_removed', who.actor);
  // A sign-in made in the moment before this line loses its account here: tokens of an unassociated profile stop working.
  await deps.associations.dissociate(profileId);
  return { reference };
}

/** The profile's links, newest first, with the status support reads out ("it says delivery failed: check the address"). */
export async function listProfileLinks(deps: SupportDeskDeps, profileId: string) {
  await profileOf(deps, profileId);
  const now = deps.clock.now();
  const links = await deps.links.listForProfile(profileId);
  return links.map((link) => {
    const state = linkState(link, now);
    const status: LinkStatus =
      state !== 'active' ? state : link.delivery === 'failed' ? 'delivery_failed' : link.delivery;
    return {
      id: link.id,
      status,
      delivery: link.delivery,
      kind: link.requester ? ('requested' as const) : ('invitation' as const),
      client_id: link.clientId ?? null,
      ...(link.requester ? { requested_with: link.requester.upstreamId } : {}),
      created_at: link.createdAt.toISOString(),
      expires_at: link.expiresAt.toISOString(),
      reference: linkReference(link.id),
    };
  });
}

/**
 * "Send Invite E-mail": a new association link to the profile's registered address, superseding its older links.
 * Nobody asked for it from an account, so whoever opens it and signs in takes the profile: the registered address
 * is the proof, as with every link. `invitedBy` names the person who sent it (an organisation's administrator), so
 * that the email says who the recipient may ask about it.
 */
export async function sendInvitation(
  deps: SupportDeskDeps,
  who: AdminActor,
  profileId: string,
  /** `language`: the asking page's, for the email unless the profile has its own `locale`. */
  options: { clientId?: string; invitedBy?: string; language?: string } = {},
) {
  const { profile, organisation } = await profileAndOrganisation(deps, profileId);
  if (!mayUseProfile(profile, organisation, undefined, deps.clock.now())) {
    throw new AppError(409, 'profile_disabled', `profile ${profileId} or its organisation is disabled`);
  }
  const portal = options.clientId ? await deps.portal(options.clientId) : undefined;
  if (options.clientId && !portal) {
    throw new AppError(404, 'client_not_found', `no enabled client ${options.clientId}`, {
      details: { clientId: options.clientId },
    });
  }
  if (options.clientId && !portal?.signsPeopleIn) {
    throw new AppError(400, 'client_not_a_portal', `client ${options.clientId} is an admin client`, {
      details: { clientId: options.clientId },
    });
  }
  const portalName = portal?.name;
  const now = deps.clock.now();
  const { token, link, reference } = newLink({
    profileId,
    clientId: options.clientId,
    now,
    ttlSeconds: deps.linkTtlSeconds,
  });
  const { id: linkId, expiresAt } = link;
  await deps.links.issue(link);
  await deps.audit.record({
    id: reference,
    at: now,
    action: 'association.invited',
    outcome: 'success',
    actor: who.actor,
    ip: who.ip,
    organisationId: organisation.id,
    profileId,
    ...(options.clientId ? { clientId: options.clientId } : {}),
    details: { link: linkId, expiresAt: expiresAt.toISOString() },
  });
  await deps.mail.sendInvitation({
    profile,
    organisation,
    url: deps.linkUrl(token),
    expiresAt,
    portalName,
    ...(options.invitedBy ? { invitedBy: options.invitedBy } : {}),
    reference,
    linkId,
    language: options.language,
  });
  return { link_id: linkId, reference, expires_at: expiresAt.toISOString() };
}

/**
 * Withdraws the profile's outstanding links (an invitation sent to the wrong address, or no longer wanted), whoever
 * they were sent for: none of them can associate anyone any more. Used, expired and superseded links stay as they
 * are, for the record. Recorded only when there was something to withdraw; a new invitation works as before.
 */
export async function revokeProfileLinks(deps: SupportDeskDeps, who: AdminActor, profileId: string) {
  const { organisation } = await profileAndOrganisation(deps, profileId);
  const now = deps.clock.now();
  const outstanding = (await deps.links.listForProfile(profileId)).filter((link) =>
    ['active', 'redeeming'].includes(linkState(link, now)),
  );
  // Revoked whatever the list said: a link issued in the meantime goes too.
  await deps.links.revokeForProfile(profileId);
  if (!outstanding.length) return { revoked: 0 };
  const reference = referenceCode();
  await deps.audit.record({
    id: reference,
    at: now,
    action: 'association.links_revoked',
    outcome: 'success',
    actor: who.actor,
    ip: who.ip,
    organisationId: organisation.id,
    profileId,
    details: { links: outstanding.map((link) => link.id).join(' ') },
  });
  return { revoked: outstanding.length, reference };
}
