import { runCommand } from '../../src/cli/commands.ts';
import { operatorActor } from '../../src/clients/admin-scopes.ts';
import { ADMIN_API_PREFIX } from '../../src/http/routes/admin-api.ts';
import { basicAuth, type TestBroker } from './broker.ts';

export interface AdminCredentials {
  id: string;
  secret: string;
}

export interface ApiResponse {
  status: number;
  headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON from the API under test, checked field by field
  body: Record<string, any> | undefined;
}

/** Talks to a broker's admin API as a real caller: tokens by client credentials at /token, then JSON over HTTP. */
export function adminApi(issuer: string, root: AdminCredentials) {
  /** An admin access token from the broker's own token endpoint, by client credentials. */
  async function token(scope: string, as = root): Promise<string> {
    const response = await fetch(`${issuer}/token`, {
      method: 'POST',
      headers: { authorization: basicAuth(as.id, as.secret) },
      body: new URLSearchParams({ grant_type: 'client_credentials', scope }),
    });
    const body = (await response.json()) as { access_token?: string; error?: string };
    if (!body.access_token) throw new Error(`no admin token: ${JSON.stringify(body)}`);
    return body.access_token;
  }

  async function call(
    method: string,
    path: string,
    bearer: string | undefined,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<ApiResponse> {
    const response = await fetch(`${issuer}${ADMIN_API_PREFIX}${path}`, {
      method,
      headers: {
        ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await response.text();
    return {
      status: response.status,
      headers: response.headers,
      body: text ? (JSON.parse(text) as ApiResponse['body']) : undefined,
    };
  }

  return { token, call };
}

/** `npm run admin -- …` against a test broker, through the command line's own parsing and printing, with its kinds. */
export const commandLineOf =
  (broker: TestBroker) =>
  (...argv: string[]) =>
    runCommand(
      broker.services.admin,
      operatorActor('ops'),
      argv,
      (error) => error.message,
      broker.services.config.directory.profileKinds,
    );
