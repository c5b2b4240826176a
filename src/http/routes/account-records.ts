import { z } from 'zod';
import type { AccountOverview } from '../../account/account-overview.ts';
import { PROFILE_ROLES, RECORD_STATUSES } from '../../directory/model.ts';
import { kindRecord } from '../../directory/profile-kinds.ts';

/*
 * What the account API answers with, as zod schemas: handlers are type-checked against them, the account API's
 * OpenAPI document describes them, and the API tests parse answers with them.
 */

export const accountErrorRecord = z
  .object({
    error: z.string().meta({
      description: 'A stable code',
      examples: ['account_token_missing', 'account_token_invalid', 'insufficient_scope', 'profile_not_in_account'],
    }),
    message: z.string().meta({ description: 'What went wrong, and what to do about it, for a person' }),
    reference: z
      .string()
      .meta({ description: "Quote it to the broker's operators: it ties the answer to their log line." }),
  })
  .meta({ id: 'Error' });

const accountProfile = z
  .object({
    id: z.string().meta({ description: 'The profile id: `sub` of the tokens issued for it' }),
    display_name: z.string(),
    email: z.string().meta({ description: 'The email registered with the organisation' }),
    role: z.enum(PROFILE_ROLES),
    status: z.enum(RECORD_STATUSES),
    locale: z.string().nullable().meta({
      description:
        'The language the broker writes to the person in, for this profile (a BCP 47 tag); null: the language of the page that caused an email, else the default',
    }),
    organisation: z.object({
      id: z.string(),
      name: z.string(),
      account_number: z.string(),
      kind: kindRecord(),
      status: z.enum(RECORD_STATUSES),
      contract_ends_on: z.string().nullable().meta({ description: 'Last day of the service contract (YYYY-MM-DD)' }),
      contract_active: z.boolean(),
    }),
    associated_at: z.string().meta({ description: 'When the account was associated with the profile (ISO 8601)' }),
    admitted_by: z
      .array(z.object({ client_id: z.string(), name: z.string() }))
      .meta({ description: 'The portals that would let this profile in now' }),
    current: z.boolean().meta({ description: 'The profile this token (or console session) acts as' }),
  })
  .meta({ id: 'AccountProfile' });

export const accountRecord = z
  .object({
    account: z.object({
      upstream: z.string().meta({ description: 'The identity provider the person signs in with, by id' }),
      upstream_name: z.string().meta({ description: 'Its name, as people know it' }),
      masked: z.string().meta({ description: 'The sign-in account, masked as the notices show it' }),
    }),
    profiles: z.array(accountProfile),
  })
  .meta({
    id: 'Account',
    examples: [
      {
        account: { upstream: 'msa', upstream_name: 'Microsoft account', masked: 'e***n@example.com' },
        profiles: [
          {
            id: 'prf-erin-contoso',
            display_name: 'Erin Evans',
            email: 'erin.evans@contoso.example',
            role: 'professional',
            status: 'active',
            locale: 'de',
            organisation: {
              id: 'org-contoso',
              name: 'Contoso Ltd',
              account_number: '7001234',
              kind: 'customer',
              status: 'active',
              contract_ends_on: '2027-06-30',
              contract_active: true,
            },
            associated_at: '2026-03-02T10:15:00.000Z',
            admitted_by: [{ client_id: 'customer-portal', name: 'Customer portal' }],
            current: true,
          },
        ],
      },
    ],
  });

export const accountView = (overview: AccountOverview): z.input<typeof accountRecord> => ({
  account: {
    upstream: overview.account.upstreamId,
    upstream_name: overview.account.upstreamName,
    masked: overview.account.masked,
  },
  profiles: overview.profiles.map((p) => ({
    id: p.profile.id,
    display_name: p.profile.displayName,
    email: p.profile.email,
    role: p.profile.role,
    status: p.profile.status,
    locale: p.profile.locale ?? null,
    organisation: {
      id: p.organisation.id,
      name: p.organisation.name,
      account_number: p.organisation.accountNumber,
      kind: p.organisation.kind,
      status: p.organisation.status,
      contract_ends_on: p.organisation.contractEndsOn ?? null,
      contract_active: p.contractActive,
    },
    associated_at: p.associatedAt.toISOString(),
    admitted_by: p.admittedBy.map((a) => ({ client_id: a.clientId, name: a.name })),
    current: p.current,
  })),
});

export const removalRecord = z
  .object({
    reference: z.string().meta({ description: 'The audit reference of the removal; the notice quotes it too' }),
    signed_out: z
      .boolean()
      .meta({ description: 'True when the profile removed was the one this token acts as: the token stops working' }),
  })
  .meta({ id: 'Removal', examples: [{ reference: 'R-7Q2M-XK4P', signed_out: false }] });

export const languageRecord = z
  .object({
    id: z.string().meta({ description: 'The profile id' }),
    locale: z.string().nullable().meta({ description: 'The language of its emails now; null: none chosen' }),
  })
  .meta({ id: 'ProfileLanguage', examples: [{ id: 'prf-erin-contoso', locale: 'fr-CH' }] });
