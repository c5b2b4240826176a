import { randomLinkRequestDelay, type LinkRequestDelay } from './association/request-delay.ts';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Middleware } from 'koa';
import type Provider from 'oidc-provider';
import type { ClientMetadata } from 'oidc-provider';
import type { Config } from './config/schema.ts';
import { createProfileResolver } from './directory/admitted-profiles.ts';
import { directorySeedSchema, type DirectorySeed } from './directory/seed.ts';
import { createDemoRoutes, DEMO_INBOX_SUBSCRIPTION, demoInboxUrl, planDemo } from './demo/create-demo.ts';
import { createUpstreams, type Upstreams } from './federation/upstreams.ts';
import { createCsrf, type Csrf } from './http/csrf.ts';
import { createProviderPages } from './http/provider-pages.ts';
import { createViews, type Views } from './http/views.ts';
import { createProvider } from './oidc/create-provider.ts';
import { withClientStore } from './oidc/client-adapter.ts';
import { registerConfiguredClients } from './clients/register-configured-clients.ts';
import { bootstrapAdminClient } from './clients/bootstrap-admin-client.ts';
import {
  ACCOUNT_CONSOLE_CLIENT_ID,
  accountConsoleClient,
  accountConsoleSecret,
} from './clients/account-console-client.ts';
import { bindAccountOperations, type AccountOperations } from './account/account-operations.ts';
import type { ConsoleSession } from './http/routes/account-console.ts';
import type { SessionStore } from './shared/session-store.ts';
import { generationAtIssue } from './clients/token-generation.ts';
import { adminScopesIn, ALL_ADMIN_SCOPES } from './clients/admin-scopes.ts';
import { accountApiOrigins, admissionPolicyOf, portalUrlOf, signsPeopleIn } from './oidc/client-policy.ts';
import { portalsAdmitting, type PortalAdmission } from './directory/portal-admission.ts';
import { loadKeyMaterial } from './oidc/signing-keys.ts';
import { systemClock, type Clock } from './shared/clock.ts';
import { createLogger, type Logger } from './shared/logger.ts';
import { createRequestContext, withRequestIds, type RequestContext } from './shared/request-context.ts';
import { recordingRequestIds } from './audit/request-ids.ts';
import type { InteractionUseCases } from './http/use-cases.ts';
import { requestAssociationLinks, type RequestLinksDeps } from './association/request-links.ts';
import { explainIneligible, type ExplainIneligibleDeps } from './association/explain-ineligible.ts';
import { tellUnknownAddress, type TellUnknownAddressDeps } from './association/tell-unknown-address.ts';
import { finishedLink, inspectLink, redeemAssociationLink, type RedeemDeps } from './association/redeem-link.ts';
import { checkRequesterLimits } from './association/requester-limits.ts';
import { createLinkReauthentication } from './association/link-reauthentication.ts';
import { refuseSignIn } from './directory/refuse-sign-in.ts';
import { relayPendingNotices } from './association/association-notice.ts';
import { relayAdministratorNotices } from './directory/administrator-notice.ts';
import type { RateLimiter } from './association/rate-limiter.ts';
import type { ManageDirectoryDeps } from './directory/manage-directory.ts';
import type { ImportDeps } from './directory/import-directory.ts';
import { createAssociationMail } from './mail/association-mails.ts';
import { createEmailChangeMail } from './mail/email-change-mails.ts';
import { createMemoryDeliveryQueue, type DeliveryQueue } from './mail/delivery-queue.ts';
import { createDevMailbox, createSmtpTransport, type DevMailbox } from './mail/nodemailer-transport.ts';
import { createMailRenderer } from './mail/render-mail.ts';
import { loadCatalogue } from './i18n/catalogue.ts';
import type { DeliveryOutcome } from './mail/outgoing.ts';
import { referenceCode, referenceFor } from './shared/ids.ts';
import { createBackgroundTasks, type BackgroundTasks } from './shared/background-tasks.ts';
import { chooseStores, type Stores } from './stores/choose-stores.ts';
import { chooseJobQueues, queuePrefix, redisConnector } from './stores/choose-job-queues.ts';
import type { AuditLog } from './audit/audit-log.ts';
import type { ClientStore, StoredClient } from './clients/client-store.ts';
import { bindAdminOperations, type AdminOperations } from './admin/admin-operations.ts';
import { sendInvitation, type SupportDeskDeps } from './association/support-desk.ts';
import { createDirectoryMail } from './mail/directory-mails.ts';
import { withEncryptedSecrets } from './clients/encrypted-client-store.ts';
import { keepClientObjects } from './oidc/kept-clients.ts';
import { MAX_AGE_MS, MAX_ENTRIES } from './stores/cached-reads.ts';
import { createSecretKeyring, secretKeysFromCookieKeys } from './clients/secret-encryption.ts';
import type { BackchannelNotice } from './sessions/backchannel-logout.ts';
import { routeBackchannelLogout } from './sessions/backchannel-delivery.ts';
import { endAllSessions, revokeProfile, type SessionControlDeps } from './sessions/broker-sessions.ts';
import type { SessionDetails } from './sessions/session-details.ts';
import {
  beginUpstreamSignOut,
  pendingSignOut,
  recordSignIn,
  recordSignOut,
  type PendingSignOut,
  type SessionEventDeps,
  upstreamSignInOfSession,
  markProfileSwitch,
  takeProfileSwitch,
} from './sessions/session-events.ts';
import { createWebhookEngine, type WebhookEngine } from './webhooks/webhook-engine.ts';
import { withEncryptedWebhookSecrets } from './webhooks/encrypted-webhook-store.ts';
import { noMetrics, type Metrics } from './shared/metrics.ts';
import { measuredStores } from './observability/measured-stores.ts';
import { countingOutcomes } from './observability/counted-outcomes.ts';
import { countedDeliveries } from './observability/counted-deliveries.ts';
import { createCookieSigner, type CookieSigner } from './shared/cookie-signer.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const VIEWS_DIR = join(ROOT, 'views');
export const CONFIG_DIR = join(ROOT, 'config');

/** What a benchmark's preload gets (createServices' `preload`): the stores and the provider, configured clients registered. */
export type PreloadHook = (deps: {
  stores: Stores;
  provider: Provider;
  config: Config;
  logger: Logger;
}) => Promise<void>;

export interface Services {
  /** The use cases behind the interaction, association and link pages, bound once (http/use-cases.ts). */
  useCases: InteractionUseCases;
  /** What redemption is bound to: the association and link stores, which tests read to check outcomes. */
  redeem: RedeemDeps;
  /** Sign-ins started per client address (http/sign-in-limit.ts). */
  signInLimiter: RateLimiter;
  mailbox?: DevMailbox;
  delivery: DeliveryQueue;
  tasks: BackgroundTasks;
  clients: ClientStore;
  audit: AuditLog;
  /** Webhook subscriptions' deliveries: the drain queue and the outbox relay (webhooks/webhook-engine.ts). */
  webhooks: WebhookEngine;
  admin: AdminOperations;
  /** Self-service: the account console's pages and the account API call these. */
  account: AccountOperations;
  accountConsole: { clientSecret: string; sessions: SessionStore<ConsoleSession> };
  accountApiOrigins(): Promise<ReadonlySet<string>>;
  /** A client as registered now, for the admin API's token check. */
  findClient(clientId: string): Promise<StoredClient | undefined>;
  readiness(): Promise<Record<string, boolean>>;
  config: Config;
  logger: Logger;
  /** What is counted and timed for Prometheus; `noMetrics` unless the broker has a metrics port (run-broker.ts). */
  metrics: Metrics;
  /** The request being handled, for its id (http/access-log.ts). */
  requests: RequestContext;
  clock: Clock;
  views: Views;
  viewsDir: string;
  cookieSigner: CookieSigner;
  provider: Provider;
  upstreams: Upstreams;
  csrf: Csrf;
  demo?: Middleware;
  /**
   * Stops the background work: the timers, and the mail, webhook and back-channel logout queues, which take no new
   * job and finish the ones running now. Requests still being answered may hand work over, so it comes after them.
   */
  stopBackground(): Promise<void>;
  /** Stops the background work (if not yet stopped), then closes the stores. */
  close(): Promise<void>;
}

/**
 * The composition root (docs/architecture.md §1): the only place that picks concrete stores and wires the factories.
 * Tests call it with their own config, clock and logger and get the same broker `npm start` runs.
 */
export async function createServices(
  config: Config,
  options: {
    logger?: Logger;
    clock?: Clock;
    mode?: 'server' | 'command-line';
    /** Tests that do not measure timing shorten it; a deployment always has the random one. */
    linkRequestDelay?: LinkRequestDelay;
    /** The Prometheus metrics of a broker with a metrics port; none otherwise. */
    metrics?: Metrics;
    /**
     * Benchmarks only (test/bench/preloaded-broker.ts): fills the stores before the broker serves anything, in this
     * process, as memory stores can only be filled from within it. Never set by `npm start`.
     */
    preload?: PreloadHook;
  } = {},
): Promise<Services> {
  // The command line (scripts/admin.ts) uses the same stores and use cases, but leaves to the brokers what belongs to
  // a running broker: sending queued mail, and writing the configured clients (its configuration may not be theirs).
  const commandLine = options.mode === 'command-line';
  // The request being handled (http/access-log.ts): its id goes on every log line and audit event written for it.
  const requests = createRequestContext();
  const logger = withRequestIds(options.logger ?? createLogger(config.logLevel), requests);
  const clock = options.clock ?? systemClock;
  const metrics = options.metrics ?? noMetrics;
  const linkRequestDelay = options.linkRequestDelay ?? randomLinkRequestDelay;
  const keys = await loadKeyMaterial(config.keys);
  // One signer for every cookie the process sets: the broker's, oidc-provider's and the demo upstream's.
  const cookieSigner = createCookieSigner(keys.cookieKeys);
  if (keys.generated)
    logger.warn('keys.generated', {
      message: 'signing and cookie keys were generated for this process; tokens and sessions end when it stops',
    });

  const demoPlan = config.demo.enabled ? planDemo(config, CONFIG_DIR, keys.cookieKeys[0]!) : undefined;
  // An explicit seed file wins over the demo's directory, so a demo can run on an operator's own data.
  const seed: DirectorySeed = config.directorySeedFile
    ? directorySeedSchema(config.directory.profileKinds).parse(
        JSON.parse(readFileSync(config.directorySeedFile, 'utf8')),
      )
    : (demoPlan?.directory ?? { organisations: [], profiles: [], associations: [] });

  // Client secrets are encrypted at rest (docs/decisions/0008); the client store is wrapped here once, so the
  // provider's adapter, the configured-client registration and the admin use cases all go through the encryption.
  const secretKeyring = createSecretKeyring(
    config.keys.secretKeys?.length ? config.keys.secretKeys : secretKeysFromCookieKeys(keys.cookieKeys),
  );
  // Every store call timed for the metrics, whichever use case makes it (a no-op without a metrics port).
  const chosen = measuredStores(await chooseStores(config, { clock, logger, seed, requests }), metrics);
  const tasks = createBackgroundTasks(logger);
  // Webhooks (docs/decisions/0018): the audit log is their outbox, wrapped here once so that every recorded event a
  // subscription wants is published, whoever records it; their signing secrets are encrypted like client secrets.
  const jobQueue = await chooseJobQueues(config, logger, !commandLine);
  const webhooks = createWebhookEngine({
    config,
    store: withEncryptedWebhookSecrets(chosen.webhooks, secretKeyring),
    queue: (handler, retry) => jobQueue('webhooks', handler, retry),
    clock,
    logger,
    metrics,
    tasks,
    relay: !commandLine,
  });
  const stores = {
    ...chosen,
    clients: withEncryptedSecrets(chosen.clients, secretKeyring),
    cachedClients: withEncryptedSecrets(chosen.cachedClients, secretKeyring),
    // Sign-ins and association steps are counted as they are recorded (observability/counted-outcomes.ts).
    audit: webhooks.publishing(countingOutcomes(recordingRequestIds(chosen.audit, requests), metrics)),
  };
  const { directory, adapter } = stores;
  // Whatever withdraws a profile's association links (an unlink, a re-association, a changed email) withdraws any
  // pending change of its registered email too: it was asked for by whoever held the profile then.
  const links: typeof stores.links = {
    ...stores.links,
    async revokeForProfile(profileId, exceptTokenHash) {
      await stores.links.revokeForProfile(profileId, exceptTokenHash);
      await stores.emailChanges.revokeForProfile(profileId);
    },
  };
  const limits = config.association.limits;

  // The resolver serves token requests and sign-in pages: it reads through the per-node cache.
  const profiles = createProfileResolver({
    directory: stores.cachedDirectory,
    associations: stores.cachedDirectory,
    clock,
  });
  const upstreamConfigs = [...config.upstreams, ...(demoPlan ? [demoPlan.upstream] : [])];
  const upstreams = createUpstreams(upstreamConfigs, logger, metrics);
  // Words come from the catalogues (views/locales, then the operator's folder); templates from views/, then theirs.
  const catalogue = loadCatalogue({
    folders: [
      join(VIEWS_DIR, 'locales'),
      ...(config.pages.templatesDir ? [join(config.pages.templatesDir, 'locales')] : []),
    ],
    defaultLanguage: config.pages.defaultLanguage,
    pseudoLanguage: config.pages.pseudoLanguage,
  });
  const templateRoots = [VIEWS_DIR, ...(config.pages.templatesDir ? [config.pages.templatesDir] : [])];
  const views = createViews(templateRoots, catalogue, { support: config.support, demo: config.demo.enabled });

  // Clients named by configuration (and the demo portals) are written to the client store at every start, so the
  // configuration stays their truth; the store serves them to oidc-provider with the clients admins manage.
  const configuredClients = [
    ...(JSON.parse(JSON.stringify(config.clients)) as ClientMetadata[]),
    ...bootstrapAdminClient(config.admin),
    accountConsoleClient(config.issuer, keys.cookieKeys[0]!),
    ...(demoPlan?.clients ?? []),
  ];
  // Mail: SMTP when configured, else the development mailbox (production refuses to start without SMTP_URL);
  // queued in Redis with the shared stores, in memory otherwise.
  const mailbox = config.mail.smtpUrl ? undefined : createDevMailbox(config.mail.from);
  const transport = config.mail.smtpUrl
    ? createSmtpTransport({ smtpUrl: config.mail.smtpUrl, from: config.mail.from, timeoutMs: config.mail.timeoutMs })
    : mailbox!.transport;
  // How each link's email fared shows on the link, for the support desk.
  // A message given up on is audited, so support sees why a person got nothing.
  const onOutcome: DeliveryOutcome = async (mail, outcome, failure) => {
    metrics.mail(outcome, mail.kind);
    if (outcome === 'retried') return;
    if (mail.link) await links.recordDelivery(mail.link.profileId, mail.link.id, outcome);
    if (outcome === 'failed') {
      await stores.audit.record({
        id: referenceFor(`mail-failed:${mail.kind}:${mail.reference}:${mail.link?.id ?? ''}`),
        at: clock.now(),
        action: 'mail.delivery_failed',
        outcome: 'failure',
        actor: 'system:mail',
        ...(mail.link ? { profileId: mail.link.profileId } : {}),
        details: {
          kind: mail.kind,
          mail: mail.reference,
          ...(mail.link ? { link: mail.link.id } : {}),
          ...(failure ? { reason: failure.reason, permanent: failure.permanent } : {}),
        },
      });
    }
  };
  // BullMQ and ioredis are loaded only when Redis is configured (as the shared stores are, choose-stores.ts).
  const delivery = config.stores.redisUrl
    ? (await import('./mail/bullmq-queue.ts')).createBullmqDeliveryQueue({
        connect: await redisConnector(config.stores.redisUrl),
        transport,
        logger,
        retry: config.mail.retry,
        claimSeconds: config.mail.claimSeconds,
        prefix: queuePrefix(config),
        onOutcome,
        consume: !commandLine,
      })
    : createMemoryDeliveryQueue({ transport, logger, retry: config.mail.retry, onOutcome });
  metrics.watchQueue('mail', async () => ({
    pending: await delivery.pending(),
    failed: await delivery.failedCount(),
  }));
  const mailRenderer = createMailRenderer(
    templateRoots.map((root) => join(root, 'mail')),
    catalogue,
  );
  const associationMail = createAssociationMail({ renderer: mailRenderer, queue: delivery, support: config.support });
  const upstreamName = (id: string) => upstreamConfigs.find((u) => u.id === id)?.name ?? id;
  // What issuing and redeeming links both work with.
  const linkDeps = {
    directory,
    associations: directory,
    links,
    mail: associationMail,
    audit: stores.audit,
    clock,
    logger,
  };
  // Broker sessions: what each came from, sign-outs under way, and ending them with word to their portals
  // (back-channel logout through the queue made once the provider exists, below).
  const sessionDetails = stores.browserSessions<SessionDetails>('session-details');
  const sessionEvents: SessionEventDeps = {
    details: sessionDetails,
    pending: stores.browserSessions<PendingSignOut>('sign-outs'),
    switches: stores.browserSessions<{ to: string }>('profile-switches'),
    audit: stores.audit,
    clock,
    sessionTtlSeconds: config.ttl.session,
  };
  const sessionControl: SessionControlDeps = {
    adapter,
    details: sessionDetails,
    audit: stores.audit,
    clock,
    logout: { announce: (notices) => backchannel.announcer.announce(notices) },
    // The provider's clients (read through its per-process cache), as its own logout would see them.
    clientName: async (clientId) => {
      const client = await provider.Client.find(clientId).catch(() => undefined);
      return client && (client.clientName ?? clientId);
    },
    hearsLogout: async (clientId) =>
      Boolean((await provider.Client.find(clientId).catch(() => undefined))?.backchannelLogoutUri),
  };
  const redeem: RedeemDeps = {
    ...linkDeps,
    upstreamName,
    revokeSignIns: (profileId, reason, actor) => revokeProfile(sessionControl, actor, profileId, reason),
  };
  // The enabled portals people sign in to, with what each admits and where its sign-in starts: "which portals admit
  // it" on My account, in the no-link email and on an invitation's success page.
  const portals = async (): Promise<PortalAdmission[]> =>
    (await stores.clients.list())
      .filter((c) => c.status === 'active' && c.clientId !== ACCOUNT_CONSOLE_CLIENT_ID && signsPeopleIn(c.metadata))
      .map((c) => ({
        clientId: c.clientId,
        name: c.metadata.client_name ?? c.clientId,
        policy: admissionPolicyOf(c.metadata, config.directory.profileKinds),
        ...portalUrlOf(c.metadata),
      }));
  const perRecipient = stores.rateLimiter({ keyPrefix: 'recipient', ...limits.perRecipient });
  const perRecipientTotal = stores.rateLimiter({ keyPrefix: 'recipient-total', ...limits.perRecipientTotal });
  // A request that gets no link tells the mailbox why (docs/decisions/0021), under the link limiters' budgets but
  // keys of its own; an unknown address only when configured, once per address and window.
  const explainDeps: ExplainIneligibleDeps = {
    ...linkDeps,
    perRecipient,
    perRecipientTotal,
    portals,
    administrators: (organisationId) =>
      directory.listProfiles({ organisationId, role: 'administrator', status: 'active' }, { limit: 10 }),
  };
  const unknownAddressDeps: TellUnknownAddressDeps = {
    ...linkDeps,
    perAddress: stores.rateLimiter({
      keyPrefix: 'recipient-unknown',
      points: 1,
      windowSeconds: limits.perRecipientTotal.windowSeconds,
    }),
  };
  const requestDeps: RequestLinksDeps = {
    ...linkDeps,
    perRecipient,
    perRecipientTotal,
    noLink: {
      ineligible: (request, email, found) => explainIneligible(explainDeps, request, email, found),
      unknownAddress: config.association.unknownAddressEmail
        ? (request, email) => tellUnknownAddress(unknownAddressDeps, request, email)
        : async () => undefined,
    },
    heldBackNotice: stores.rateLimiter({
      keyPrefix: 'recipient-held-back',
      points: 1,
      windowSeconds: limits.perRecipientTotal.windowSeconds,
    }),
    linkTtlSeconds: config.association.linkTtlSeconds,
    linkUrl: (token) => `${config.issuer}/associate/${token}`,
    upstreamName,
  };
  // The pages get these functions, bound here once, and never the stores behind them.
  const linkLimits = {
    perIdentity: stores.rateLimiter({ keyPrefix: 'identity', ...limits.perIdentity }),
    perIp: stores.rateLimiter({ keyPrefix: 'ip', ...limits.perIp }),
  };
  const useCases: InteractionUseCases = {
    profiles: {
      admittedFor: profiles.forIdentity,
      identityOf: profiles.identityOf,
      portalsFor: async (profile, organisation) =>
        portalsAdmitting(await portals(), profile, organisation, clock.now()),
    },
    signIns: { refuse: (refusal) => refuseSignIn({ audit: stores.audit, clock, logger }, refusal) },
    links: {
      checkRequester: (requester) => checkRequesterLimits(linkLimits, requester),
      request: (request) => {
        metrics.association('requested');
        return tasks.run('association.request_links', async () => {
          await new Promise((resolve) => setTimeout(resolve, linkRequestDelay()));
          await requestAssociationLinks(requestDeps, request);
        });
      },
      // Every page that finds a link unusable inspects it once: an expired one is counted there.
      inspect: async (tokenHash) => {
        const inspected = await inspectLink(redeem, tokenHash);
        if (inspected.state === 'expired') metrics.association('expired');
        return inspected;
      },
      finished: (tokenHash) => finishedLink(redeem, tokenHash),
      redeem: (tokenHash, identity, context) => redeemAssociationLink(redeem, tokenHash, identity, context),
      reauthentication: createLinkReauthentication({ transactions: stores.linkTransactions, clock }),
    },
    sessions: {
      signedIn: (event) => recordSignIn(sessionEvents, event),
      signedOut: (event) => recordSignOut(sessionEvents, event),
      upstreamSignInOf: (sessionId) => upstreamSignInOfSession(sessionEvents, sessionId),
      markProfileSwitch: (sessionId, to) => markProfileSwitch(sessionEvents, sessionId, to),
      takeProfileSwitch: (sessionId) => takeProfileSwitch(sessionEvents, sessionId),
      beginUpstreamSignOut: (pending) => beginUpstreamSignOut(sessionEvents, pending),
      pendingSignOut: (handle, options) => pendingSignOut(sessionEvents, handle, options),
    },
  };

  const provider = createProvider({
    config,
    keys,
    cookieSigner,
    adapter: withClientStore(adapter, stores.cachedClients),
    profiles,
    pages: createProviderPages(views, logger),
    upstreamIds: upstreamConfigs.map((u) => u.id),
    languages: catalogue.languages,
    resourceServers: { ...config.resourceServers, ...demoPlan?.resourceServers },
    clientCredentialsClaims: (clientId, secret) => generationAtIssue(stores.clients, clientId, secret),
  });
  // Its client objects kept per node while no client changed (oidc/kept-clients.ts).
  keepClientObjects(provider, stores.clientsGeneration, { maxAgeMs: MAX_AGE_MS, maxEntries: MAX_ENTRIES });
  // Logout tokens are made by oidc-provider and delivered by the queue, retried while a portal is down.
  const backchannelRoute = routeBackchannelLogout(provider, (clientId, error) =>
    logger.error('backchannel.not_queued', { client: clientId, message: error.message }),
  );
  // A logout token that could be neither queued nor posted at once: logged and audited, so operators see it.
  provider.on('backchannel.error', (_ctx: unknown, error: Error, client: { clientId: string }, accountId: string) => {
    logger.error('backchannel.failed', { client: client.clientId, message: error.message });
    tasks.run('backchannel.audit', () =>
      stores.audit.record({
        id: referenceCode(),
        at: clock.now(),
        action: 'backchannel.delivery_failed',
        outcome: 'failure',
        actor: 'system:backchannel',
        profileId: accountId,
        clientId: client.clientId,
        details: { attempts: 1, reason: `not queued: ${error.message.slice(0, 180)}` },
      }),
    );
  });
  const backchannelQueue = jobQueue<BackchannelNotice>(
    'backchannel',
    countedDeliveries(
      'backchannel',
      (job) => backchannelRoute.deliver(job.data),
      config.backchannelLogout.retry,
      metrics,
    ),
    config.backchannelLogout.retry,
    (job, error) =>
      stores.audit.record({
        id: referenceFor(`backchannel-failed:${job.id}`),
        at: clock.now(),
        action: 'backchannel.delivery_failed',
        outcome: 'failure',
        actor: 'system:backchannel',
        profileId: job.data.accountId,
        clientId: job.data.clientId,
        details: { attempts: job.attempts, reason: error.message.slice(0, 200) },
      }),
  );
  const backchannel = { announcer: backchannelRoute.useQueue(backchannelQueue), queue: backchannelQueue };
  // The notices' outbox relay (association-notice.ts); a command-line process leaves it to the brokers.
  const relayEvery = config.mail.outbox.intervalSeconds * 1000;
  const directoryMail = createDirectoryMail({ renderer: mailRenderer, queue: delivery, support: config.support });
  const noticeRelay = commandLine
    ? undefined
    : setInterval(
        () =>
          tasks.run('mail.outbox_relay', async () => {
            await relayPendingNotices(redeem, config.mail.outbox.graceSeconds * 1000);
            await relayAdministratorNotices(
              { directory, mail: directoryMail, logger, clock },
              config.mail.outbox.graceSeconds * 1000,
            );
          }),
        relayEvery,
      ).unref();
  // Audit retention on servers that do not expire events themselves (stores/mongo/audit-log.ts): every 10 minutes.
  const auditSweep =
    commandLine || !stores.audit.sweepExpired
      ? undefined
      : setInterval(
          () => tasks.run('audit.sweep', async () => void (await stores.audit.sweepExpired!(clock.now()))),
          10 * 60_000,
        ).unref();
  const clientRegistration = commandLine
    ? { stop: () => undefined }
    : await registerConfiguredClients({ provider, clients: stores.clients, clock, logger }, configuredClients);
  // After the clients (a preloaded grant names a portal), through the same stores the requests use.
  if (options.preload) await options.preload({ stores, provider, config, logger });

  // The support desk issues links as a person's request does, and revokes as a redemption does.
  const support: SupportDeskDeps = {
    ...requestDeps,
    revokeSignIns: redeem.revokeSignIns,
    portal: async (clientId) => {
      const client = await provider.Client.find(clientId).catch(() => undefined);
      // Admin scopes and the authorization_code grant never go together (oidc/client-policy.ts); both are asked anyway.
      return (
        client && {
          name: client.clientName ?? client.clientId,
          signsPeopleIn: client.grantTypeAllowed('authorization_code') && !adminScopesIn(client.scope).length,
        }
      );
    },
  };
  // The directory's administration, shared by the admin API and an organisation administrator's self-service. A
  // profile's email changing (whoever changes it) withdraws what was sent to the old address.
  const directoryAdmin: ManageDirectoryDeps = {
    directory,
    audit: stores.audit,
    clock,
    mail: directoryMail,
    revokeLinks: (profileId) => links.revokeForProfile(profileId),
    // A disabled profile loses everything it signed in with; a changed email, its sessions (offline access stays).
    endSignIns: async (profileId, reason, actor) => {
      if (reason === 'profile_disabled') await revokeProfile(sessionControl, actor, profileId, reason);
      else await endAllSessions(sessionControl, actor, [profileId], reason);
    },
    invite: (who, profileId) => sendInvitation(support, who, profileId),
  };
  const imports: ImportDeps = { directory, audit: stores.audit, clock, profileKinds: config.directory.profileKinds };
  // Administration's use cases, bound once: the admin API and the command line call them, never a store.
  const admin = bindAdminOperations({
    clients: {
      clients: stores.clients,
      audit: stores.audit,
      clock,
      validate: (metadata) => provider.Client.validate(metadata),
    },
    directory: directoryAdmin,
    imports,
    support,
    sessions: { sessions: sessionControl, directory },
    audit: stores.audit,
    webhooks: webhooks.manage(stores.audit),
    mail: { queue: delivery, audit: stores.audit, clock },
  });

  // Self-service's use cases, bound once: the account console's pages and the account API call them.
  const account = bindAccountOperations({
    holder: { profiles },
    overview: {
      directory,
      associations: directory,
      clock,
      upstreamName,
      portals,
    },
    removal: { support, mail: associationMail },
    organisation: {
      directory: directoryAdmin,
      support,
      imports,
      removalNotice: (message) => associationMail.sendRemoved(message),
      invitations: {
        perPerson: stores.rateLimiter({ keyPrefix: 'invitations-person', points: 5, windowSeconds: 3600 }),
        perOrganisation: stores.rateLimiter({ keyPrefix: 'invitations-org', points: 200, windowSeconds: 86_400 }),
      },
    },
    emailChange: {
      directory: directoryAdmin,
      profiles,
      changes: stores.emailChanges,
      mail: createEmailChangeMail({ renderer: mailRenderer, queue: delivery, support: config.support }),
      perProfile: stores.rateLimiter({ keyPrefix: 'email-change', points: 5, windowSeconds: 3600 }),
      ttlSeconds: config.association.linkTtlSeconds,
      confirmUrl: (token) => `${config.issuer}/account/email/confirm/${token}`,
    },
    sessions: { sessions: sessionControl, associations: directory },
  });

  // The demo's webhook inbox: subscribed to every event once (a second node finds it made), its secret read back as
  // the subscriber keeps it.
  const demoInbox =
    demoPlan && config.demo.webhookInbox && !commandLine
      ? async () => (await webhooks.deps.store.findSubscription(DEMO_INBOX_SUBSCRIPTION))?.secret
      : undefined;
  if (demoInbox) {
    await admin.webhooks
      .create(
        { actor: 'system:demo', holds: ALL_ADMIN_SCOPES },
        {
          id: DEMO_INBOX_SUBSCRIPTION,
          url: demoInboxUrl(config.issuer),
          description: "The demo's webhook inbox (/dev/webhooks)",
        },
      )
      .catch((err: { code?: string; message: string }) => {
        if (err.code !== 'webhook_exists') logger.warn('demo.webhook_inbox_not_subscribed', { message: err.message });
      });
  }

  let backgroundStopped: Promise<void> | undefined;
  const stopBackground = () =>
    (backgroundStopped ??= (async () => {
      clearInterval(noticeRelay);
      clearInterval(auditSweep);
      clientRegistration.stop();
      await tasks.drain();
      await webhooks.close();
      await delivery.close();
      await backchannelQueue.close();
    })());

  return {
    useCases,
    redeem,
    account,
    accountApiOrigins: async () => accountApiOrigins(await stores.clients.list()),
    accountConsole: {
      clientSecret: accountConsoleSecret(keys.cookieKeys[0]!),
      sessions: stores.browserSessions<ConsoleSession>('account-console'),
    },
    signInLimiter: stores.rateLimiter({ keyPrefix: 'sign-in-ip', ...config.signInLimit }),
    readiness: stores.readiness,
    mailbox,
    delivery,
    tasks,
    clients: stores.clients,
    audit: stores.audit,
    webhooks,
    admin,
    findClient: (clientId) => stores.cachedClients.find(clientId),
    config,
    logger,
    metrics,
    requests,
    clock,
    views,
    viewsDir: VIEWS_DIR,
    cookieSigner,
    provider,
    upstreams,
    csrf: createCsrf(cookieSigner, config.issuer),
    demo: demoPlan
      ? createDemoRoutes(demoPlan, {
          config,
          views,
          cookieSigner,
          stores: stores.demo,
          mailbox,
          ...(demoInbox ? { webhookInboxSecret: demoInbox } : {}),
        })
      : undefined,
    stopBackground,
    async close() {
      await stopBackground();
      await stores.close();
    },
  };
}
