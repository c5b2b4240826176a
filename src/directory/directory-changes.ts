import type { AdminActor } from '../clients/admin-scopes.ts';
import type { ErrorCode } from '../shared/error-codes.ts';
import { AppError } from '../shared/errors.ts';
import { referenceCode } from '../shared/ids.ts';
import { DirectoryConflict } from './directory-admin-store.ts';
import type { ManageDirectoryDeps } from './manage-directory.ts';

/*
 * How the directory's administration use cases (manage-directory.ts, manage-profiles.ts) refuse a change and record
 * one they made.
 */
// Messages for people live in the catalogue (errors.message.<code>); these messages are for the log.
export const notFound = (what: 'organisation' | 'profile', id: string) =>
  new AppError(404, what === 'organisation' ? 'organisation_not_found' : 'profile_not_found', `no ${what} ${id}`, {
    details: { id },
  });
export const conflict = (code: ErrorCode, message: string, details: Record<string, unknown> = {}) =>
  new AppError(409, code, message, { details });

export function explain(err: unknown): never {
  if (!(err instanceof DirectoryConflict)) throw err;
  if (err.kind === 'account_number')
    throw conflict('account_number_taken', 'another organisation has this account number');
  if (err.kind === 'profile_email')
    throw conflict('profile_email_taken', 'the organisation has a profile with this email');
  throw conflict('administrator_exists', 'the organisation has an administrator');
}

export async function record(
  deps: ManageDirectoryDeps,
  who: AdminActor,
  action: string,
  target: { organisationId?: string; profileId?: string },
  details?: Record<string, string | number | boolean>,
  id = referenceCode(),
) {
  await deps.audit.record({
    id,
    at: deps.clock.now(),
    action,
    outcome: 'success',
    actor: who.actor,
    ip: who.ip,
    ...target,
    ...(details ? { details } : {}),
  });
  return id;
}

export const changedFields = <T extends object>(before: T, after: T) =>
  (Object.keys({ ...before, ...after }) as (keyof T)[])
    .filter((k) => before[k] !== after[k])
    .map(String)
    .sort()
    .join(' ');
