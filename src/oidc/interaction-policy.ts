import { interactionPolicy, type KoaContextWithOIDC } from 'oidc-provider';

const { base, Check, Prompt } = interactionPolicy;

/**
 * oidc-provider's login and consent prompts, plus:
 * - `select_account` (requestable): the profile picker on demand, for the portals' "switch profile";
 * - a login check that the session's profile is still admitted by this client: otherwise the person is asked
 *   again (the picker, or a page saying why), and `prompt=none` gets `login_required` instead of a token for an
 *   ineligible profile.
 */
export function createInteractionPolicy(isAdmitted: (ctx: KoaContextWithOIDC, profileId: string) => Promise<boolean>) {
  const policy = base();
  const login = policy.get('login')!;
  login.checks.add(
    new Check(
      'profile_not_admitted',
      // prompt=none gets the same answer as without a session, word for word: a portal must not learn that this
      // browser is signed in with a profile it does not admit.
      login.checks.get('no_session')!.description,
      // Checks added after the prompt is built do not inherit its error; prompt=none must get login_required.
      'login_required',
      async (ctx) => {
        const profileId = ctx.oidc.session?.accountId;
        if (!profileId) return Check.NO_NEED_TO_PROMPT;
        return (await isAdmitted(ctx, profileId)) ? Check.NO_NEED_TO_PROMPT : Check.REQUEST_PROMPT;
      },
    ),
  );
  policy.add(new Prompt({ name: 'select_account', requestable: true }), 0);
  return policy;
}
