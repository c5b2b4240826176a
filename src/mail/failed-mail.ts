import type { AuditLog } from '../audit/audit-log.ts';
import type { AdminActor } from '../clients/admin-scopes.ts';
import type { Clock } from '../shared/clock.ts';
import { NotFoundError } from '../shared/errors.ts';
import { referenceCode } from '../shared/ids.ts';
import type { DeliveryQueue, FailedDelivery } from './delivery-queue.ts';

export interface FailedMailDeps {
  queue: Pick<DeliveryQueue, 'failed' | 'requeue' | 'pending'>;
  audit: AuditLog;
  clock: Clock;
}

/** A failed message as operators see it: what it was and why it failed, never its addresses or content. */
function record(failed: FailedDelivery) {
  return {
    id: failed.id,
    reference: failed.reference,
    kind: failed.kind,
    attempts: failed.attempts,
    last_error: failed.lastError,
    failed_at: failed.failedAt.toISOString(),
  };
}

/** Messages that failed every attempt (or were refused for good), oldest first, and how many are still on their way. */
export async function listFailedMail(deps: FailedMailDeps) {
  const failed = (await deps.queue.failed()).sort((a, b) => a.failedAt.getTime() - b.failedAt.getTime());
  return { failed: failed.map(record), pending: await deps.queue.pending() };
}

/** Puts one failed message back in the queue with a fresh round of attempts (once the mail server is fixed). */
export async function requeueMail(deps: FailedMailDeps, who: AdminActor, id: string) {
  const failed = (await deps.queue.failed()).find((f) => f.id === id);
  if (!failed || !(await deps.queue.requeue(id))) throw new NotFoundError('mail_not_found', `no failed mail ${id}`);
  await audited(deps, who, failed);
  return { requeued: [record(failed)] };
}

/** Puts every failed message back in the queue. */
export async function requeueAllMail(deps: FailedMailDeps, who: AdminActor) {
  const requeued = [];
  for (const failed of await deps.queue.failed()) {
    // Another operator (or node) may have requeued it meanwhile: then it is not this command's to report.
    if (!(await deps.queue.requeue(failed.id))) continue;
    await audited(deps, who, failed);
    requeued.push(record(failed));
  }
  return { requeued };
}

async function audited(deps: FailedMailDeps, who: AdminActor, failed: FailedDelivery) {
  await deps.audit.record({
    id: referenceCode(),
    at: deps.clock.now(),
    action: 'mail.requeued',
    outcome: 'success',
    actor: who.actor,
    ...(who.ip ? { ip: who.ip } : {}),
    details: { mail: failed.id, reference: failed.reference, kind: failed.kind },
  });
}
