import { describe, expect, it } from '@jest/globals';
import { createExtraClientMetadata, redirectUriProblem } from '../../src/oidc/client-policy.ts';
import { startBroker, TEST_PORTAL } from '../support/broker.ts';
import { ConfigError } from '../../src/shared/errors.ts';
import { DEFAULT_PROFILE_KINDS } from '../../src/directory/profile-kinds.ts';

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
    await expect(startBroker({ clients: [{ ...TEST_PORTAL, profile_kinds: ['supplier'] }] })).rejects.toThrow(
      'profile_kinds: "supplier" is not a configured kind; each kind must be one of customer, partner, employee',
    );
  });
});

describe('back-channel logout URI rules', () => {
  /** The broker's client validation, as oidc-provider runs it for every client: what it refuses, or undefined. */
  const problemOf = (uri: string, production: boolean) => {
    try {
      createExtraClientMetadata({
        allowLoopbackHttp: !production,
        upstreamIds: [],
        profileKinds: DEFAULT_PROFILE_KINDS,
      }).validator!(undefined as never, 'profile_kinds', undefined, {
        client_id: 'p',
        redirect_uris: ['https://portal.example/cb'],
        backchannel_logout_uri: uri,
      });
      return undefined;
    } catch (err) {
      return (err as { error_description?: string }).error_description;
    }
  };

  it.each([
    ['http://portal.example/logout', 'must use https'],
    ['https://127.0.0.1/logout', 'loopback, link-local or private'],
    ['https://169.254.169.254/latest/meta-data', 'loopback, link-local or private'],
    ['https://10.1.2.3/logout', 'loopback, link-local or private'],
    ['https://[::1]/logout', 'loopback, link-local or private'],
    ['https://localhost/logout', 'local network'],
    ['https://localhost./logout', 'local network'],
    ['https://intranet/logout', 'local network'],
    ['https://user:pw@portal.example/logout', 'user name or password'],
  ])('refuses %s in production', (uri, problem) => {
    expect(problemOf(uri, true)).toContain(problem);
  });

  it('takes a public https URI in production, and loopback http while developing', () => {
    expect(problemOf('https://portal.example/oidc/backchannel-logout', true)).toBeUndefined();
    expect(problemOf('http://127.0.0.1:4000/backchannel-logout', false)).toBeUndefined();
    expect(problemOf('javascript:alert(1)', false)).toContain('must use https or http');
  });
});
