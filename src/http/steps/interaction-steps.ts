import { bodyParser } from '@koa/bodyparser';
import type { z } from 'zod';
import { uiLocalesOf } from '../../i18n/choose-language.ts';
import { portalLook, portalName, type PortalLook } from '../portal-look.ts';
import { admissionPolicyOf, upstreamIdsOf } from '../../oidc/client-policy.ts';
import { FlowExpiredError } from '../../shared/errors.ts';
import type { InteractionDetails } from '../interaction-context.ts';
import type { PageDeps } from '../use-cases.ts';
import { parseInput } from '../../shared/parse-input.ts';
import { identifiedPerson, type Person } from './identity.ts';
import { step, type Nothing } from './route.ts';

/** The portal that started an interaction, with its broker policy. */
export type Portal = Awaited<ReturnType<typeof loadPortal>>;

export interface WithInteraction {
  interaction: InteractionDetails;
}
/** What the portal asked for in `ui_locales`, read by the page's language (page-language.ts). */
export interface WithUiLocales {
  uiLocales: string[];
  /** The portal's look on the pages (views.ts), when its client is still registered. */
  portalLook?: PortalLook;
}
export interface WithPortal {
  portal: Portal;
}
export interface WithForm<T> {
  form: T;
}
/** The posted body has been read (within its size limit); `form(schema)` parses it. */
export interface WithBody {
  body: unknown;
}
export interface WithPerson {
  person: Person;
}

/**
 * The steps the broker's pages inside an oidc-provider interaction are built from, each putting what it found on
 * `ctx.state`: the interaction, the posted form, its CSRF check, the portal, the person known upstream.
 */
export function createInteractionSteps(
  deps: Pick<PageDeps, 'provider' | 'csrf' | 'useCases' | 'upstreams' | 'clock' | 'views' | 'config'>,
) {
  return {
    /**
     * The interaction named by the URL and oidc-provider's cookie (an expired one ends here: flow_expired). Every
     * page of the sign-in, and its error pages, are in the language the portal asked for (`ui_locales`), unless the
     * person chose another (page-language.ts).
     */
    interaction: step<WithInteraction & WithUiLocales>(async (ctx, next) => {
      const details = await deps.provider.interactionDetails(ctx.req, ctx.res);
      ctx.state.interaction = details;
      ctx.state.uiLocales = uiLocalesOf(details.params.ui_locales);
      // …and in the portal's look (its logo, colour, policy and terms: portal-look.ts). A client gone since is the
      // portal step's to refuse; oidc-provider keeps clients in a per-process cache, so this costs no store read.
      const client = await deps.provider.Client.find(String(details.params.client_id)).catch(() => undefined);
      if (client) ctx.state.portalLook = portalLook(client.metadata(), (key) => deps.views.t(ctx, key));
      await next();
    }),

    /** Reads the posted form (urlencoded, at most 16 KB: 413 beyond). First, so an oversized post costs nothing more. */
    body: bodyStep('16kb'),

    /** The posted form, parsed with `schema` (400 naming the bad fields). */
    form: formStep,

    /** The form's token must be the one this interaction's pages carry (csrf.ts). */
    csrf: csrfStep(deps, (state: WithInteraction) => state.interaction.uid),

    /** The client that started the interaction; gone since, the sign-in cannot finish (portal_gone). */
    portal: step<WithPortal, WithInteraction>(async (ctx, next) => {
      ctx.state.portal = await loadPortal(deps, ctx.state.interaction, (key) => deps.views.t(ctx, key));
      await next();
    }),

    /** Who the person is upstream: from this interaction's round-trip, else a session that may be trusted (400). */
    person: step<WithPerson, WithInteraction & WithPortal>(async (ctx, next) => {
      ctx.state.person = await identifiedPerson(deps, ctx.state.interaction, ctx.state.portal);
      await next();
    }),
  };
}

export type InteractionSteps = ReturnType<typeof createInteractionSteps>;

/** Reads a posted form (urlencoded, at most `limit`) into `ctx.state.body`. */
export function bodyStep(limit: string) {
  const read = bodyParser({ enableTypes: ['form'], formLimit: limit });
  return step<WithBody>((ctx, next) =>
    read(ctx, async () => {
      ctx.state.body = ctx.request.body;
      await next();
    }),
  );
}

/** Parses the posted form read by the body step with `schema` into `ctx.state.form`. */
export function formStep<S extends z.ZodType>(schema: S) {
  return step<WithForm<z.output<S>>, WithBody>(async (ctx, next) => {
    ctx.state.form = parseInput(schema, ctx.state.body);
    await next();
  });
}

/** Checks the posted form's CSRF token against the scope its page was rendered for. */
export function csrfStep<Needs>(deps: Pick<PageDeps, 'csrf'>, scopeOf: (state: Needs) => string) {
  return step<Nothing, Needs & WithForm<{ csrf: string }>>(async (ctx, next) => {
    deps.csrf.verify(ctx, scopeOf(ctx.state), ctx.state.form.csrf);
    await next();
  });
}

/** The portal of an interaction: its client (refused when gone), name, admission policy and upstreams. */
export async function loadPortal(
  deps: Pick<PageDeps, 'provider' | 'upstreams' | 'config'>,
  details: InteractionDetails,
  t: (key: string) => string,
) {
  const client = await deps.provider.Client.find(String(details.params.client_id));
  if (!client) throw new FlowExpiredError('portal_gone', 'the client of this interaction is no longer registered');
  const metadata = client.metadata();
  return {
    client,
    metadata,
    name: portalName(client.clientId, client.clientName, t),
    policy: admissionPolicyOf(metadata, deps.config.directory.profileKinds),
    /** The upstreams this portal offers for signing in. */
    upstreams: deps.upstreams.enabled(upstreamIdsOf(metadata)),
  };
}
