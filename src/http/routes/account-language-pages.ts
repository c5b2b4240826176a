import type { Context } from 'koa';
import { z } from 'zod';
import { matchLanguage } from '../../i18n/choose-language.ts';
import { AppError, BadRequestError } from '../../shared/errors.ts';
import { parseInput } from '../../shared/parse-input.ts';
import { bodyStep, formStep } from '../steps/interaction-steps.ts';
import { route } from '../steps/route.ts';
import type { ConsoleKit, ConsolePages } from './account-console.ts';

const profileParams = z.object({ profileId: z.string().min(1).max(200) });
/** `language` is a catalogue's language, or PAGE_LANGUAGE for none of one's own. */
const languageForm = z.object({ csrf: z.string().max(100), language: z.string().max(100) });
const PAGE_LANGUAGE = 'page';

/** The profile of the signed-in account the URL names, or the same 404 as for one that is not theirs. */
async function ownProfile(ctx: Context, kit: ConsoleKit, profileId: string) {
  const { current, holder } = await kit.signedIn(ctx);
  if (!holder) return undefined;
  const overview = await kit.account.overview(holder);
  const found = overview.profiles.find((p) => p.profile.id === profileId);
  if (!found)
    throw new AppError(404, 'profile_not_in_account', `profile ${profileId} is not associated with this account`);
  return { current, holder, found };
}

/**
 * "The language of my emails": the person chooses, for a profile of their account, the language the broker writes
 * to it in (association links, notices of changes), from the languages the broker has catalogues for, each named in
 * itself; or none, so that an email is in the language of the page that caused it. Only a profile of the signed-in
 * account: any other, an organisation administrator's colleagues included, is "not found".
 */
export const languagePages: ConsolePages = (router, kit) => {
  const { catalogue } = kit.views;

  const show = async (ctx: Context, profileId: string, saved: boolean) => {
    const own = await ownProfile(ctx, kit, profileId);
    if (!own) return ctx.redirect('/account/sign-in');
    const { current, found } = own;
    const page = kit.views.language(ctx);
    const locale = found.profile.locale;
    const chosen = locale ? matchLanguage(catalogue.languages, locale) : undefined;
    const inPageLanguage = (code: string) => new Intl.DisplayNames([page], { type: 'language' }).of(code) ?? code;
    kit.page(ctx, 'language', {
      title: kit.views.t(ctx, 'language.title'),
      language: page,
      profile: {
        id: found.profile.id,
        name: found.profile.displayName,
        email: found.profile.email,
        organisation: found.organisation.name,
        accountNumber: found.organisation.accountNumber,
      },
      choices: catalogue.languages.map((code) => ({
        code,
        name: catalogue.nameOf(code),
        checked: code === chosen,
      })),
      pageChecked: !locale,
      // A language set for the profile elsewhere (an import, the support desk) that the broker has no catalogue for.
      other: locale && !chosen ? locale : undefined,
      defaultName: inPageLanguage(catalogue.defaultLanguage),
      ...(saved ? { saved: true, chosen: locale ? inPageLanguage(chosen ?? locale) : undefined } : {}),
      csrf: kit.csrfToken(current),
    });
  };

  // "The language of my emails" for the profile signed in as: the lead's link from "My account" may point here.
  router.get('/language', async (ctx) => {
    const { holder } = await kit.signedIn(ctx);
    if (!holder) return ctx.redirect('/account/sign-in');
    ctx.redirect(`/account/profiles/${encodeURIComponent(holder.profile.id)}/language`);
  });

  router.get('/profiles/:profileId/language', async (ctx) => {
    await show(ctx, parseInput(profileParams, ctx.params, 'path').profileId, false);
  });

  router.post(
    '/profiles/:profileId/language',
    ...route([bodyStep('4kb'), formStep(languageForm)], async (ctx) => {
      const { profileId } = parseInput(profileParams, ctx.params, 'path');
      const { current, holder } = await kit.signedIn(ctx);
      if (!holder) return ctx.redirect('/account/sign-in');
      kit.verifyCsrf(ctx, current, ctx.state.form.csrf);
      const asked = ctx.state.form.language;
      // Only a language the broker writes in; the form offers nothing else.
      const locale = asked === PAGE_LANGUAGE ? null : matchLanguage(catalogue.languages, asked);
      if (locale === undefined)
        throw new BadRequestError('invalid_input', 'malformed language: language', { fields: 'language' });
      await kit.account.setLanguage(holder, profileId, locale, ctx.ip);
      await show(ctx, profileId, true);
    }),
  );
};
