import { z } from 'zod';

/**
 * The kinds of organisation the directory holds (a profile's kind is its organisation's), as the operator configures
 * them (`directory.profileKinds`, PROFILE_KINDS): the broker knows no kind of its own. Every way in (import, seed,
 * admin API, command line, client registration) checks a kind against this list at the edge; stores keep a kind as
 * plain text (docs/decisions/0022-profile-kinds.md).
 */
export type ProfileKinds = readonly string[];

/** What the broker ships with: customers, partners, and a company's own employees. */
export const DEFAULT_PROFILE_KINDS: ProfileKinds = ['customer', 'partner', 'employee'];

/** A kind is a lower-case slug: it goes into tokens (`profile_kind`), URLs and catalogue keys (`profile.kind.<kind>`). */
export const PROFILE_KIND_SLUG = /^[a-z][a-z0-9-]{0,31}$/;
export const PROFILE_KIND_SLUG_RULE = 'a lower-case slug (a letter, then letters, digits or dashes, at most 32)';

/** "must be one of customer, partner, employee": the same words wherever a kind is refused. */
export const kindsRule = (kinds: ProfileKinds) => `must be one of ${kinds.join(', ')}`;

/**
 * A kind as an input schema: one of `kinds`, refused with the allowed ones named. The OpenAPI documents show it as a
 * string, since the list is the deployment's; `explain` lets the request guard print the rule after the field.
 */
export const kindInput = (kinds: ProfileKinds) =>
  z
    .string()
    .refine((kind) => kinds.includes(kind), { message: kindsRule(kinds), params: { explain: true } })
    .meta({ description: KIND_DESCRIPTION, examples: ['customer'] });

/** A kind as an output schema: whatever the directory holds. */
export const kindRecord = () => z.string().meta({ description: KIND_DESCRIPTION, examples: ['customer'] });

const KIND_DESCRIPTION =
  'A profile kind the broker is configured with (PROFILE_KINDS; by default customer, partner, employee)';
