import { z } from 'zod';
import { PROFILE_ROLES, RECORD_STATUSES } from '../../directory/model.ts';
import { kindRecord } from '../../directory/profile-kinds.ts';

/*
 * What the admin API answers with, as zod schemas: each route's handler is type-checked against its schema, the
 * OpenAPI document describes them (an `id` makes a named component), and the conformance test parses every answer
 * with them (test/admin/conformance-api.test.ts).
 */

export const errorRecord = z
  .object({
    error: z.string().meta({
      description: 'A stable code',
      examples: [
        'invalid_input',
        'insufficient_scope',
        'client_not_found',
        'managed_by_configuration',
        'organisation_not_found',
        'profile_not_found',
        'account_number_taken',
        'profile_email_taken',
        'administrator_exists',
        'not_associated',
        'import_unreadable',
      ],
    }),
    message: z.string().meta({ description: 'What went wrong, and what to do about it, for a person' }),
    reference: z
      .string()
      .meta({ description: "Quote it to the broker's operators: it ties the answer to their log line." }),
  })
  .meta({ id: 'Error' });

const clientExample = {
  client_id: 'customer-portal',
  status: 'active',
  source: 'configuration',
  created_at: '2026-01-05T09:30:00.000Z',
  updated_at: '2026-01-05T09:30:00.000Z',
  has_secret: true,
  metadata: {
    client_id: 'customer-portal',
    client_name: 'Customer portal',
    redirect_uris: ['https://customers.example/cb'],
    grant_types: ['authorization_code', 'refresh_token'],
    profile_kinds: ['customer'],
  },
};

export const clientRecord = z
  .object({
    client_id: z.string(),
    status: z.enum(RECORD_STATUSES),
    source: z.enum(['configuration', 'admin']).meta({
      description:
        "configuration: defined in the broker's configuration, editable only there (it can be disabled here).",
    }),
    created_at: z.iso.datetime(),
    updated_at: z.iso.datetime(),
    has_secret: z.boolean().meta({ description: 'Whether it authenticates with a secret (shown once, when made)' }),
    metadata: z.record(z.string(), z.unknown()).meta({ description: "The client's metadata, without its secret." }),
  })
  .meta({ id: 'Client', examples: [clientExample] });

export const clientWithSecret = z
  .object({
    client: clientRecord,
    client_secret: z.string().optional().meta({ description: 'Shown once; store it now.' }),
  })
  .meta({ id: 'ClientWithSecret' });

export const organisationRecord = z
  .object({
    id: z.string(),
    account_number: z.string(),
    name: z.string(),
    kind: kindRecord(),
    status: z.enum(RECORD_STATUSES),
    contract_ends_on: z.iso
      .date()
      .nullable()
      .meta({ description: 'Last day the service contract covers; null without a contract' }),
    administrator_id: z.string().nullable().optional().meta({ description: 'Shown when one organisation is read' }),
  })
  .meta({
    id: 'Organisation',
    examples: [
      {
        id: 'org-contoso',
        account_number: 'C-104233',
        name: 'Contoso Pharmaceuticals',
        kind: 'customer',
        status: 'active',
        contract_ends_on: '2099-12-31',
        administrator_id: 'prf-alice-contoso',
      },
    ],
  });

export const profileRecord = z
  .object({
    id: z.string(),
    organisation_id: z.string(),
    email: z.string().meta({ format: 'email', description: 'The registered address, lower-case' }),
    display_name: z.string(),
    role: z.enum(PROFILE_ROLES),
    status: z.enum(RECORD_STATUSES),
    locale: z
      .string()
      .nullable()
      .meta({ description: "The language of the person's emails (a BCP 47 tag); null: the broker chooses" }),
  })
  .meta({
    id: 'Profile',
    examples: [
      {
        id: 'prf-erin-contoso',
        organisation_id: 'org-contoso',
        email: 'erin.evans@contoso.example',
        display_name: 'Erin Evans',
        role: 'professional',
        status: 'active',
        locale: 'de',
      },
    ],
  });

/** Where a list continues: the `after` of its next page, null on the last. */
export const nextPage = z
  .string()
  .nullable()
  .meta({ description: 'Pass as `after` for the next page; null on the last page' });
