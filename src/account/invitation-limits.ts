import type { RateLimiter } from '../association/rate-limiter.ts';
import { AppError } from '../shared/errors.ts';

/**
 * Budgets for invitations sent through self-service: each is an email to an address, from the broker. Per person, so
 * that nobody's mailbox can be flooded by pressing "resend"; per organisation, so that an administrator cannot use
 * the broker to mail a list of strangers.
 */
export interface InvitationLimits {
  perPerson: RateLimiter;
  perOrganisation: RateLimiter;
}

/** Spends one invitation of the organisation's and the person's budgets, or refuses (429) saying when to try again. */
export async function spendInvitation(limits: InvitationLimits, organisationId: string, profileId: string) {
  const budgets: [RateLimiter, string][] = [
    [limits.perOrganisation, organisationId],
    [limits.perPerson, profileId],
  ];
  for (const [limiter, key] of budgets) {
    const { allowed, retryAfterSeconds } = await limiter.consume(key);
    if (!allowed) {
      throw new AppError(429, 'too_many_invitations', `invitation budget spent for ${key}`, {
        details: { retryAfterSeconds, minutes: Math.ceil(retryAfterSeconds / 60) },
      });
    }
  }
}
