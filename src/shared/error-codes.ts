/** Where the words a person reads for a code come from. */
export interface MessageSource {
  /**
   * True: the catalogue's `errors.message.<code>` (views/locales/<language>/errors.json), filled with the error's
   * details. False: the code has no sentence of its own; the error's message is shown when it was written to be
   * shown (`expose`), the generic `errors.message.internal_error` sentence otherwise.
   */
  template: boolean;
  /** `errors.apiMessage.<code>` holds other words for an API caller than `errors.message.<code>` for a person at a page. */
  apiTemplate?: boolean;
}

/**
 * The error codes the broker answers with: the `error` of a JSON answer, the line a page logs, and the name of the
 * sentence a person reads. Clients and tests rely on these strings, so the list is closed: `AppError` and its
 * subclasses take only these (or, from `toAppError`, oidc-provider's own; see `ProviderErrorCode`), and a code
 * that is not listed here fails the type check. test/unit/page-text.test.ts holds this table and the catalogue's
 * `errors.message.*` and `errors.apiMessage.*` keys to each other, in both directions and in every language.
 */
export const ERROR_CODES = {
  // The request itself, refused by the HTTP pipeline before any use case runs.
  bad_address: { template: true },
  bad_request: { template: true },
  cross_origin: { template: true },
  csrf_failed: { template: true },
  duplicate_parameter: { template: true },
  invalid_input: { template: true, apiTemplate: true },
  not_found: { template: true },
  too_large: { template: true },
  unsupported_media_type: { template: true },

  // Sign-in at the broker's pages.
  flow_expired: { template: true },
  not_signed_in: { template: true },
  portal_gone: { template: true },
  profile_not_available: { template: true },
  too_many_sign_ins: { template: true },
  unknown_upstream: { template: true },

  // The round trip to an upstream identity provider.
  access_denied: { template: true },
  state_mismatch: { template: true },
  state_missing: { template: true },
  upstream_disabled: { template: true },
  upstream_refused: { template: true },
  upstream_response_invalid: { template: true },
  upstream_unavailable: { template: true },

  // First-login association: requesting and redeeming a link.
  link_state_mismatch: { template: true },
  no_address: { template: true },
  too_many_requests: { template: true },

  // The admin API's bearer tokens.
  admin_token_invalid: { template: true },
  admin_token_missing: { template: true },
  insufficient_scope: { template: true },

  // Client management.
  client_exists: { template: true },
  client_not_found: { template: true },
  managed_by_configuration: { template: true },
  public_client: { template: true },
  scope_not_held: { template: true },
  secret_required: { template: true },

  // Directory management and import.
  account_number_taken: { template: true },
  administrator_exists: { template: true },
  import_unreadable: { template: true },
  organisation_exists: { template: true },
  organisation_not_found: { template: true },
  profile_disabled: { template: true },
  profile_email_taken: { template: true },
  profile_exists: { template: true },
  profile_not_found: { template: true },
  profile_not_in_organisation: { template: true },

  // The support desk.
  client_not_a_portal: { template: true },
  not_associated: { template: true },

  // Self-service: the account console and the account API.
  account_token_invalid: { template: true },
  account_token_missing: { template: true },
  profile_not_in_account: { template: true },
  session_not_found: { template: true },

  // Self-service: an organisation's administrator.
  cannot_disable_yourself: { template: true },
  email_change_needs_support: { template: true },
  not_organisation_administrator: { template: true },
  organisation_read_only: { template: true },
  person_already_associated: { template: true },
  person_not_found: { template: true },
  too_many_invitations: { template: true },
  administrator_not_associated: { template: true },

  // Self-service: changing one's registered email.
  email_address_invalid: { template: true },
  email_address_taken: { template: true },
  email_address_unchanged: { template: true },
  email_change_expired: { template: true },
  email_change_outdated: { template: true },
  email_change_revoked: { template: true },
  email_change_superseded: { template: true },
  email_change_unknown: { template: true },
  email_change_used: { template: true },
  too_many_email_changes: { template: true },

  // Mail that failed every attempt.
  mail_not_found: { template: true },

  // Webhook subscriptions and their deliveries.
  webhook_delivery_not_failed: { template: true },
  webhook_delivery_not_found: { template: true },
  webhook_exists: { template: true },
  webhook_not_found: { template: true },
  webhook_url_refused: { template: true },

  // Something on the broker's side.
  internal_error: { template: true },
  service_unavailable: { template: true },
  // A deployment problem (a secret key missing from SECRET_KEYS): never exposed, so the person reads the
  // internal_error sentence and the message, which names the setting to fix, goes to the log.
  client_secret_unreadable: { template: false },
} as const satisfies Record<string, MessageSource>;

export type ErrorCode = keyof typeof ERROR_CODES;

/**
 * The details the error sentences read, besides `supportName` and `supportEmail` (which every sentence may use). A
 * throw site that leaves one out is not an error: the sentence reads it as `none` and says something that fits
 * (`{name, select, none {This person} other {{name}}}`). Booleans read as `true`/`false` in a select. The page-text
 * test holds this list and the catalogues' placeholders to each other.
 */
export const SENTENCE_VALUES = [
  'accountNumber',
  'adminClient',
  'administratorId',
  'clientCredentials',
  'clientId',
  'contractEndedOn',
  'eventId',
  'fields',
  'id',
  'minutes',
  'name',
  'organisation',
  'pasted',
  'portal',
  'problem',
  'scope',
  'scopes',
  'status',
  'upstream',
  'upstreamError',
  'verb',
] as const;

export function isErrorCode(code: string): code is ErrorCode {
  return Object.hasOwn(ERROR_CODES, code);
}

/**
 * A code oidc-provider chose (invalid_request, invalid_client_metadata, invalid_redirect_uri, login_required…),
 * passed on unchanged by `toAppError` when a provider error reaches the broker's error handler (client
 * registration through the admin API, interaction calls). These are not the broker's: they are OAuth's and
 * OpenID's registered error codes, which an API caller can look up in the specifications, and oidc-provider may
 * add to them in any release (or raise its own through CustomOIDCProviderError). So they are neither copied into
 * ERROR_CODES nor renamed into it; they have no sentences in the catalogue, and their message (oidc-provider's
 * description, written to be shown below 500) is what the caller reads. The brand keeps them apart from the closed list: only
 * `providerErrorCode` makes one, so a string at a broker throw site still has to be an ErrorCode.
 */
export type ProviderErrorCode = string & { readonly __brand: 'oidc-provider' };

export function providerErrorCode(code: string): ProviderErrorCode {
  return code as ProviderErrorCode;
}

/** What an AppError may carry: one of the broker's codes, or one oidc-provider raised. */
export type AppErrorCode = ErrorCode | ProviderErrorCode;
