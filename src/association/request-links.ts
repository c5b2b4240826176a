import type { AssociationStore } from '../directory/association-store.ts';
import type { DirectoryStore } from '../directory/directory-store.ts';
import { assessProfile, type AdmissionPolicy } from '../directory/eligibility.ts';
import { normaliseEmail, sameIdentity, type UpstreamIdentity } from '../directory/model.ts';
import type { Clock } from '../shared/clock.ts';
import { referenceCode } from '../shared/ids.ts';
import { personActor, type AuditLog } from '../audit/audit-log.ts';
import type { Logger } from '../shared/logger.ts';
import type { AssociationMail } from './association-mail.ts';
import { newLink } from './link.ts';
import type { LinkStore } from './link-store.ts';
import { maskAccount } from './mask.ts';
import type { RateLimiter } from './rate-limiter.ts';

export interface RequestLinksDeps {
  directory: DirectoryStore;
  associations: AssociationStore;
  links: LinkStore;
  perRecipient: RateLimiter;
  perRecipientTotal: RateLimiter;
  mail: AssociationMail;
  audit: AuditLog;
  clock: Clock;
  logger: Logger;
  linkTtlSeconds: number;
  /** Absolute URL of the link for a token. */
  linkUrl(token: string): string;
  upstreamName(upstreamId: string): string;
}

export interface LinkRequest {
  email: string;
  identity: UpstreamIdentity;
  client: { id: string; name: string; policy: AdmissionPolicy };
  /** The asking browser's address, for the audit log. */
  ip?: string;
}

/**
 * Seed steps 5–6: one link per profile registered with the address that this portal admits, each emailed on its
 * own. Runs off the request path, and the person sees the same page whatever happens here: nothing in this function
 * may change the response. Over the recipient's rate limit nothing is sent, silently.
 */
export async function requestAssociationLinks(deps: RequestLinksDeps, request: LinkRequest): Promise<{ sent: number }> {
  const email = normaliseEmail(request.email);
  const requester = `${request.identity.upstreamId}|${request.identity.subject}`;
  const limit = await deps.perRecipient.consume(`${email}|${requester}`);
  const total = limit.allowed ? await deps.perRecipientTotal.consume(email) : limit;
  if (!limit.allowed || !total.allowed) {
    deps.logger.warn('association.recipient_limited', { upstream: request.identity.upstreamId });
    // No address in the event: it may belong to nobody in the directory, and the log is not a list of guesses.
    await deps.audit.record({
      id: referenceCode(), at: deps.clock.now(), action: 'association.links_limited', outcome: 'failure',
      actor: personActor(request.identity), ip: request.ip, clientId: request.client.id,
      details: { limit: !limit.allowed ? 'per_address_and_account' : 'per_address' },
    });
    return { sent: 0 };
  }
  const now = deps.clock.now();
  const profiles = await deps.directory.findProfilesByEmail(email);
  // Each profile on its own: a store failing for one (its link, its audit event, its mail) is logged and the
  // others still get theirs.
  const sendOne = async (profile: (typeof profiles)[number]): Promise<boolean> => {
    const organisation = await deps.directory.getOrganisation(profile.organisationId);
    if (!organisation || !assessProfile(profile, organisation, request.client.policy, now).eligible) return false;
    const current = await deps.associations.findByProfile(profile.id);
    if (current && sameIdentity(current, request.identity)) return false;

    const { token, link, reference } = newLink({ profileId: profile.id, requester: request.identity, clientId: request.client.id, now, ttlSeconds: deps.linkTtlSeconds });
    const { id: linkId, expiresAt } = link;
    await deps.links.issue(link);
    // Recorded before the mail is queued: a failure of the audit write sends nothing unrecorded.
    await deps.audit.record({
      id: reference, at: now, action: 'association.link_issued', outcome: 'success',
      actor: personActor(request.identity), ip: request.ip, organisationId: organisation.id, profileId: profile.id, clientId: request.client.id,
      details: { link: linkId, expiresAt: expiresAt.toISOString(), ...(current ? { moves: true } : {}) },
    });
    await deps.mail.sendLink({
      profile,
      organisation,
      url: deps.linkUrl(token),
      expiresAt,
      upstreamName: deps.upstreamName(request.identity.upstreamId),
      portalName: request.client.name,
      currentAccount: current ? maskAccount({ subject: current.subject }) : undefined,
      reference,
      linkId,
    });
    return true;
  };
  let sent = 0;
  for (const profile of profiles) {
    try {
      if (await sendOne(profile)) sent += 1;
    } catch (err) {
      deps.logger.warn('association.link_failed', { profile: profile.id, client: request.client.id, message: (err as Error).message });
    }
  }
  deps.logger.info('association.links_requested', { upstream: request.identity.upstreamId, client: request.client.id, sent });
  return { sent };
}
