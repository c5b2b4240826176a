import type Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import type { AccountHolder } from '../../account/account-holder.ts';
import type { AddProfessionalsReport } from '../../account/add-professionals.ts';
import { nameText } from '../../directory/name-text.ts';
import { bodyStep, formStep } from '../steps/interaction-steps.ts';
import { route } from '../steps/route.ts';
import type { ConsoleKit, CurrentSession } from './account-console.ts';
import { emailInput } from './admin-inputs.ts';
import { signedInHolder, standingView } from './account-organisation-view.ts';

/*
 * Adding professionals from the console: one at a time (name and email), or several from pasted lines, shown as a dry
 * run first and added only when the administrator confirms the same lines. The fields are checked as the account API
 * checks them, so that a mistyped address comes back to its form with its error instead of reaching the directory.
 */

/** The form as posted: any text, checked once the CSRF token has been (a forged form learns nothing about fields). */
const addForm = z.object({
  csrf: z.string().max(100),
  display_name: z.string().max(1000).default(''),
  email: z.string().max(1000).default(''),
});
const NAME_MAX = 200;
const professional = z.object({ display_name: nameText(NAME_MAX), email: emailInput });

/** At most what fits the 16 KB form with its token: a longer paste is better sent through the API's batch. */
const MAX_LINES_TEXT = 15_000;
const severalForm = z.object({
  csrf: z.string().max(100),
  lines: z.string().max(MAX_LINES_TEXT).default(''),
  /** Present on the preview's button: the same lines, for real. */
  apply: z.literal('1').optional(),
});

/** Each field's first problem, by field name, in the page's language, for the form to show beside it. */
function fieldErrors(kit: ConsoleKit, ctx: Context, error: z.ZodError): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const issue of error.issues) {
    const field = String(issue.path[0] ?? 'form');
    errors[field] ??=
      field === 'email'
        ? kit.t(ctx, 'organisation.person.emailError')
        : issue.code === 'too_small'
          ? kit.t(ctx, 'organisation.add.nameEmpty')
          : issue.code === 'too_big'
            ? kit.t(ctx, 'organisation.add.nameTooLong', { max: NAME_MAX })
            : kit.t(ctx, 'organisation.add.nameControl');
  }
  return errors;
}

/** The report's lines as the preview and the report show them, each reason in the page's language. */
const rowsView = (ctx: Context, kit: ConsoleKit, report: AddProfessionalsReport) =>
  report.details.map((row) => ({
    line: row.line,
    email: row.email,
    outcome: row.outcome,
    created: row.outcome === 'created',
    rejected: row.outcome === 'rejected',
    reason: row.why?.length
      ? row.why.map((why) => kit.t(ctx, `organisation.rowReason.${why.code}`, why.values)).join('; ')
      : row.reason,
    invitation: row.invitation && ('error' in row.invitation ? { failed: true } : row.invitation),
  }));

export function addingPages(router: Router, kit: ConsoleKit): void {
  /** The add form for an administrator (the use cases' 403 for anyone else), empty or with what was posted. */
  const addPage = (
    ctx: Context,
    holder: AccountHolder,
    current: CurrentSession,
    form: { display_name?: string; email?: string; errors?: Record<string, string> } = {},
  ) => {
    const standing = kit.account.organisation.standing(holder);
    kit.page(ctx, 'organisation/add', {
      title: kit.t(ctx, form.errors ? 'organisation.add.titleError' : 'organisation.add.title'),
      ...standingView(standing),
      form,
      csrf: kit.csrfToken(current),
    });
  };

  router.get('/organisation/add', async (ctx) => {
    const signed = await signedInHolder(kit, ctx);
    if (signed) addPage(ctx, signed.holder, signed.current);
  });

  router.post(
    '/organisation/add',
    ...route([bodyStep('16kb'), formStep(addForm)], async (ctx) => {
      const signed = await signedInHolder(kit, ctx);
      if (!signed) return;
      const { current, holder } = signed;
      kit.verifyCsrf(ctx, current, ctx.state.form.csrf);
      const checked = professional.safeParse(ctx.state.form);
      if (!checked.success) {
        ctx.status = 400;
        return addPage(ctx, holder, current, { ...ctx.state.form, errors: fieldErrors(kit, ctx, checked.error) });
      }
      const { profile, invitation } = await kit.account.organisation.addProfessional(
        holder,
        { displayName: checked.data.display_name, email: checked.data.email },
        ctx.ip,
        kit.language(ctx),
      );
      kit.page(ctx, 'organisation/added', {
        title: kit.t(ctx, 'organisation.added.title'),
        person: { id: profile.id, name: profile.displayName, email: profile.email },
        invitation: { reference: invitation.reference, expiresOn: new Date(invitation.expires_at) },
        organisation: holder.organisation.name,
      });
    }),
  );

  const severalPage = (
    ctx: Context,
    holder: AccountHolder,
    current: CurrentSession,
    form: { lines?: string; error?: string } = {},
  ) => {
    const standing = kit.account.organisation.standing(holder);
    kit.page(ctx, 'organisation/add-several', {
      title: kit.t(ctx, form.error ? 'organisation.several.titleError' : 'organisation.several.title'),
      ...standingView(standing),
      form,
      maxLength: MAX_LINES_TEXT,
      csrf: kit.csrfToken(current),
    });
  };

  router.get('/organisation/add-several', async (ctx) => {
    const signed = await signedInHolder(kit, ctx);
    if (signed) severalPage(ctx, signed.holder, signed.current);
  });

  router.post(
    '/organisation/add-several',
    ...route([bodyStep('16kb'), formStep(severalForm)], async (ctx) => {
      const signed = await signedInHolder(kit, ctx);
      if (!signed) return;
      const { current, holder } = signed;
      const { csrf, lines, apply } = ctx.state.form;
      kit.verifyCsrf(ctx, current, csrf);
      if (!lines.trim()) {
        ctx.status = 400;
        return severalPage(ctx, holder, current, {
          lines,
          error: kit.t(ctx, 'organisation.several.empty'),
        });
      }
      const dryRun = apply !== '1';
      const report = await kit.account.organisation.addProfessionals(
        holder,
        lines,
        { dryRun, language: kit.language(ctx) },
        ctx.ip,
      );
      const rows = rowsView(ctx, kit, report);
      kit.page(ctx, dryRun ? 'organisation/add-preview' : 'organisation/add-report', {
        title: kit.t(ctx, dryRun ? 'organisation.preview.title' : 'organisation.report.title'),
        counts: report.rows,
        rows,
        lines,
        anyToAdd: report.rows.created > 0,
        reference: report.reference,
        csrf: kit.csrfToken(current),
      });
    }),
  );
}
