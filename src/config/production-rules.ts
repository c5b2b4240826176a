import { usesMemoryStores, type Config } from './schema.ts';

/**
 * Development defaults that must not reach production, each with the setting that replaces it.
 * Returns every problem at once so an operator fixes them in one pass.
 */
export function productionProblems(config: Config): string[] {
  const problems: string[] = [];
  if (usesMemoryStores(config)) {
    problems.push('MONGODB_URI and REDIS_URL: memory stores lose every session on restart and cannot be shared between nodes; set both');
  }
  if (!config.keys.jwksFile) {
    problems.push('JWKS_FILE: signing keys are generated per process by default; create a key set with `npm run keys` and point JWKS_FILE at it');
  }
  if (!config.keys.cookieKeys?.length) {
    problems.push('COOKIE_KEYS: cookie signing keys are random per process by default; set COOKIE_KEYS to one or more comma-separated secrets of 32+ characters (or COOKIE_KEYS_FILE to a file with one per line)');
  }
  if (!config.keys.secretKeys?.length) {
    problems.push('SECRET_KEYS: client secrets are encrypted with a key derived from the cookie keys by default; set SECRET_KEYS to one or more comma-separated secrets of 32+ characters, other than the cookie keys (or SECRET_KEYS_FILE to a file with one per line; `npm run keys -- --secret-out FILE` writes one)');
  }
  if (!config.mail.smtpUrl) {
    problems.push('SMTP_URL: association emails go to the development mailbox by default; set SMTP_URL to your SMTP server');
  }
  if (config.demo.enabled) {
    problems.push('DEMO: the development upstream, demo portals and demo directory are development-only; set DEMO=false');
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
    problems.push('upstreams: no upstream identity provider is enabled; add one to the configuration file (BROKER_CONFIG)');
  }
  return problems;
}
