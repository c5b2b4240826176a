import { z } from 'zod';
import { LOCALE_MAX_LENGTH, LOCALE_RULE, LOCALE_TAG, RECORD_STATUSES } from '../directory/model.ts';
import { profileView } from '../directory/directory-views.ts';
import { required, arg, str, defined, table, fields, more, paging, type Command } from './command-kit.ts';
import { sessionJson } from '../sessions/session-view.ts';

/** `--locale de`: the language of the person's emails; on update, `--locale ''` removes it. */
const localeOption = (value: string | boolean | undefined, empty: 'refuse' | 'clear') => {
  const tag = str(value)?.trim();
  if (tag === undefined) return {};
  if (tag === '' && empty === 'clear') return { locale: null };
  return {
    locale: z
      .string()
      .max(LOCALE_MAX_LENGTH, `--locale must be ${LOCALE_RULE}, at most ${LOCALE_MAX_LENGTH} characters`)
      .regex(LOCALE_TAG, `--locale must be ${LOCALE_RULE}`)
      .parse(tag),
  };
};

/** The `profiles` commands (admin:directory, and admin:support for associations, links and invitations). */
export const profileCommands: Record<string, Command> = {
  'profiles list': {
    usage:
      'profiles list [--organisation <id>] [--email <address>] [--role administrator|professional] [--status active|disabled] [--q <text>] [--limit n] [--after id]',
    summary: 'List profiles',
    run: async ({ ops, options }) => {
      const filter = defined({
        organisationId: str(options.organisation),
        email: str(options.email),
        q: str(options.q),
        role: z.enum(['administrator', 'professional']).optional().parse(str(options.role)),
        status: z.enum(RECORD_STATUSES).optional().parse(str(options.status)),
      });
      const page = await ops.directory.listProfiles(filter, paging(options));
      return { profiles: page.items.map(profileView), next: page.next ?? null };
    },
    text: (r: { profiles: Record<string, unknown>[]; next: string | null }) =>
      table(r.profiles, ['id', 'organisation_id', 'email', 'display_name', 'role', 'status']) + more(r.next),
  },
  'profiles show': {
    usage: 'profiles show <profile-id>',
    summary: 'Show a profile',
    run: async ({ ops, args }) => profileView(await ops.directory.getProfile(arg(args, 0, 'profile-id'))),
    text: (r: Record<string, unknown>) => fields(r),
  },
  'profiles create': {
    usage:
      'profiles create --organisation <id> --email <address> --name <display name> [--role administrator|professional] [--locale <language tag>] [--invite]',
    summary: 'Add a profile (the first of an organisation becomes its administrator); --invite emails it a link',
    run: async ({ ops, who, options }) =>
      profileView(
        await ops.directory.createProfile(
          who,
          {
            organisationId: required(options.organisation, 'organisation'),
            email: z.email().parse(required(options.email, 'email').trim()),
            displayName: required(options.name, 'name'),
            ...(str(options.role) ? { role: z.enum(['administrator', 'professional']).parse(str(options.role)) } : {}),
            ...(localeOption(options.locale, 'refuse') as { locale?: string }),
          },
          { invite: options.invite === true },
        ),
      ),
    text: (r: { id: string; role: string }) => `created ${r.id} (${r.role})`,
  },
  'profiles update': {
    usage: "profiles update <profile-id> --email <address> --name <display name> [--locale <language tag>|'']",
    summary:
      "Replace a profile's registered email and name (a new email revokes its links), and its language with --locale ('' removes it)",
    run: async ({ ops, who, args, options }) =>
      profileView(
        await ops.directory.updateProfile(who, arg(args, 0, 'profile-id'), {
          email: z.email().parse(required(options.email, 'email').trim()),
          displayName: required(options.name, 'name'),
          ...localeOption(options.locale, 'clear'),
        }),
      ),
    text: (r: { id: string }) => `updated ${r.id}`,
  },
  'profiles disable': {
    usage: 'profiles disable <profile-id> [--reason <text>]',
    summary: 'Disable a profile: it cannot sign in or be associated',
    run: async ({ ops, who, args, options }) =>
      profileView(
        await ops.directory.setProfileStatus(who, arg(args, 0, 'profile-id'), 'disabled', str(options.reason)),
      ),
    text: (r: { id: string; status: string }) => `${r.id}: ${r.status}`,
  },
  'profiles enable': {
    usage: 'profiles enable <profile-id> [--reason <text>]',
    summary: 'Enable a profile',
    run: async ({ ops, who, args, options }) =>
      profileView(await ops.directory.setProfileStatus(who, arg(args, 0, 'profile-id'), 'active', str(options.reason))),
    text: (r: { id: string; status: string }) => `${r.id}: ${r.status}`,
  },
  'profiles association': {
    usage: 'profiles association <profile-id>',
    summary: 'Show which account (masked) signs in as the profile, since when, and how',
    run: ({ ops, args }) => ops.support.showAssociation(arg(args, 0, 'profile-id')),
    text: (r: Record<string, unknown>) => fields(r),
  },
  'profiles unlink': {
    usage: 'profiles unlink <profile-id> --reason <text>',
    summary: 'Unlink the profile from its account; signs it out everywhere and revokes its links',
    run: ({ ops, who, args, options }) =>
      ops.support.unlink(who, arg(args, 0, 'profile-id'), required(options.reason, 'reason')),
    text: (r: { reference: string }) => `unlinked; reference ${r.reference}`,
  },
  'profiles links': {
    usage: 'profiles links <profile-id>',
    summary: "List the profile's association links with their status",
    run: async ({ ops, args }) => ({ links: await ops.support.listLinks(arg(args, 0, 'profile-id')) }),
    text: (r: { links: Record<string, unknown>[] }) =>
      table(r.links, ['id', 'status', 'kind', 'created_at', 'expires_at', 'reference']),
  },
  'profiles invite': {
    usage: 'profiles invite <profile-id> [--client <client-id>]',
    summary: 'Send an association email ("Send Invite E-mail"); supersedes older links',
    run: ({ ops, who, args, options }) =>
      ops.support.invite(who, arg(args, 0, 'profile-id'), { clientId: str(options.client) }),
    text: (r: { link_id: string; reference: string; expires_at: string }) =>
      `invitation ${r.link_id} queued; expires ${r.expires_at}; reference ${r.reference}`,
  },
  'profiles sessions': {
    usage: 'profiles sessions <profile-id>',
    summary: "List the profile's broker sessions: started, last used, browser, portals",
    run: async ({ ops, who, args }) => ({
      sessions: (await ops.support.listSessions(who, arg(args, 0, 'profile-id'))).map(sessionJson),
    }),
    text: (r: { sessions: ReturnType<typeof sessionJson>[] }) =>
      table(
        r.sessions.map((s) => ({ ...s, portals: s.portals.map((p) => p.client_id).join(' ') })),
        ['id', 'started_at', 'last_used_at', 'upstream', 'portals', 'browser'],
      ),
  },
  'profiles sign-out': {
    usage: 'profiles sign-out <profile-id> --reason <text> [--session=<session-id>]',
    summary: 'Sign the profile out of one session, or of every one; their portals get logout tokens',
    run: async ({ ops, who, args, options }) => ({
      ended: await ops.support.endSessions(
        who,
        arg(args, 0, 'profile-id'),
        required(options.reason, 'reason'),
        str(options.session),
      ),
    }),
    text: (r: { ended: number }) => `${r.ended} session${r.ended === 1 ? '' : 's'} signed out`,
  },
};
