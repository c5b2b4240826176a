/**
 * What the logger removes from every line, whoever wrote it (docs/decisions/0023). Two layers, both in the logger's
 * configuration (logger.ts): pino's `redact` replaces the values of the field names below, nested one level too;
 * `scrubLogFields` then catches what a path list cannot: a field whose name merely contains such a word
 * (`profile_email`, `upstreamToken`), and secrets inside text (an SMTP reply quoting an address, a URL with a link
 * token or an authorization code in it).
 */

export const REDACTED = '[redacted]';

/** Field names whose value is never logged: tokens, secrets, passwords, cookies, credentials, codes, addresses. */
const SECRET_FIELDS = [
  'token',
  'access_token',
  'refresh_token',
  'id_token',
  'logout_token',
  'accessToken',
  'refreshToken',
  'idToken',
  'linkToken',
  'code',
  'authorization_code',
  'code_verifier',
  'codeVerifier',
  'secret',
  'client_secret',
  'clientSecret',
  'password',
  'passphrase',
  'cookie',
  'cookies',
  'authorization',
  'email',
  'to',
  'recipient',
];

/** The paths handed to pino's `redact`: each field at the top of a line and one level down (`headers.cookie`). */
export const REDACTED_PATHS: readonly string[] = [
  ...SECRET_FIELDS,
  ...SECRET_FIELDS.map((field) => `*.${field}`),
  'headers["set-cookie"]',
  '*.headers["set-cookie"]',
];

/**
 * A field name that says its value is secret. `error_code` (the broker's stable error codes) and `reference` are not
 * secrets; an authorization, device or user code is.
 */
const SECRET_NAME =
  /token|secret|passw|cookie|authorization|e-?mail|recipient|verifier|^code$|^(?:auth|authorization|device|user|upstream)_?code$/i;

/** An email address inside text. A package name with a version (`pino@10.4.0`) is not one: the last label is letters. */
const EMAIL = /[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)*\.\p{L}{2,}/gu;

/** A link token in a URL path: association links and email-change confirmations. */
const LINK_PATH = /\/(associate|account\/email\/confirm)\/(?!continue\b|done\b|\[link\]|:)[^/?#\s"'<>]+/g;

/** A secret in a query string or form body: `?code=…`, `&refresh_token=…`. */
const SECRET_PARAMETER =
  /([?&;\s](?:code|token|access_token|refresh_token|id_token|logout_token|client_secret|code_verifier)=)[^&#\s"'<>]+/g;

/** Credentials in an Authorization header quoted in text. */
const CREDENTIALS = /\b(Bearer|Basic|DPoP)\s+[A-Za-z0-9._~+/=-]+/g;

/** Text with addresses, link tokens, codes and credentials replaced. */
export function scrubText(text: string): string {
  return text
    .replace(EMAIL, '[email]')
    .replace(LINK_PATH, '/$1/[link]')
    .replace(SECRET_PARAMETER, `$1${REDACTED}`)
    .replace(CREDENTIALS, `$1 ${REDACTED}`);
}

/** A line's fields with secrets removed, as a new object (the caller's fields are left as they were). */
export function scrubLogFields(fields: Record<string, unknown>): Record<string, unknown> {
  return scrubObject(fields, 0);
}

const MAX_DEPTH = 6;

function scrubValue(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return scrubText(value);
  if (depth >= MAX_DEPTH || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => scrubValue(item, depth + 1));
  if (value instanceof Error) return scrubObject({ name: value.name, message: value.message }, depth + 1);
  const prototype = Object.getPrototypeOf(value) as unknown;
  if (prototype !== Object.prototype && prototype !== null) return value;
  return scrubObject(value as Record<string, unknown>, depth + 1);
}

function scrubObject(fields: Record<string, unknown>, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    out[key] = SECRET_NAME.test(key) && value !== undefined ? REDACTED : scrubValue(value, depth);
  }
  return out;
}
