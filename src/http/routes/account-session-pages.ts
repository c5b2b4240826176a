import { decodeJwt } from 'jose';
import { z } from 'zod';
import type { BrokerSession } from '../../sessions/broker-sessions.ts';
import { parseInput } from '../../shared/parse-input.ts';
import { bodyStep, formStep } from '../steps/interaction-steps.ts';
import { route } from '../steps/route.ts';
import { rememberSignOut } from '../fresh-login.ts';
import type { ConsolePages } from './account-console.ts';
import { portalName } from '../portal-look.ts';

const sessionParams = z.object({ sessionId: z.string().min(1).max(200) });
const csrfForm = z.object({ csrf: z.string().max(100) });

export const sessionView = (session: BrokerSession, t: (key: string) => string) => ({
  id: session.id,
  started: session.startedAt,
  lastUsed: session.lastUsedAt,
  browser: session.browser,
  portals: session.portals.map((p) => portalName(p.clientId, p.name, t)),
  current: session.current,
});

/**
 * "Where you're signed in" (the seed's warning about "sign me in automatically" on a shared computer, answered): the
 * broker sessions of the person's account, with "sign out this session" and "sign out everywhere". Each ends the
 * session at the broker and tells its portals (back-channel logout).
 */
export const sessionPages: ConsolePages = (router, kit) => {
  router.get('/sessions', async (ctx) => {
    const { current, holder } = await kit.signedIn(ctx);
    if (!holder) return ctx.redirect('/account/sign-in');
    const sid = current.s.signedIn ? decodeJwt(current.s.signedIn.idToken).sid : undefined;
    const sessions = await kit.account.sessions.list(holder, typeof sid === 'string' ? sid : undefined);
    kit.page(ctx, 'sessions', {
      title: kit.t(ctx, 'account.sessions.title'),
      sessions: sessions.map((session) => sessionView(session, (key) => kit.t(ctx, key))),
      ended: ctx.query.ended === '1',
      csrf: kit.csrfToken(current),
    });
  });

  router.post(
    '/sessions/:sessionId/end',
    ...route([bodyStep('4kb'), formStep(csrfForm)], async (ctx) => {
      const { sessionId } = parseInput(sessionParams, ctx.params, 'path');
      const { current, holder } = await kit.signedIn(ctx);
      if (!holder) return ctx.redirect('/account/sign-in');
      kit.verifyCsrf(ctx, current, ctx.state.form.csrf);
      const sid = current.s.signedIn ? decodeJwt(current.s.signedIn.idToken).sid : undefined;
      const mine = typeof sid === 'string' ? await kit.account.sessions.list(holder, sid) : [];
      const thisBrowser = mine.some((s) => s.id === sessionId && s.current);
      await kit.account.sessions.end(holder, sessionId, ctx.ip);
      ctx.status = 303;
      if (thisBrowser) {
        // This browser's own session: as after a sign-out, its next sign-in asks the upstream for a password.
        rememberSignOut(ctx);
        ctx.redirect('/account/signed-out');
      } else ctx.redirect('/account/sessions?ended=1');
    }),
  );

  router.post(
    '/sessions/end-all',
    ...route([bodyStep('4kb'), formStep(csrfForm)], async (ctx) => {
      const { current, holder } = await kit.signedIn(ctx);
      if (!holder) return ctx.redirect('/account/sign-in');
      kit.verifyCsrf(ctx, current, ctx.state.form.csrf);
      const ended = await kit.account.sessions.endAll(holder, ctx.ip);
      // This browser's session ended too: its next sign-in asks the upstream for a password, as after a sign-out.
      rememberSignOut(ctx);
      kit.page(ctx, 'signed-out-everywhere', { title: kit.t(ctx, 'account.signedOutEverywhere.title'), ended });
    }),
  );
};
