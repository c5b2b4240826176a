import { usesMemoryStores, type Config } from './schema.ts';

/**
 * Domains that only ever stand in for a real one: the defaults' `localhost` and `example.com` (RFC 2606 reserves
 * example.com, .net and .org). Mail from them is refused or lost, and people told to write to them get no answer.
 */
const PLACEHOLDER_DOMAIN = /(^|\.)(localhost|example\.(com|net|org))$/i;
/** The domain of `a@b` or `Name <a@b>`. */
const domainOf = (address: string) => /@([^@\s<>]+)>?\s*$/.exec(address.trim())?.[1] ?? '';
const isPlaceholder = (address: string) => PLACEHOLDER_DOMAIN.test(domainOf(address).replace(/\.$/, ''));

/**
 * Development defaults that must not reach production, each with the setting that replaces it.
 * Returns every problem at once so an operator fixes them in one pass.
 */
export function productionProblems(config: Config): string[] {
  const problems: string[] = [];
  if (usesMemoryStores(config)) {
    problems.push(
      'MONGODB_URI and REDIS_URL: memory stores lose every session on restart and cannot be shared between nodes; set both',
    );
  }
  if (!config.keys.jwksFile) {
    problems.push(
      'JWKS_FILE: signing keys are generated per process by default; create a key set with `npm run keys` and point JWKS_FILE at it',
    );
  }
  if (!config.keys.cookieKeys?.length) {
    problems.push(
      'COOKIE_KEYS: cookie signing keys are random per process by default; set COOKIE_KEYS to one or more comma-separated secrets of 32+ characters (or COOKIE_KEYS_FILE to a file with one per line)',
    );
  }
  if (!config.keys.secretKeys?.length) {
    problems.push(
      'SECRET_KEYS: client secrets are encrypted with a key derived from the cookie keys by default; set SECRET_KEYS to one or more comma-separated secrets of 32+ characters, other than the cookie keys (or SECRET_KEYS_FILE to a file with one per line; `npm run keys -- --secret-out FILE` writes one)',
    );
  }
  if (!config.mail.smtpUrl) {
    problems.push(
      'SMTP_URL: association emails go to the development mailbox by default; set SMTP_URL to your SMTP server',
    );
  }
  if (isPlaceholder(config.mail.from)) {
    problems.push(
      `MAIL_FROM: every email would be sent from the placeholder ${config.mail.from}; set MAIL_FROM to a sender of your own domain, e.g. "Sign-in <no-reply@id.your-company.com>"`,
    );
  }
  if (isPlaceholder(config.support.email)) {
    problems.push(
      `SUPPORT_EMAIL: pages and emails would send people who are stuck to the placeholder ${config.support.email}; set SUPPORT_EMAIL to your support desk's address (and support.name in the configuration file)`,
    );
  }
  if (config.demo.enabled) {
    problems.push(
      'DEMO: the development upstream, demo portals and demo directory are development-only; set DEMO=false',
    );
  }
  if (!config.issuer.startsWith('https://')) {
    problems.push(`ISSUER: must be the broker's public https URL (got ${config.issuer})`);
  }
  for (const upstream of config.upstreams) {
    if (upstream.allowInsecureHttp || !upstream.issuer.startsWith('https://')) {
      problems.push(`upstreams.${upstream.id}: plain-http upstreams are development-only`);
    }
  }
  if (!config.upstreams.some((u) => u.enabled)) {
    problems.push(
      'upstreams: no upstream identity provider is enabled; add one to the configuration file (BROKER_CONFIG)',
    );
  }
  return problems;
}
