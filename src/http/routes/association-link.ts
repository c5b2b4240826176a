import Router from '@koa/router';
import { z } from 'zod';
import { LINK_TOKEN_PATTERN } from '../../association/link.ts';
import { matchLanguage } from '../../i18n/choose-language.ts';
import { FlowExpiredError } from '../../shared/errors.ts';
import { callbackUri } from '../interaction-context.ts';
import { portalUrlOf } from '../../oidc/client-policy.ts';
import { createLinkSteps, LINK_COOKIE, respondLinkUnusable } from '../steps/link-steps.ts';
import { route } from '../steps/route.ts';
import type { UpstreamCallbacks } from '../upstream-callbacks.ts';
import type { PageDeps } from '../use-cases.ts';
import { LINK_DONE_PAGE, linkCallback } from './link-callback.ts';

const continueForm = z.object({ csrf: z.string().max(200), upstream: z.string().max(64).optional() });

/** The language of the email the link came in, kept beside the link's token. */
const LINK_LANGUAGE_COOKIE = 'broker.link_lang';

/** The upstream round-trips of link re-authentications (link-callback.ts). */
const LINK_REAUTHENTICATION = 'association-link';

/**
 * Seed steps 7–9: the emailed link. Opening it changes nothing: the token moves from the URL into a cookie
 * before any page renders, and the landing page names the profile with one button. The button starts a forced
 * upstream re-authentication; only the identity that asked for the link can then redeem it.
 */
export function associationLinkRoutes(deps: PageDeps, callbacks: UpstreamCallbacks): Router {
  const router = new Router({ prefix: '/associate' });
  const steps = createLinkSteps(deps);
  router.use(async (ctx, next) => {
    const language = ctx.cookies.get(LINK_LANGUAGE_COOKIE, { signed: true });
    if (language) ctx.state.uiLocales = [language];
    await next();
  });
  callbacks.register(LINK_REAUTHENTICATION, linkCallback(deps));

  router.get(
    '/',
    ...route([steps.token, steps.usableLink], (ctx) => {
      const { token, link } = ctx.state;
      const { requester } = link.link;
      const upstream = requester && deps.upstreams.get(requester.upstreamId);
      ctx.set('Cache-Control', 'no-store');
      ctx.body = deps.views.page(ctx, 'association/landing', {
        title: deps.views.t(ctx, 'association.landing.title', { organisation: link.organisation.name }),
        profile: link.profile,
        organisation: link.organisation,
        // An invitation was not asked for from any account: the person picks the one to sign in with.
        upstreamName: requester ? (upstream?.config.name ?? requester.upstreamId) : undefined,
        upstreams: requester ? [] : deps.upstreams.enabled().map((u) => ({ id: u.id, name: u.name })),
        csrf: deps.csrf.tokenFor(`link:${token.hash}`),
      });
    }),
  );

  router.get(
    LINK_DONE_PAGE.slice('/associate'.length),
    ...route([steps.token], async (ctx) => {
      const done = await deps.useCases.links.finished(ctx.state.token.hash);
      if (!done) {
        // Not (or no longer) this browser's association: the link's own page says what became of it.
        const inspected = await deps.useCases.links.inspect(ctx.state.token.hash);
        if (inspected.outcome === 'unusable') return respondLinkUnusable(ctx, deps.views, inspected.state);
        ctx.status = 303;
        return ctx.redirect('/associate');
      }
      ctx.set('Cache-Control', 'no-store');
      const { link, profile, organisation, reference } = done;
      const upstreamName = deps.upstreams.get(done.upstreamId)?.config.name ?? done.upstreamId;
      const asked = link.requester && link.clientId ? await askingPortal(deps, link.clientId) : undefined;
      ctx.body = deps.views.page(ctx, 'association/success', {
        title: deps.views.t(ctx, 'association.success.title'),
        upstreamName,
        organisation,
        profile,
        reference,
        // A requested link goes back to the portal that asked; an invitation lists every portal that admits it.
        requested: Boolean(link.requester),
        portal: asked,
        portals: link.requester
          ? []
          : (await deps.useCases.profiles.portalsFor(profile, organisation)).map(({ name, url }) => ({ name, url })),
      });
    }),
  );

  router.get('/:token', (ctx) => {
    // Store, then redirect: the token is out of the address bar (and of any Referer) before a page renders.
    const token = ctx.params.token!;
    if (LINK_TOKEN_PATTERN.test(token)) {
      const cookie = {
        signed: true,
        httpOnly: true,
        sameSite: 'lax',
        path: '/associate',
        maxAge: deps.config.association.linkTtlSeconds * 1000,
      } as const;
      ctx.cookies.set(LINK_COOKIE, token, cookie);
      // The email's language, which the link's pages take as a portal's ui_locales: below the person's own choice.
      const asked = typeof ctx.query.ui_locales === 'string' ? ctx.query.ui_locales : '';
      const language = matchLanguage(deps.views.catalogue.languages, asked.split(' ')[0] ?? '');
      ctx.cookies.set(LINK_LANGUAGE_COOKIE, language ?? null, cookie);
    }
    ctx.set('Cache-Control', 'no-store');
    ctx.status = 303;
    ctx.redirect('/associate');
  });

  router.post(
    '/continue',
    ...route([steps.body, steps.token, steps.form(continueForm), steps.csrf, steps.usableLink], async (ctx) => {
      const { token, form, link } = ctx.state;
      // A requested link goes back to the upstream that asked; an invitation to the one the person picked.
      const upstream = deps.upstreams.get(link.link.requester?.upstreamId ?? form.upstream ?? '');
      if (!upstream) throw new FlowExpiredError('upstream_disabled', 'the upstream of this link is disabled');
      const { url, state } = await deps.useCases.links.reauthentication.begin(
        upstream,
        token.hash,
        callbackUri(deps.config, upstream.config.id),
      );
      callbacks.remember(ctx, state, LINK_REAUTHENTICATION);
      ctx.status = 303;
      ctx.redirect(url.href);
    }),
  );

  return router;
}

/** The portal a link was asked from, by name, and where its sign-in starts, if it says. */
async function askingPortal(deps: PageDeps, clientId: string): Promise<{ name: string; url?: string } | undefined> {
  const client = await deps.provider.Client.find(clientId).catch(() => undefined);
  if (!client) return undefined;
  return { name: client.clientName ?? client.clientId, ...portalUrlOf(client.metadata()) };
}
