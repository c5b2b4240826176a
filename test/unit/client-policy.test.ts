import { describe, expect, it } from '@jest/globals';
import { redirectUriProblem } from '../../src/oidc/client-policy.ts';
import { startBroker, TEST_PORTAL } from '../support/broker.ts';
import { ConfigError } from '../../src/shared/errors.ts';

describe('redirect URI rules', () => {
  it.each([
    ['javascript:alert(1)', 'must use https'],
    ['data:text/html,hi', 'must use https'],
    ['http://portal.example/cb', 'must use https'],
    ['https://*.portal.example/cb', 'wildcards are not allowed'],
    ['not a url', 'not an absolute URL'],
  ])('refuses %s', (uri, problem) => {
    expect(redirectUriProblem(uri, { allowLoopbackHttp: true })).toContain(problem);
  });

  it('allows https, and plain http on loopback only while developing', () => {
    expect(redirectUriProblem('https://portal.example/cb', { allowLoopbackHttp: false })).toBeUndefined();
    expect(redirectUriProblem('http://localhost:3000/cb', { allowLoopbackHttp: true })).toBeUndefined();
    expect(redirectUriProblem('http://127.0.0.1:3000/cb', { allowLoopbackHttp: false })).toContain('must use https');
  });

  it('stops the broker from starting with a client that breaks them, naming the URI', async () => {
    await expect(
      startBroker({ clients: [{ ...TEST_PORTAL, post_logout_redirect_uris: ['javascript:alert(1)'] }] }),
    ).rejects.toThrow(ConfigError);
    await expect(
      startBroker({ clients: [{ ...TEST_PORTAL, post_logout_redirect_uris: ['javascript:alert(1)'] }] }),
    ).rejects.toThrow('clients.test-portal: javascript:alert(1): must use https (plain http only on localhost)');
    await expect(startBroker({ clients: [{ ...TEST_PORTAL, profile_kinds: ['employee'] }] })).rejects.toThrow(
      /profile_kinds must be a non-empty list of customer, partner/,
    );
  });
});
