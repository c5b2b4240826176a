import type { AssociationStore } from '../directory/association-store.ts';
import type { DirectoryStore } from '../directory/directory-store.ts';
import { assessProfile, type AdmissionPolicy } from '../directory/eligibility.ts';
import {
  normaliseEmail,
  sameIdentity,
  type Organisation,
  type Profile,
  type UpstreamIdentity,
} from '../directory/model.ts';
import type { Clock } from '../shared/clock.ts';
import { referenceCode } from '../shared/ids.ts';
import { personActor, type AuditLog } from '../audit/audit-log.ts';
import type { Logger } from '../shared/logger.ts';
import type { AssociationMail } from './association-mail.ts';
import type { Mismatch } from './explain-ineligible.ts';
import { askingAccount } from './asking-account.ts';
import { newLink, requesterKey } from './link.ts';
import type { LinkStore } from './link-store.ts';
import { maskAccount } from './mask.ts';
import type { RateLimiter } from './rate-limiter.ts';

export interface RequestLinksDeps {
  directory: DirectoryStore;
  associations: AssociationStore;
  links: LinkStore;
  /** Per (address, asking account): one account's retries. */
  perRecipient: RateLimiter;
  /** Per address, whoever asks: the bound on link emails one mailbox receives. */
  perRecipientTotal: RateLimiter;
  /** Per address, one point per window of `perRecipientTotal`: the one "requests held back" email. */
  heldBackNotice: RateLimiter;
  mail: AssociationMail;
  audit: AuditLog;
  clock: Clock;
  logger: Logger;
  linkTtlSeconds: number;
  /** Absolute URL of the link for a token. */
  linkUrl(token: string): string;
  upstreamName(upstreamId: string): string;
  /** When no link is sent because the address has no profile this portal admits: what the mailbox is told instead. */
  noLink: {
    /** Profiles are registered with the address, and the portal admits none (explain-ineligible.ts). */
    ineligible(request: LinkRequest, email: string, found: Mismatch[]): Promise<unknown>;
    /** No profile is registered with the address (tell-unknown-address.ts; does nothing unless configured). */
    unknownAddress(request: LinkRequest, email: string): Promise<unknown>;
  };
}

export interface LinkRequest {
  email: string;
  identity: UpstreamIdentity;
  client: { id: string; name: string; policy: AdmissionPolicy };
  /** The asking browser's address, for the audit log. */
  ip?: string;
  /** The language of the asking page: the emails' language unless a profile has its own `locale`. */
  language?: string;
}

type Candidate = { profile: Profile; organisation: Organisation; current?: { upstreamId: string; subject: string } };

/**
 * Seed steps 5–6: one link per profile registered with the address that this portal admits, each emailed on its
 * own. Runs off the request path, and the person sees the same page whatever happens here: nothing in this function
 * may change the response.
 *
 * Limits on the address are silent. A request over the address's budget sends no link; the first such request of a
 * window sends the mailbox instead one "requests held back" email per profile (how many requests came, how many
 * were held back), with a link that whoever reads that
 * mailbox may use with the account of their choice. So strangers asking for someone's address can neither lock its
 * owner out of association nor flood the mailbox (docs/decisions/0012-association-lock-out.md).
 *
 * No request ends in silence (docs/decisions/0021-no-dead-ends.md): when the address's profiles exist but this portal
 * admits none, the mailbox gets one email saying why for each; when no profile is registered with it, a short email
 * saying so, if the operator turned that on.
 */
export async function requestAssociationLinks(deps: RequestLinksDeps, request: LinkRequest): Promise<{ sent: number }> {
  const email = normaliseEmail(request.email);
  const { candidates, ineligible, registered } = await candidatesFor(deps, email, request);
  // No link to send spends no link budget: a request through a portal that admits none of the address's profiles
  // cannot use up the budget of a portal that does. The mailbox is told why instead, under limits of its own, when
  // the portal admits none of its profiles (rather than this identity holding those it admits already).
  if (!candidates.length) {
    try {
      if (!registered) await deps.noLink.unknownAddress(request, email);
      else if (ineligible.length === registered) await deps.noLink.ineligible(request, email, ineligible);
    } catch (err) {
      deps.logger.warn('association.no_link_mail_failed', {
        client: request.client.id,
        message: (err as Error).message,
      });
    }
    deps.logger.info('association.links_requested', {
      upstream: request.identity.upstreamId,
      client: request.client.id,
      sent: 0,
    });
    return { sent: 0 };
  }
  const limit = await deps.perRecipient.consume(`${email}|${requesterKey({ requester: request.identity })}`);
  if (!limit.allowed) {
    await recordLimited(deps, request, 'per_address_and_account');
    return { sent: 0 };
  }
  const total = await deps.perRecipientTotal.consume(email);
  if (!total.allowed) {
    await recordLimited(deps, request, 'per_address');
    // The first request held back in this window tells the mailbox; later ones add nothing to it.
    const notice = await deps.heldBackNotice.consume(email);
    if (notice.allowed) {
      const counts = { requests: total.used, heldBack: notice.used };
      return { sent: await eachCandidate(deps, request, candidates, (c) => sendHeldBack(deps, request, c, counts)) };
    }
    return { sent: 0 };
  }
  return { sent: await eachCandidate(deps, request, candidates, (c) => sendLink(deps, request, c)) };
}

/**
 * The address's profiles this portal admits, but those this identity holds already (`candidates`); those it does not
 * admit, with the reason (`ineligible`); and how many profiles are registered with the address at all.
 */
async function candidatesFor(deps: RequestLinksDeps, email: string, request: LinkRequest) {
  const now = deps.clock.now();
  const candidates: Candidate[] = [];
  const ineligible: Mismatch[] = [];
  let registered = 0;
  for (const profile of await deps.directory.findProfilesByEmail(email)) {
    const organisation = await deps.directory.getOrganisation(profile.organisationId);
    if (!organisation) continue;
    registered += 1;
    const assessment = assessProfile(profile, organisation, request.client.policy, now);
    if (!assessment.eligible) {
      ineligible.push({ profile, organisation, reason: assessment.reason });
      continue;
    }
    const current = await deps.associations.findByProfile(profile.id);
    if (current && sameIdentity(current, request.identity)) continue;
    candidates.push({ profile, organisation, ...(current ? { current } : {}) });
  }
  return { candidates, ineligible, registered };
}

/**
 * Each profile on its own: a store failing for one (its link, its audit event, its mail) is logged and the others
 * still get theirs.
 */
async function eachCandidate(
  deps: RequestLinksDeps,
  request: LinkRequest,
  candidates: Candidate[],
  send: (c: Candidate) => Promise<void>,
): Promise<number> {
  let sent = 0;
  for (const candidate of candidates) {
    try {
      await send(candidate);
      sent += 1;
    } catch (err) {
      deps.logger.warn('association.link_failed', {
        profile: candidate.profile.id,
        client: request.client.id,
        message: (err as Error).message,
      });
    }
  }
  deps.logger.info('association.links_requested', {
    upstream: request.identity.upstreamId,
    client: request.client.id,
    sent,
  });
  return sent;
}

/** A request over a recipient limit, logged and audited; `mail` names what was held back when it was not a link. */
export async function recordLimited(
  deps: Pick<RequestLinksDeps, 'logger' | 'audit' | 'clock'>,
  request: LinkRequest,
  limit: 'per_address_and_account' | 'per_address',
  held: { mail?: 'no_link' } = {},
) {
  deps.logger.warn('association.recipient_limited', { upstream: request.identity.upstreamId, limit, ...held });
  // No address in the event: it may belong to nobody in the directory, and the log is not a list of guesses.
  await deps.audit.record({
    id: referenceCode(),
    at: deps.clock.now(),
    action: 'association.links_limited',
    outcome: 'failure',
    actor: personActor(request.identity),
    ip: request.ip,
    clientId: request.client.id,
    details: { limit, ...held },
  });
}

/**
 * Issues a link for one profile (superseding earlier links of its requester or kind) and records it, before any
 * mail is queued: a failure of the audit write sends nothing unrecorded.
 */
async function issueRecorded(
  deps: RequestLinksDeps,
  request: LinkRequest,
  { profile, organisation, current }: Candidate,
  bound: { requester?: LinkRequest['identity']; kind?: 'held_back' },
  details: Record<string, string | number | boolean> = {},
) {
  const now = deps.clock.now();
  const issued = newLink({
    profileId: profile.id,
    ...bound,
    clientId: request.client.id,
    now,
    ttlSeconds: deps.linkTtlSeconds,
  });
  await deps.links.issue(issued.link);
  await deps.audit.record({
    id: issued.reference,
    at: now,
    action: 'association.link_issued',
    outcome: 'success',
    actor: personActor(request.identity),
    ip: request.ip,
    organisationId: organisation.id,
    profileId: profile.id,
    clientId: request.client.id,
    details: {
      link: issued.link.id,
      expiresAt: issued.link.expiresAt.toISOString(),
      ...details,
      ...(current ? { moves: true } : {}),
    },
  });
  return issued;
}

/** The link for the identity that asked: only it can complete the association. */
async function sendLink(deps: RequestLinksDeps, request: LinkRequest, candidate: Candidate) {
  const { profile, organisation, current } = candidate;
  const { token, link, reference } = await issueRecorded(deps, request, candidate, { requester: request.identity });
  await deps.mail.sendLink({
    profile,
    organisation,
    url: deps.linkUrl(token),
    expiresAt: link.expiresAt,
    upstreamName: deps.upstreamName(request.identity.upstreamId),
    askingAccount: askingAccount(request.identity),
    portalName: request.client.name,
    currentAccount: current ? maskAccount({ subject: current.subject }) : undefined,
    reference,
    linkId: link.id,
    language: request.language,
  });
}

/**
 * The owner's way through when the address's budget is spent: a link bound to no account (like an invitation), so
 * the mailbox's owner signs in with whichever account they choose. It supersedes only an earlier held-back link.
 */
async function sendHeldBack(
  deps: RequestLinksDeps,
  request: LinkRequest,
  candidate: Candidate,
  { requests, heldBack }: { requests: number; heldBack: number },
) {
  const { profile, organisation, current } = candidate;
  const { token, link, reference } = await issueRecorded(
    deps,
    request,
    candidate,
    { kind: 'held_back' },
    { kind: 'held_back', requests, heldBack },
  );
  await deps.mail.sendHeldBack({
    profile,
    organisation,
    url: deps.linkUrl(token),
    expiresAt: link.expiresAt,
    portalName: request.client.name,
    requests,
    heldBack,
    currentAccount: current ? maskAccount({ subject: current.subject }) : undefined,
    reference,
    linkId: link.id,
    language: request.language,
  });
}
