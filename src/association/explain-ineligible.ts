import { personActor, type AuditLog } from '../audit/audit-log.ts';
import type { Ineligibility } from '../directory/eligibility.ts';
import type { Organisation, Profile } from '../directory/model.ts';
import { portalsAdmitting, type PortalAdmission } from '../directory/portal-admission.ts';
import type { Clock } from '../shared/clock.ts';
import { referenceCode } from '../shared/ids.ts';
import type { Logger } from '../shared/logger.ts';
import type { AssociationMail, IneligibleAdvice, IneligibleProfile, IneligibleWhy } from './association-mail.ts';
import { requesterKey } from './link.ts';
import type { RateLimiter } from './rate-limiter.ts';
import { recordLimited, type LinkRequest } from './request-links.ts';

/** A profile registered with the address that the portal asked for does not admit, and why. */
export interface Mismatch {
  profile: Profile;
  organisation: Organisation;
  reason: Ineligibility;
}

export interface ExplainIneligibleDeps {
  /** The organisation's active administrators: who renews its contract or enables a profile again. */
  administrators(organisationId: string): Promise<Profile[]>;
  /** The enabled portals people sign in to (the account console and admin clients are none). */
  portals(): Promise<PortalAdmission[]>;
  /** The link limiters, under keys of their own (`no-link|…`): explanations never spend a link's budget. */
  perRecipient: RateLimiter;
  perRecipientTotal: RateLimiter;
  mail: AssociationMail;
  audit: AuditLog;
  clock: Clock;
  logger: Logger;
}

/**
 * The address has profiles, but the portal the person came from admits none of them: instead of leaving them
 * waiting for a link that never comes, one email to the address says, for each profile, why it cannot be used with
 * this portal and what to do. Runs where links are sent (off the request path, after the same delay), so the page
 * and its timing are those of every other address. Limited per (address, asking account) and per address like links,
 * under keys of its own, silently.
 */
export async function explainIneligible(
  deps: ExplainIneligibleDeps,
  request: LinkRequest,
  email: string,
  found: Mismatch[],
): Promise<{ sent: boolean }> {
  for (const [limiter, key, limit] of [
    [deps.perRecipient, `no-link|${email}|${requesterKey({ requester: request.identity })}`, 'per_address_and_account'],
    [deps.perRecipientTotal, `no-link|${email}`, 'per_address'],
  ] as const) {
    if ((await limiter.consume(key)).allowed) continue;
    await recordLimited(deps, request, limit, { mail: 'no_link' });
    return { sent: false };
  }

  const profiles = await explained(deps, found);
  // Recorded before the mail is queued, under the reference the mail quotes: support finds each profile's reason.
  const reference = referenceCode();
  const single = found.length === 1 ? found[0]! : undefined;
  await deps.audit.record({
    id: reference,
    at: deps.clock.now(),
    action: 'association.no_link_explained',
    outcome: 'failure',
    actor: personActor(request.identity),
    ip: request.ip,
    clientId: request.client.id,
    ...(single ? { organisationId: single.organisation.id, profileId: single.profile.id } : {}),
    details: {
      profiles: found.length,
      reasons: found.map((m) => `${m.profile.id}:${m.reason}`).join(','),
    },
  });
  await deps.mail.sendIneligible({
    to: email,
    portalName: request.client.name,
    profiles,
    reference,
    language: request.language,
  });
  deps.logger.info('association.no_link_explained', {
    reference,
    client: request.client.id,
    profiles: found.length,
  });
  return { sent: true };
}

/** Each profile's reason in the person's words, and what they can do: who to ask, or which portal to use. */
async function explained(deps: ExplainIneligibleDeps, found: Mismatch[]): Promise<IneligibleProfile[]> {
  const now = deps.clock.now();
  const administratorsOf = memoise((organisationId: string) => deps.administrators(organisationId));
  let portalList: Promise<PortalAdmission[]> | undefined;
  const portals = () => (portalList ??= deps.portals());
  const out: IneligibleProfile[] = [];
  for (const { profile, organisation, reason } of found) {
    const others = async () =>
      (await administratorsOf(organisation.id)).filter((a) => a.id !== profile.id).map((a) => a.displayName);
    let why: IneligibleWhy;
    let advice: IneligibleAdvice;
    let administrators: string[] = [];
    let admitting: IneligibleProfile['portals'] = [];
    switch (reason) {
      case 'contract_inactive':
        why = organisation.contractEndsOn ? 'contract_ended' : 'no_contract';
        // An administrator renews their organisation's contract with the provider; anyone else asks them.
        if (profile.role === 'administrator') advice = 'renew_yourself';
        else {
          administrators = await others();
          advice = administrators.length ? 'renew_by_administrators' : 'renew_by_support';
        }
        break;
      case 'kind_not_admitted':
        why = reason;
        admitting = portalsAdmitting(await portals(), profile, organisation, now).map(({ name, url }) => ({
          name,
          ...(url ? { url } : {}),
        }));
        advice = admitting.length ? 'use_portals' : 'no_portal';
        break;
      case 'profile_disabled':
        why = reason;
        administrators = await others();
        advice = administrators.length ? 'ask_administrators' : 'ask_support';
        break;
      case 'organisation_disabled':
        why = reason;
        advice = 'ask_support';
        break;
    }
    out.push({ profile, organisation, why, advice, administrators, portals: admitting });
  }
  return out;
}

function memoise<K, V>(load: (key: K) => Promise<V>): (key: K) => Promise<V> {
  const known = new Map<K, Promise<V>>();
  return (key) => {
    let value = known.get(key);
    if (!value) known.set(key, (value = load(key)));
    return value;
  };
}
