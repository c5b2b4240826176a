import { personActor, type AuditLog } from '../audit/audit-log.ts';
import type { Clock } from '../shared/clock.ts';
import { referenceCode } from '../shared/ids.ts';
import type { Logger } from '../shared/logger.ts';
import type { RefusedProfile } from './admitted-profiles.ts';
import type { UpstreamIdentity } from './model.ts';

export interface RefusedSignIn {
  identity: Pick<UpstreamIdentity, 'upstreamId' | 'subject'>;
  clientId: string;
  ip?: string;
  /** The person's profiles, none of which the portal admits, each with its reason. */
  refused: RefusedProfile[];
}

/**
 * A person known upstream holds no profile this portal admits. Support will be asked "why can I not sign in": the
 * page shows the returned reference, the audit log says why under it. The audit write failing does not stop the
 * page (the person learns the same either way); it is logged with the reference instead.
 */
export async function refuseSignIn(
  deps: { audit: AuditLog; clock: Clock; logger: Logger },
  { identity, clientId, ip, refused }: RefusedSignIn,
): Promise<string> {
  const reference = referenceCode();
  await deps.audit
    .record({
      id: reference,
      at: deps.clock.now(),
      action: 'sign_in.refused',
      outcome: 'failure',
      actor: personActor(identity),
      ip,
      clientId,
      ...(refused.length === 1
        ? { profileId: refused[0]!.profile.id, organisationId: refused[0]!.profile.organisationId }
        : {}),
      details: { reasons: refused.map((c) => `${c.profile.id}:${c.reason}`).join(' ') },
    })
    .catch((err: Error) =>
      deps.logger.warn('audit.not_recorded', { action: 'sign_in.refused', reference, message: err.message }),
    );
  return reference;
}
