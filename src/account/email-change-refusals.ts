import type { DirectoryStore } from '../directory/directory-store.ts';
import type { Organisation, Profile } from '../directory/model.ts';
import type { ErrorCode } from '../shared/error-codes.ts';
import { AppError } from '../shared/errors.ts';
import { emailChangeState, type EmailChange } from './email-change.ts';

/*
 * How a change of registered email is refused, at the request and at the confirmation alike. Messages for people live
 * in the catalogue (errors.message.<code>); these messages are for the log, and never carry the token or its hash.
 */

/** Whether another profile of the organisation has the address: the directory holds one profile per address there. */
export async function addressTaken(
  directory: Pick<DirectoryStore, 'findProfilesByEmail'>,
  profile: Pick<Profile, 'id' | 'organisationId'>,
  email: string,
): Promise<boolean> {
  const holders = await directory.findProfilesByEmail(email);
  return holders.some((p) => p.organisationId === profile.organisationId && p.id !== profile.id);
}

export const addressTakenError = (organisation: Organisation) =>
  new AppError(409, 'email_address_taken', 'another profile of the organisation has this email', {
    details: { organisation: organisation.name },
  });

const UNUSABLE: Record<Exclude<ReturnType<typeof emailChangeState>, 'pending'>, [number, ErrorCode]> = {
  confirmed: [410, 'email_change_used'],
  expired: [410, 'email_change_expired'],
  superseded: [410, 'email_change_superseded'],
  revoked: [410, 'email_change_revoked'],
};

/**
 * Why a confirmation link did not consume: unknown (404), or used, expired, superseded or revoked (410). Read with the
 * time the consume was tried at, so a link that expired in between reads as expired.
 */
export function unusableChange(change: EmailChange | undefined, now: Date): AppError {
  if (!change) return new AppError(404, 'email_change_unknown', 'no email change with this token');
  const state = emailChangeState(change, now);
  const [status, code] = UNUSABLE[state === 'pending' ? 'expired' : state];
  return new AppError(status, code, `email change ${change.id} is ${state}`);
}
