import { describe, expect, it } from '@jest/globals';
import { createLogger } from '../../src/shared/logger.ts';
import { REDACTED } from '../../src/shared/log-redaction.ts';

/** Every line the broker's logger writes, parsed, as a log shipper would read it. */
function captured() {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger('info', { write: (line: string) => void lines.push(JSON.parse(line)) });
  return { logger, lines };
}

describe("the logger's redaction", () => {
  it('writes one JSON line per event: level, ISO time, event, fields', () => {
    const { logger, lines } = captured();
    logger.warn('mail.retry', { reference: 'R-1', attempt: 2 });
    expect(lines).toEqual([
      {
        level: 'warn',
        time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        event: 'mail.retry',
        reference: 'R-1',
        attempt: 2,
      },
    ]);
  });

  it('keeps the event name even when a field is called `event`', () => {
    const { logger, lines } = captured();
    logger.info('webhooks.publish_deferred', { event: 'E-1' });
    expect(lines[0]!.event).toBe('webhooks.publish_deferred');
  });

  it('removes tokens, secrets, passwords, cookies, authorization headers, codes and addresses by field name', () => {
    const { logger, lines } = captured();
    const fields = {
      token: 't0k3n',
      access_token: 'at-secret',
      refresh_token: 'rt-secret',
      id_token: 'eyJhbGciOi.id.token',
      client_secret: 'cs-secret',
      clientSecret: 'cs-secret-2',
      password: 'hunter2',
      cookie: '_session=abc',
      authorization: 'Basic dXNlcjpwYXNz',
      code: 'auth-code-123',
      code_verifier: 'verifier-abc',
      email: 'alice@contoso.example',
      to: 'bob@fabrikam.example',
      profile_email: 'carol@northwind.example',
      upstreamToken: 'ut-secret',
      headers: { authorization: 'Bearer abc.def', cookie: 'a=b', 'set-cookie': ['s=1'], accept: 'text/html' },
      nested: { deeper: { secret: 's3', linkToken: 'lt' } },
      reference: 'R-2',
      error_code: 'flow_expired',
    };
    logger.info('test.fields', fields);
    const line = lines[0]!;
    for (const key of [
      'token',
      'access_token',
      'refresh_token',
      'id_token',
      'client_secret',
      'clientSecret',
      'password',
      'cookie',
      'authorization',
      'code',
      'code_verifier',
      'email',
      'to',
      'profile_email',
      'upstreamToken',
    ])
      expect(line[key]).toBe(REDACTED);
    expect(line.headers).toEqual({
      authorization: REDACTED,
      cookie: REDACTED,
      'set-cookie': REDACTED,
      accept: 'text/html',
    });
    expect(line.nested).toEqual({ deeper: { secret: REDACTED, linkToken: REDACTED } });
    // What is not secret stays, and the caller's object is left as it was.
    expect(line).toMatchObject({ reference: 'R-2', error_code: 'flow_expired' });
    expect(fields.token).toBe('t0k3n');
    expect(fields.headers.authorization).toBe('Bearer abc.def');
  });

  it('removes addresses, link tokens, codes and credentials from text, in any field', () => {
    const { logger, lines } = captured();
    logger.error('mail.failed', {
      message: '550 5.1.1 <erin.evans@contoso.example>: Recipient address rejected',
      path: '/associate/3q2-7wEjLkOp_9xYz',
      url: 'https://broker.example/account/email/confirm/AbCdEf123?x=1',
      cause: 'POST /token?code=SplxlOBeZQQYbYS6WxSbIA&state=xyz failed',
      stack: 'Error: x\n    at file:///app/node_modules/@koa/router/dist/index.js:10:5 (pino@10.4.0)',
      header: 'Authorization: Bearer eyJhbGciOiJSUzI1NiJ9.payload.sig',
      list: ['dave@example.com', 'fine'],
    });
    const text = JSON.stringify(lines[0]);
    for (const secret of [
      'erin.evans',
      'contoso.example',
      '3q2-7wEjLkOp_9xYz',
      'AbCdEf123',
      'SplxlOBeZQQYbYS6WxSbIA',
      'eyJhbGciOiJSUzI1NiJ9',
      'dave@example.com',
    ])
      expect(text).not.toContain(secret);
    expect(lines[0]).toMatchObject({
      message: '550 5.1.1 <[email]>: Recipient address rejected',
      path: '/associate/[link]',
      url: 'https://broker.example/account/email/confirm/[link]?x=1',
      cause: `POST /token?code=${REDACTED}&state=xyz failed`,
      header: `Authorization: Bearer ${REDACTED}`,
      list: ['[email]', 'fine'],
    });
    // Paths of packages and versions are not addresses.
    expect(lines[0]!.stack).toContain('node_modules/@koa/router/dist/index.js:10:5 (pino@10.4.0)');
  });

  it("leaves the association pages' fixed paths alone", () => {
    const { logger, lines } = captured();
    logger.info('test.paths', { path: '/associate/continue', done: '/associate/done', route: '/interaction/:uid' });
    expect(lines[0]).toMatchObject({
      path: '/associate/continue',
      done: '/associate/done',
      route: '/interaction/:uid',
    });
  });

  it('writes nothing below the configured level, and nothing at all when silent', () => {
    const warnOnly = captured();
    const lines: unknown[] = [];
    const silent = createLogger('silent', { write: (line: string) => void lines.push(line) });
    const quiet = createLogger('warn', { write: (line: string) => void warnOnly.lines.push(JSON.parse(line)) });
    quiet.info('x.info');
    quiet.warn('x.warn');
    quiet.error('x.error');
    silent.error('x.error');
    expect(warnOnly.lines.map((l) => l.event)).toEqual(['x.warn', 'x.error']);
    expect(lines).toEqual([]);
  });
});
