import type Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import type { AccountHolder } from '../../account/account-holder.ts';
import { RECORD_STATUSES } from '../../directory/model.ts';
import { bodyStep, formStep } from '../steps/interaction-steps.ts';
import { route } from '../steps/route.ts';
import type { ConsoleKit, CurrentSession } from './account-console.ts';
import { emailInput, trimmedText } from './admin-inputs.ts';
import { personView, profileIdOf, signedInHolder, standingView } from './account-organisation-view.ts';

/*
 * The changes an administrator makes to one person of the organisation, each a POST form with the session's CSRF
 * token, each answered with a page saying what happened and the audit reference where the use case gives one. The
 * two that cannot be undone from here (removing an association, handing the role over) ask on a page of their own
 * first, naming the person.
 */

const tokenOnly = z.object({ csrf: z.string().max(100) });
const statusForm = z.object({ csrf: z.string().max(100), status: z.enum(RECORD_STATUSES) });
const emailForm = z.object({ csrf: z.string().max(100), email: z.string().max(1000).default('') });
const removeForm = z.object({ csrf: z.string().max(100), reason: z.string().max(1000).default('') });
const reasonText = trimmedText(500).optional();

const personUrl = (profileId: string) => `/account/organisation/people/${encodeURIComponent(profileId)}`;

export function personChangePages(router: Router, kit: ConsoleKit): void {
  const organisation = kit.account.organisation;

  /** The signed-in administrator's form, its token checked; undefined once the browser was sent to sign in. */
  const posted = async (ctx: Context, csrf: string) => {
    const signed = await signedInHolder(kit, ctx);
    if (signed) kit.verifyCsrf(ctx, signed.current, csrf);
    return signed;
  };

  /** What happened, on one page: `outcome` picks the words, `reference` is the change's audit event. */
  const done = (
    ctx: Context,
    outcome: string,
    title: string,
    data: { person: { id: string; name: string; email?: string }; reference?: string } & Record<string, unknown>,
  ) =>
    kit.page(ctx, 'organisation/done', {
      title,
      outcome,
      [outcome]: true,
      ...data,
      personUrl: personUrl(data.person.id),
    });

  /** The person's page again, with a field's error (400). */
  const personPage = async (
    ctx: Context,
    holder: AccountHolder,
    current: CurrentSession,
    profileId: string,
    form: Record<string, unknown>,
  ) => {
    const standing = organisation.standing(holder);
    const person = await organisation.showPerson(holder, profileId);
    ctx.status = 400;
    kit.page(ctx, 'organisation/person', {
      title: kit.t(ctx, 'organisation.person.titleError', { name: person.displayName }),
      ...standingView(standing),
      person: personView(person, holder, standing),
      form,
      csrf: kit.csrfToken(current),
    });
  };

  router.post(
    '/organisation/people/:profileId/invitation',
    ...route([bodyStep('16kb'), formStep(tokenOnly)], async (ctx) => {
      const profileId = profileIdOf(ctx);
      const signed = await posted(ctx, ctx.state.form.csrf);
      if (!signed) return;
      const invitation = await organisation.resendInvitation(signed.holder, profileId, ctx.ip, kit.language(ctx));
      const person = await organisation.showPerson(signed.holder, profileId);
      done(ctx, 'invited', kit.t(ctx, 'organisation.done.invitedTitle'), {
        person: { id: person.id, name: person.displayName, email: person.email },
        reference: invitation.reference,
        expiresOn: new Date(invitation.expires_at),
      });
    }),
  );

  router.post(
    '/organisation/people/:profileId/invitation/revoke',
    ...route([bodyStep('16kb'), formStep(tokenOnly)], async (ctx) => {
      const profileId = profileIdOf(ctx);
      const signed = await posted(ctx, ctx.state.form.csrf);
      if (!signed) return;
      const { revoked, reference } = await organisation.revokeInvitation(signed.holder, profileId, ctx.ip);
      const person = await organisation.showPerson(signed.holder, profileId);
      done(
        ctx,
        'revoked',
        kit.t(ctx, revoked ? 'organisation.done.revokedTitle' : 'organisation.done.nothingToRevokeTitle'),
        {
          person: { id: person.id, name: person.displayName },
          reference,
          nothing: !revoked,
        },
      );
    }),
  );

  router.post(
    '/organisation/people/:profileId/email',
    ...route([bodyStep('16kb'), formStep(emailForm)], async (ctx) => {
      const profileId = profileIdOf(ctx);
      const signed = await posted(ctx, ctx.state.form.csrf);
      if (!signed) return;
      const email = emailInput.safeParse(ctx.state.form.email);
      if (!email.success) {
        return personPage(ctx, signed.holder, signed.current, profileId, {
          email: ctx.state.form.email,
          emailError: kit.t(ctx, 'organisation.person.emailError'),
        });
      }
      const person = await organisation.correctEmail(signed.holder, profileId, email.data, ctx.ip);
      done(ctx, 'corrected', kit.t(ctx, 'organisation.done.correctedTitle'), {
        person: { id: person.id, name: person.displayName },
        email: person.email,
      });
    }),
  );

  router.post(
    '/organisation/people/:profileId/status',
    ...route([bodyStep('16kb'), formStep(statusForm)], async (ctx) => {
      const profileId = profileIdOf(ctx);
      const signed = await posted(ctx, ctx.state.form.csrf);
      if (!signed) return;
      const person = await organisation.setStatus(signed.holder, profileId, ctx.state.form.status, ctx.ip);
      const disabled = person.status === 'disabled';
      done(
        ctx,
        disabled ? 'disabled' : 'enabled',
        kit.t(ctx, disabled ? 'organisation.done.disabledTitle' : 'organisation.done.enabledTitle'),
        {
          person: { id: person.id, name: person.displayName },
        },
      );
    }),
  );

  /** A confirmation page naming the person (the use cases' 403 and 404 as for the change itself). */
  const confirmation = (path: string, view: string, titleKey: string) =>
    router.get(path, async (ctx) => {
      const profileId = profileIdOf(ctx);
      const signed = await signedInHolder(kit, ctx);
      if (!signed) return;
      const { current, holder } = signed;
      const standing = organisation.standing(holder);
      const person = await organisation.showPerson(holder, profileId);
      kit.page(ctx, view, {
        title: kit.t(ctx, titleKey, { name: person.displayName }),
        ...standingView(standing),
        person: personView(person, holder, standing),
        csrf: kit.csrfToken(current),
      });
    });

  confirmation('/organisation/people/:profileId/remove', 'organisation/confirm-remove', 'organisation.remove.title');

  router.post(
    '/organisation/people/:profileId/remove',
    ...route([bodyStep('16kb'), formStep(removeForm)], async (ctx) => {
      const profileId = profileIdOf(ctx);
      const signed = await posted(ctx, ctx.state.form.csrf);
      if (!signed) return;
      const reason = reasonText.safeParse(ctx.state.form.reason.trim() || undefined);
      if (!reason.success) {
        ctx.status = 400;
        const standing = organisation.standing(signed.holder);
        const person = await organisation.showPerson(signed.holder, profileId);
        return kit.page(ctx, 'organisation/confirm-remove', {
          title: kit.t(ctx, 'organisation.remove.titleError', { name: person.displayName }),
          ...standingView(standing),
          person: personView(person, signed.holder, standing),
          form: {
            reason: ctx.state.form.reason,
            reasonError: kit.t(ctx, 'organisation.remove.reasonError'),
          },
          csrf: kit.csrfToken(signed.current),
        });
      }
      const person = await organisation.showPerson(signed.holder, profileId);
      const removed = await organisation.removeAssociation(
        signed.holder,
        profileId,
        reason.data,
        ctx.ip,
        kit.language(ctx),
      );
      if (removed.signedOut) {
        // The administrator removed their own association: this session's token stopped working with it.
        delete signed.current.s.signedIn;
        await signed.current.save();
      }
      done(ctx, 'removed', kit.t(ctx, 'organisation.done.removedTitle'), {
        person: { id: person.id, name: person.displayName },
        reference: removed.reference,
        signedOut: removed.signedOut,
      });
    }),
  );

  confirmation(
    '/organisation/people/:profileId/hand-over',
    'organisation/confirm-hand-over',
    'organisation.handOver.title',
  );

  router.post(
    '/organisation/people/:profileId/hand-over',
    ...route([bodyStep('16kb'), formStep(tokenOnly)], async (ctx) => {
      const profileId = profileIdOf(ctx);
      const signed = await posted(ctx, ctx.state.form.csrf);
      if (!signed) return;
      const result = await organisation.handOverAdministrator(signed.holder, profileId, ctx.ip, kit.language(ctx));
      done(ctx, 'handedOver', kit.t(ctx, 'organisation.done.handedOverTitle'), {
        person: { id: result.administrator.id, name: result.administrator.displayName },
        organisation: result.organisation.name,
        reference: result.reference,
        unchanged: !result.reference,
      });
    }),
  );
}
