import { parseInput } from '../../shared/parse-input.ts';
import type { Context } from 'koa';
import { z } from 'zod';
import { AppError } from '../../shared/errors.ts';
import { bodyStep, formStep } from '../steps/interaction-steps.ts';
import { route } from '../steps/route.ts';
import type { ConsoleKit, ConsolePages } from './account-console.ts';

const profileParams = z.object({ profileId: z.string().min(1).max(200) });
const csrfForm = z.object({ csrf: z.string().max(100) });

/** The profile of the signed-in account the URL names, or the same 404 as for one that is not theirs. */
async function ownProfile(ctx: Context, kit: ConsoleKit) {
  const { profileId } = parseInput(profileParams, ctx.params, 'path');
  const { current, holder } = await kit.signedIn(ctx);
  if (!holder) return undefined;
  const overview = await kit.account.overview(holder);
  const found = overview.profiles.find((p) => p.profile.id === profileId);
  if (!found)
    throw new AppError(404, 'profile_not_in_account', `profile ${profileId} is not associated with this account`);
  return { current, holder, found, account: overview.account };
}

/**
 * "Use a different account for this profile" (the support desk's "Send Invite E-mail", asked for by the person): a
 * page that says what happens, then the invitation to the profile's registered email. Whoever opens it from that
 * mailbox and signs in takes the profile, and this account's sessions as the profile end then, not now.
 */
export const reinvitePages: ConsolePages = (router, kit) => {
  router.get('/profiles/:profileId/invite', async (ctx) => {
    const own = await ownProfile(ctx, kit);
    if (!own) return ctx.redirect('/account/sign-in');
    const { current, found, account } = own;
    kit.page(ctx, 'reinvite', {
      title: kit.t(ctx, 'account.reinvite.title'),
      profile: {
        id: found.profile.id,
        name: found.profile.displayName,
        email: found.profile.email,
        organisation: found.organisation.name,
        accountNumber: found.organisation.accountNumber,
        current: found.current,
      },
      account,
      csrf: kit.csrfToken(current),
    });
  });

  router.post(
    '/profiles/:profileId/invite',
    ...route([bodyStep('4kb'), formStep(csrfForm)], async (ctx) => {
      const { profileId } = parseInput(profileParams, ctx.params, 'path');
      const { current, holder } = await kit.signedIn(ctx);
      if (!holder) return ctx.redirect('/account/sign-in');
      kit.verifyCsrf(ctx, current, ctx.state.form.csrf);
      const { reference, expiresAt } = await kit.account.reinvite(holder, profileId, ctx.ip, kit.language(ctx));
      kit.page(ctx, 'reinvite-sent', {
        title: kit.t(ctx, 'account.reinviteSent.title'),
        reference,
        expires: expiresAt,
      });
    }),
  );
};
