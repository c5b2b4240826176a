import { z } from 'zod';
import { RECORD_STATUSES } from '../directory/model.ts';
import { organisationView, profileView } from '../directory/directory-views.ts';
import {
  required,
  arg,
  str,
  defined,
  table,
  fields,
  more,
  paging,
  organisationFields,
  kindOption,
  type Command,
} from './command-kit.ts';

/** The `organisations` commands (admin:directory, and admin:support for the administrator). */
export const organisationCommands: Record<string, Command> = {
  'organisations list': {
    usage: 'organisations list [--kind <kind>] [--status active|disabled] [--q <text>] [--limit n] [--after id]',
    summary: 'List organisations',
    run: async ({ ops, options, kinds }) => {
      const page = await ops.directory.listOrganisations(
        defined({
          kind: kindOption(options.kind, kinds),
          status: z.enum(RECORD_STATUSES).optional().parse(str(options.status)),
          q: str(options.q),
        }),
        paging(options),
      );
      return { organisations: page.items.map(organisationView), next: page.next ?? null };
    },
    text: (r: { organisations: Record<string, unknown>[]; next: string | null }) =>
      table(r.organisations, ['id', 'account_number', 'name', 'kind', 'status', 'contract_ends_on']) + more(r.next),
  },
  'organisations show': {
    usage: 'organisations show <organisation-id>',
    summary: 'Show an organisation and its administrator',
    run: async ({ ops, args }) =>
      organisationView(await ops.directory.getOrganisation(arg(args, 0, 'organisation-id'))),
    text: (r: Record<string, unknown>) => fields(r),
  },
  'organisations create': {
    usage:
      'organisations create --account-number <n> --name <name> --kind <kind> [--contract-ends-on YYYY-MM-DD] [--id <id>]',
    summary: 'Create an organisation',
    run: async ({ ops, who, options, kinds }) =>
      organisationView(
        await ops.directory.createOrganisation(who, {
          ...organisationFields(options, kinds),
          ...(str(options.id) ? { id: str(options.id)! } : {}),
        }),
      ),
    text: (r: { id: string }) => `created ${r.id}`,
  },
  'organisations update': {
    usage:
      'organisations update <organisation-id> --account-number <n> --name <name> --kind <kind> [--contract-ends-on YYYY-MM-DD]',
    summary: "Replace an organisation's fields (no --contract-ends-on: no contract)",
    run: async ({ ops, who, args, options, kinds }) =>
      organisationView(
        await ops.directory.updateOrganisation(
          who,
          arg(args, 0, 'organisation-id'),
          organisationFields(options, kinds),
        ),
      ),
    text: (r: { id: string }) => `updated ${r.id}`,
  },
  'organisations disable': {
    usage: 'organisations disable <organisation-id> [--reason <text>]',
    summary: 'Disable an organisation: none of its profiles can sign in',
    run: async ({ ops, who, args, options }) =>
      organisationView(
        await ops.directory.setOrganisationStatus(
          who,
          arg(args, 0, 'organisation-id'),
          'disabled',
          str(options.reason),
        ),
      ),
    text: (r: { id: string; status: string }) => `${r.id}: ${r.status}`,
  },
  'organisations enable': {
    usage: 'organisations enable <organisation-id> [--reason <text>]',
    summary: 'Enable an organisation',
    run: async ({ ops, who, args, options }) =>
      organisationView(
        await ops.directory.setOrganisationStatus(who, arg(args, 0, 'organisation-id'), 'active', str(options.reason)),
      ),
    text: (r: { id: string; status: string }) => `${r.id}: ${r.status}`,
  },
  'organisations set-administrator': {
    usage: 'organisations set-administrator <organisation-id> <profile-id> --reason <text>',
    summary: 'Designate or replace the administrator (both are emailed)',
    run: async ({ ops, who, args, options }) => {
      const r = await ops.directory.designateAdministrator(
        who,
        arg(args, 0, 'organisation-id'),
        arg(args, 1, 'profile-id'),
        required(options.reason, 'reason'),
      );
      return {
        organisation: organisationView({ ...r.organisation, administratorId: r.administrator.id }),
        administrator: profileView(r.administrator),
        previous: r.previous ? profileView(r.previous) : null,
        reference: r.reference ?? null,
      };
    },
    text: (r: {
      organisation: { id: string };
      administrator: { id: string };
      previous: { id: string } | null;
      reference: string | null;
    }) =>
      r.reference
        ? `${r.administrator.id} is now the administrator of ${r.organisation.id}${r.previous ? ` (was ${r.previous.id})` : ''}; reference ${r.reference}`
        : `${r.administrator.id} already is the administrator of ${r.organisation.id}`,
  },
};
