import { personActor, type AuditLog } from '../audit/audit-log.ts';
import type { Clock } from '../shared/clock.ts';
import { referenceCode } from '../shared/ids.ts';
import type { Logger } from '../shared/logger.ts';
import type { AssociationMail } from './association-mail.ts';
import type { RateLimiter } from './rate-limiter.ts';
import type { LinkRequest } from './request-links.ts';

export interface TellUnknownAddressDeps {
  /** One point per window and address: at most one such email an address receives in a window. */
  perAddress: RateLimiter;
  mail: AssociationMail;
  audit: AuditLog;
  clock: Clock;
  logger: Logger;
}

/**
 * When `association.unknownAddressEmail` is on: an address with no profile gets a short email saying so, and what to
 * do (find the address the organisation registered, ask its administrator). Off by default: anyone may type any
 * address, and the broker would then write to mailboxes that have nothing to do with it (docs/decisions/0021).
 * Runs where links are sent, so the page and its timing are the same as for every other address.
 */
export async function tellUnknownAddress(
  deps: TellUnknownAddressDeps,
  request: LinkRequest,
  email: string,
): Promise<{ sent: boolean }> {
  if (!(await deps.perAddress.consume(email)).allowed) {
    deps.logger.info('association.unknown_address_limited', { client: request.client.id });
    return { sent: false };
  }
  const reference = referenceCode();
  // No address in the event: it belongs to nobody in the directory.
  await deps.audit.record({
    id: reference,
    at: deps.clock.now(),
    action: 'association.unknown_address_told',
    outcome: 'failure',
    actor: personActor(request.identity),
    ip: request.ip,
    clientId: request.client.id,
  });
  await deps.mail.sendUnknownAddress({
    to: email,
    portalName: request.client.name,
    reference,
    language: request.language,
  });
  deps.logger.info('association.unknown_address_told', { reference, client: request.client.id });
  return { sent: true };
}
