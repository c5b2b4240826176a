import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import type { InteractionResults } from 'oidc-provider';
import type { LinkRequest } from '../association/request-links.ts';
import type { RateLimiter } from '../association/rate-limiter.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import type { Config } from '../config/schema.ts';
import type { ProfileResolver } from '../directory/admitted-profiles.ts';
import type { Upstreams } from '../federation/upstreams.ts';
import { admissionPolicyOf, upstreamIdsOf } from '../oidc/client-policy.ts';
import type { Clock } from '../shared/clock.ts';
import { FlowExpiredError } from '../shared/errors.ts';
import type { Logger } from '../shared/logger.ts';
import type { Csrf } from './csrf.ts';
import type { Views } from './views.ts';

export interface AssociationRequests {
  /** Starts sending links for a request, off the request path. */
  request(request: LinkRequest): void;
  perIdentity: RateLimiter;
  perIp: RateLimiter;
}

export interface InteractionDeps {
  association: AssociationRequests;
  config: Config;
  provider: Provider;
  upstreams: Upstreams;
  profiles: ProfileResolver;
  views: Views;
  csrf: Csrf;
  clock: Clock;
  logger: Logger;
  audit: AuditLog;
}

export type InteractionDetails = Awaited<ReturnType<Provider['interactionDetails']>>;

export const LAST_PROFILE_COOKIE = 'broker.last_profile';

export function callbackUri(config: Config, upstreamId: string): string {
  return `${config.issuer}/upstream/callback/${upstreamId}`;
}

export function requestedPrompts(details: InteractionDetails): Set<string> {
  return new Set(
    String(details.params.prompt ?? '')
      .split(' ')
      .filter(Boolean),
  );
}

type Portal = Awaited<ReturnType<typeof loadPortal>>;

/**
 * Portals already looked up for an interaction's details. Details are loaded once per request, and a request's
 * steps ask for the portal several times: clients live in MongoDB, so each ask would be a round trip.
 */
const portals = new WeakMap<InteractionDetails, Promise<Portal>>();

/** The portal that started this interaction, with its broker policy (looked up once per request). */
export function portalOf(deps: InteractionDeps, details: InteractionDetails): Promise<Portal> {
  let portal = portals.get(details);
  if (!portal) {
    portal = loadPortal(deps, details);
    portals.set(details, portal);
  }
  return portal;
}

async function loadPortal(deps: InteractionDeps, details: InteractionDetails) {
  const client = await deps.provider.Client.find(String(details.params.client_id));
  if (!client) throw new FlowExpiredError('portal_gone', 'the client of this interaction is no longer registered');
  const metadata = client.metadata();
  return {
    client,
    metadata,
    name: client.clientName ?? client.clientId,
    policy: admissionPolicyOf(metadata),
  };
}

/**
 * Ends the interaction and sends the browser back to oidc-provider's resume endpoint. Requested prompts are
 * marked as resolved, or oidc-provider would ask for them again.
 */
export async function finishInteraction(
  ctx: Context,
  deps: InteractionDeps,
  details: InteractionDetails,
  result: InteractionResults,
) {
  const prompts = requestedPrompts(details);
  const full: InteractionResults = { ...result };
  if (prompts.has('select_account')) full.select_account = {};
  if (prompts.has('consent') && details.grantId) full.consent = { grantId: details.grantId };
  const returnTo = await deps.provider.interactionResult(ctx.req, ctx.res, full, { mergeWithLastSubmission: false });
  ctx.set('Cache-Control', 'no-store');
  ctx.status = 303;
  ctx.redirect(returnTo);
}

export function remainingSeconds(exp: number | undefined, now: Date): number {
  return Math.max(1, (exp ?? 0) - Math.floor(now.getTime() / 1000));
}

/**
 * The person's upstream identity taken from their broker session instead of a new upstream sign-in (switching
 * profile, or a profile this portal does not admit). Only when the portal did not ask for a fresh login
 * (prompt=login, an exceeded max_age), the session's profile still belongs to the identity it signed in as, and
 * the portal accepts that identity's upstream.
 */
export async function sessionIdentity(
  deps: InteractionDeps,
  details: InteractionDetails,
  portal: Awaited<ReturnType<typeof portalOf>>,
) {
  const accountId = details.session?.accountId;
  if (!accountId || !details.session?.cookie || requestedPrompts(details).has('login')) return undefined;
  const session = await deps.provider.Session.find(details.session.cookie);
  const loginTs = session?.loginTs;
  if (!loginTs) return undefined;
  const maxAge = details.params.max_age;
  // oidc-provider stamps sessions with the system clock, so freshness is judged against it too.
  if (maxAge !== undefined && loginTs + Number(maxAge) < Math.floor(Date.now() / 1000)) return undefined;
  const identity = await deps.profiles.identityOf(accountId, loginTs);
  if (!identity || !deps.upstreams.enabled(upstreamIdsOf(portal.metadata)).some((u) => u.id === identity.upstreamId))
    return undefined;
  return { identity, remember: !session.transient, authTime: loginTs };
}
