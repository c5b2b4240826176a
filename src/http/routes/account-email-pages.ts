import type { Context } from 'koa';
import { z } from 'zod';
import type { AccountHolder } from '../../account/account-holder.ts';
import { EMAIL_CHANGE_TOKEN_PATTERN, hashEmailChangeToken } from '../../account/email-change.ts';
import { AppError, NotFoundError } from '../../shared/errors.ts';
import { bodyStep, formStep } from '../steps/interaction-steps.ts';
import { route } from '../steps/route.ts';
import type { ConsolePages } from './account-console.ts';

/** The signed cookie a confirmation link's token is moved into, for the page and its button only. */
const TOKEN_COOKIE = 'account_email_change';
const CONFIRM_PATH = '/account/email/confirm';
/** Long enough to read the page and press its button; the email's link sets it again whenever it is opened. */
const TOKEN_COOKIE_MS = 3600 * 1000;

const requestForm = z.object({ csrf: z.string().max(100), email: z.string().max(1000) });
const confirmForm = z.object({ csrf: z.string().max(100) });

const currentProfile = ({ profile, organisation }: AccountHolder) => ({
  name: profile.displayName,
  email: profile.email,
  organisation: organisation.name,
  accountNumber: organisation.accountNumber,
});

/** The hash of the token this browser's cookie holds; without one, the same answer as for a link nobody issued. */
function tokenHash(ctx: Context): string {
  const token = ctx.cookies.get(TOKEN_COOKIE, { signed: true });
  if (!token || !EMAIL_CHANGE_TOKEN_PATTERN.test(token))
    throw new NotFoundError('email_change_unknown', 'no email change token in this browser');
  return hashEmailChangeToken(token);
}

/**
 * "Change my registered email": the form for the profile the console session acts as, then the link mailed to the new
 * address. The link's pages follow the association link's rules (docs/architecture.md §2): opening it changes
 * nothing, the token leaves the address bar before a page renders, and only the page's button confirms. They need no
 * console session, since the new mailbox may be read in another browser; the button's form token is bound to the
 * link's token instead.
 */
export const emailPages: ConsolePages = (router, kit) => {
  router.get('/email', async (ctx) => {
    const { current, holder } = await kit.signedIn(ctx);
    if (!holder) return ctx.redirect('/account/sign-in');
    kit.page(ctx, 'email-change', {
      title: kit.t(ctx, 'account.emailChange.title'),
      profile: currentProfile(holder),
      csrf: kit.csrfToken(current),
    });
  });

  router.post(
    '/email',
    ...route([bodyStep('4kb'), formStep(requestForm)], async (ctx) => {
      const { current, holder } = await kit.signedIn(ctx);
      if (!holder) return ctx.redirect('/account/sign-in');
      kit.verifyCsrf(ctx, current, ctx.state.form.csrf);
      const typed = ctx.state.form.email;
      try {
        const sent = await kit.account.email.request(holder, typed, ctx.ip, kit.language(ctx));
        kit.page(ctx, 'email-sent', {
          title: kit.t(ctx, 'account.emailSent.title'),
          email: sent.email,
          reference: sent.reference,
          expires: sent.expiresAt,
        });
      } catch (err) {
        // A refusal the person can act on (not an address, the same one, taken, too many): the form again, saying why.
        if (!(err instanceof AppError) || err.status >= 500) throw err;
        ctx.status = err.status;
        if (typeof err.details.retryAfterSeconds === 'number')
          ctx.set('Retry-After', String(err.details.retryAfterSeconds));
        kit.page(ctx, 'email-change', {
          title: kit.t(ctx, 'account.emailChange.title'),
          profile: currentProfile(holder),
          csrf: kit.csrfToken(current),
          email: typed,
          error: kit.refusal(ctx, err),
        });
      }
    }),
  );

  router.get('/email/confirm/:token', (ctx) => {
    const token = ctx.params.token!;
    if (!EMAIL_CHANGE_TOKEN_PATTERN.test(token))
      throw new NotFoundError('email_change_unknown', 'malformed email change token');
    // Store, then redirect: the token is out of the address bar (and the history) before a page renders.
    ctx.cookies.set(TOKEN_COOKIE, token, {
      signed: true,
      httpOnly: true,
      sameSite: 'lax',
      path: CONFIRM_PATH,
      maxAge: TOKEN_COOKIE_MS,
    });
    ctx.set('Cache-Control', 'no-store');
    ctx.status = 303;
    ctx.redirect(CONFIRM_PATH);
  });

  router.get('/email/confirm', async (ctx) => {
    const hash = tokenHash(ctx);
    const change = await kit.account.email.inspect(hash);
    kit.page(ctx, 'email-confirm', {
      title: kit.t(ctx, 'account.emailConfirm.title'),
      email: change.newEmail,
      profile: change.profile,
      organisation: change.organisation,
      expires: change.expiresAt,
      csrf: kit.csrf.tokenFor(`email-change:${hash}`),
    });
  });

  router.post(
    '/email/confirm',
    ...route([bodyStep('4kb'), formStep(confirmForm)], async (ctx) => {
      const hash = tokenHash(ctx);
      kit.csrf.verify(ctx, `email-change:${hash}`, ctx.state.form.csrf);
      const forget = () => ctx.cookies.set(TOKEN_COOKIE, null, { path: CONFIRM_PATH });
      const confirmed = await kit.account.email.confirm(hash, ctx.ip, kit.language(ctx)).catch((err: unknown) => {
        // Spent, expired, superseded or unknown for good: the cookie has nothing more to offer. After a failure of
        // the broker's own (5xx) it stays, so that pressing the button again retries.
        if (err instanceof AppError && err.status < 500) forget();
        throw err;
      });
      forget();
      kit.page(ctx, 'email-changed', {
        title: kit.t(ctx, 'account.emailChanged.title'),
        email: confirmed.profile.email,
        organisation: confirmed.organisation.name,
        reference: confirmed.reference,
      });
    }),
  );
};
