import type { AuditEvent } from '../audit/audit-log.ts';

/**
 * The events portals and operators can subscribe to, and the audit action each comes from. The audit log is the
 * outbox (docs/decisions/0018): every event is an audit event first, and its audit id is the webhook's id.
 */
export const WEBHOOK_EVENTS = {
  'association.created': 'association.created',
  'association.removed': 'association.removed',
  'profile.created': 'profile.created',
  'profile.updated': 'profile.updated',
  'profile.disabled': 'profile.disabled',
  'profile.enabled': 'profile.enabled',
  'organisation.administrator_changed': 'organisation.administrator_changed',
  // An invitation is the support desk's (or an organisation administrator's) association link, audited as issued.
  'invitation.sent': 'association.invited',
  'mail.delivery_failed': 'mail.delivery_failed',
  'sign_in.succeeded': 'sign_in.succeeded',
  'sign_in.refused': 'sign_in.refused',
  'session.ended': 'session.ended',
} as const;

export type WebhookEventType = keyof typeof WEBHOOK_EVENTS;

export const WEBHOOK_EVENT_TYPES = Object.keys(WEBHOOK_EVENTS) as WebhookEventType[];

const TYPE_OF_ACTION = new Map<string, WebhookEventType>(
  Object.entries(WEBHOOK_EVENTS).map(([type, action]) => [action, type as WebhookEventType]),
);

/** The audit actions that become events: the relay looks for these. */
export const WEBHOOK_ACTIONS: readonly string[] = [...TYPE_OF_ACTION.keys()];

/** The event an audit action becomes, if any. */
export const eventTypeOf = (action: string): WebhookEventType | undefined => TYPE_OF_ACTION.get(action);

/**
 * The facts of an audit event's details a payload may carry, each under its payload name. Everything else stays in
 * the audit log: link ids, mail references, anything an operator may later add to details. What is here holds no
 * secret, link token, code or address: reasons, upstream ids, masked accounts, field names, roles.
 */
const DETAIL_FIELDS: Record<string, string> = {
  reason: 'reason',
  reasons: 'reasons',
  fields: 'changed_fields',
  role: 'role',
  previous: 'previous_administrator_id',
  upstream: 'upstream',
  account: 'account_masked',
  replacedUpstream: 'replaced_upstream',
  replacedAccount: 'replaced_account_masked',
  expiresAt: 'expires_at',
  kind: 'mail_kind',
  permanent: 'permanent',
  sid: 'sid',
};

/** A Standard Webhooks payload: `type`, `timestamp` (when it happened) and `data`. */
export interface WebhookPayload {
  type: WebhookEventType;
  timestamp: string;
  data: Record<string, string | number | boolean>;
}

/** What the actor of an audit event was, without who (`person:<upstream>:<subject>` names a person upstream). */
function actorType(actor: string): string {
  const kind = actor.split(':')[0] ?? 'system';
  return ['person', 'admin', 'operator', 'profile', 'system'].includes(kind) ? kind : 'system';
}

/** The payload of an audit event, or undefined when its action is no webhook event. */
export function payloadOf(event: AuditEvent): WebhookPayload | undefined {
  const type = eventTypeOf(event.action);
  if (!type) return undefined;
  const data: WebhookPayload['data'] = { outcome: event.outcome, actor_type: actorType(event.actor) };
  if (event.profileId) data.profile_id = event.profileId;
  if (event.organisationId) data.organisation_id = event.organisationId;
  if (event.clientId) data.client_id = event.clientId;
  for (const [key, value] of Object.entries(event.details ?? {})) {
    const name = DETAIL_FIELDS[key];
    if (name) data[name] = value;
  }
  return { type, timestamp: event.at.toISOString(), data };
}
