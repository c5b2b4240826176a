import type { SessionEndReason } from '../sessions/broker-sessions.ts';
import type { AssociationStore } from '../directory/association-store.ts';
import type { DirectoryStore } from '../directory/directory-store.ts';
import { mayUseProfile } from '../directory/eligibility.ts';
import { sameIdentity, type Organisation, type Profile, type UpstreamIdentity } from '../directory/model.ts';
import type { Clock } from '../shared/clock.ts';
import { referenceCode, referenceFor } from '../shared/ids.ts';
import { personActor, type AuditLog } from '../audit/audit-log.ts';
import type { Logger } from '../shared/logger.ts';
import type { AssociationMail } from './association-mail.ts';
import { linkState, type AssociationLink, type LinkState } from './link.ts';
import type { LinkStore } from './link-store.ts';
import { maskAccount } from './mask.ts';
import { deliverNotice } from './association-notice.ts';

export interface RedeemDeps {
  directory: DirectoryStore;
  associations: AssociationStore;
  links: LinkStore;
  mail: AssociationMail;
  audit: AuditLog;
  clock: Clock;
  logger: Logger;
  upstreamName(upstreamId: string): string;
  /**
   * Ends the broker sessions and revokes the grants (and their tokens) of everyone signed in as the profile; the
   * portals of those sessions hear of it by back-channel logout.
   */
  revokeSignIns(profileId: string, reason: SessionEndReason, actor: string): Promise<void>;
}

/**
 * Why a link cannot be used, as one outcome whoever decides it (the landing page, its button, the redemption): the
 * person reads the same page for the same reason.
 */
export type UnusableLinkState = Exclude<LinkState, 'active' | 'redeeming'> | 'unknown' | 'profile_gone';
export interface LinkUnusable {
  outcome: 'unusable';
  state: UnusableLinkState;
}

export type InspectedLink =
  | {
      outcome: 'usable';
      /** `redeeming`: a redemption by the asker stopped part-way; the same person may finish it. */
      state: 'active' | 'redeeming';
      link: AssociationLink;
      profile: Profile;
      organisation: Organisation;
    }
  | (LinkUnusable & { link?: AssociationLink });

export type RedeemOutcome =
  | { outcome: 'associated'; link: AssociationLink; profile: Profile; organisation: Organisation; reference: string }
  | { outcome: 'wrong_identity'; link: AssociationLink }
  | LinkUnusable;

const unusable = (state: UnusableLinkState): LinkUnusable => ({ outcome: 'unusable', state });

/**
 * A link this browser finished: used, and the profile's association still the one it made. The success page reads
 * it again on every reload (the link's token stays in the browser's cookie); a link whose association was since
 * replaced or removed is just used.
 */
export async function finishedLink(
  deps: Pick<RedeemDeps, 'directory' | 'associations' | 'links'>,
  tokenHash: string,
): Promise<FinishedLink | undefined> {
  const link = await deps.links.findByTokenHash(tokenHash);
  if (link?.status !== 'used') return undefined;
  const current = await deps.associations.findByProfile(link.profileId);
  if (current?.linkId !== link.id) return undefined;
  const profile = await deps.directory.getProfile(link.profileId);
  const organisation = profile && (await deps.directory.getOrganisation(profile.organisationId));
  if (!profile || !organisation) return undefined;
  const reference = referenceFor(`association:${link.id}`);
  return { outcome: 'associated', link, profile, organisation, reference, upstreamId: current.upstreamId };
}

export type FinishedLink = Extract<RedeemOutcome, { outcome: 'associated' }> & { upstreamId: string };

/** What the landing page may show about a link, without changing anything (mail scanners open links). */
export async function inspectLink(
  deps: Pick<RedeemDeps, 'directory' | 'links' | 'clock'>,
  tokenHash: string,
): Promise<InspectedLink> {
  const link = await deps.links.findByTokenHash(tokenHash);
  if (!link) return unusable('unknown');
  const state = linkState(link, deps.clock.now());
  if (state !== 'active' && state !== 'redeeming') return { ...unusable(state), link };
  const profile = await deps.directory.getProfile(link.profileId);
  const organisation = profile && (await deps.directory.getOrganisation(profile.organisationId));
  // Whatever portal asked for the link: its policy chose the profile when the link was issued, and applies again
  // when the person signs in there.
  if (!profile || !organisation || !mayUseProfile(profile, organisation, undefined, deps.clock.now()))
    return { ...unusable('profile_gone'), link };
  return { outcome: 'usable', state, link, profile, organisation };
}

/**
 * Seed steps 8–9: after the upstream re-authentication, the link is redeemed only by the identity that asked for
 * it (an invitation, which nobody asked for, by whoever signs in with it). The link is claimed first (atomically: a superseded, expired or revoked link cannot start a redemption),
 * then the association is written (idempotent, one per profile), then the link is completed. A retry after a
 * failure part-way finds the link still claimed and converges; of two browsers finishing the same link, only the
 * one that completes it sends the notice.
 */
export async function redeemAssociationLink(
  deps: RedeemDeps,
  tokenHash: string,
  identity: UpstreamIdentity,
  context: { ip?: string; language?: string } = {},
): Promise<RedeemOutcome> {
  const inspected = await inspectLink(deps, tokenHash);
  if (inspected.state === 'used' && inspected.link) {
    // The same person finishing twice (a second tab, a retry): converge on the association already made.
    const done = await alreadyAssociated(deps, inspected.link, identity, context.language);
    if (done) return done;
  }
  if (inspected.outcome === 'unusable') return unusable(inspected.state);
  const { link, profile, organisation } = inspected;
  if (link.requester && !sameIdentity(link.requester, identity)) {
    deps.logger.warn('association.wrong_identity', {
      link: link.id,
      profile: profile.id,
      upstream: identity.upstreamId,
    });
    await deps.audit.record({
      id: referenceCode(),
      at: deps.clock.now(),
      action: 'association.refused',
      outcome: 'failure',
      actor: personActor(identity),
      ip: context.ip,
      organisationId: organisation.id,
      profileId: profile.id,
      clientId: link.clientId,
      details: { reason: 'different_account', link: link.id, account: maskAccount(identity) },
    });
    return { outcome: 'wrong_identity', link };
  }

  const now = deps.clock.now();
  // Held by this identity from here on: a second account finishing the same invitation at once gets nothing.
  const claimed = await deps.links.claim(tokenHash, now, `${identity.upstreamId}|${identity.subject}`);
  if (!claimed) return (await alreadyAssociated(deps, link, identity, context.language)) ?? unusable('used');
  // Recorded before the link is completed, under a reference derived from the link: a retry after a failure
  // here or below records the same event once (docs/architecture.md §5: association + link + audit converge).
  const reference = referenceFor(`association:${link.id}`);
  const account = maskAccount(identity);
  // The notice is owed from this write on: it is recorded with the association (an outbox), handed to the queue
  // below, and by the relay if this process dies first (association-notice.ts).
  const association = {
    profileId: profile.id,
    upstreamId: identity.upstreamId,
    subject: identity.subject,
    associatedAt: now,
    linkId: link.id,
    reference,
    account,
    noticePending: true,
  };
  const { replaced } = await deps.associations.associate(association);
  await deps.audit.record({
    id: reference,
    at: now,
    action: 'association.created',
    outcome: 'success',
    actor: personActor(identity),
    ip: context.ip,
    organisationId: organisation.id,
    profileId: profile.id,
    clientId: link.clientId,
    details: {
      link: link.id,
      upstream: identity.upstreamId,
      account,
      ...(replaced ? { replacedUpstream: replaced.upstreamId, replacedAccount: maskAccount(replaced) } : {}),
    },
  });
  if (!(await deps.links.complete(tokenHash, now))) {
    // Another browser completed it a moment ago; the association it wrote is this same one.
    return { outcome: 'associated', link, profile, organisation, reference };
  }
  await deps.links.revokeForProfile(profile.id, tokenHash);
  // The profile belongs to this identity now, which was not signed in as it before (a link is never issued to the
  // identity already holding the profile): whoever is signed in as the profile is signed out.
  await deps.revokeSignIns(profile.id, 'reassociated', personActor(identity));

  deps.logger.info('audit.association_created', {
    reference,
    link: link.id,
    profile: profile.id,
    organisation: organisation.id,
    upstream: identity.upstreamId,
    account,
    ...(replaced ? { replacedUpstream: replaced.upstreamId } : {}),
  });
  await deliverNotice(deps, association, { profile, organisation }, context.language);
  return { outcome: 'associated', link, profile, organisation, reference };
}

async function alreadyAssociated(
  deps: RedeemDeps,
  link: AssociationLink,
  identity: UpstreamIdentity,
  language: string | undefined,
): Promise<RedeemOutcome | undefined> {
  if (link.requester && !sameIdentity(link.requester, identity)) return undefined;
  const current = await deps.associations.findByProfile(link.profileId);
  if (!current || !sameIdentity(current, identity)) return undefined;
  const profile = await deps.directory.getProfile(link.profileId);
  const organisation = profile && (await deps.directory.getOrganisation(profile.organisationId));
  if (!profile || !organisation) return undefined;
  // The first attempt died after completing the link but before handing the notice over: hand it over now.
  if (current.noticePending && current.reference)
    await deliverNotice(deps, { ...current, reference: current.reference }, { profile, organisation }, language);
  return { outcome: 'associated', link, profile, organisation, reference: referenceFor(`association:${link.id}`) };
}
