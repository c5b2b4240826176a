import { ACCOUNT_SCOPE } from '../account/account-holder.ts';
import type { AnyAccountRoute } from './account-route.ts';
import { openApiDocument, renderDocument, type ApiDescription } from './openapi-document.ts';
import { accountErrorRecord } from './routes/account-records.ts';

const TAGS = {
  person: { name: 'my account', description: 'What any signed-in person can see and do with their own account.' },
  administrator: {
    name: 'our organisation',
    description: "What an organisation's administrator can do for their own organisation.",
  },
};

/** The account API's own words around its operations (openapi-document.ts makes the document). */
export const ACCOUNT_API: ApiDescription<AnyAccountRoute> = {
  info: {
    title: 'Profile broker account API',
    version: '1.0.0',
    description: `Self-service for people signed in through the broker, for portals that offer it in their own pages (the broker's own account console at /account uses the same use cases). Call it with the person's access token, obtained by the authorization code flow with the \`${ACCOUNT_SCOPE}\` scope; the token acts as the profile it was issued for (its \`sub\`). A token of a profile disabled, unlinked or removed since is refused. Every error is JSON: {error, message, reference}, with a stable \`error\` code and a message a person can act on.`,
  },
  server: '/account/api/v1',
  tags: Object.values(TAGS),
  securitySchemes: {
    personToken: {
      type: 'oauth2',
      description: "A person's access token from the broker's authorization code flow.",
      flows: {
        authorizationCode: {
          authorizationUrl: '/auth',
          tokenUrl: '/token',
          scopes: {
            [ACCOUNT_SCOPE]: "Act on the signed-in person's own account (and, for an administrator, organisation)",
          },
        },
      },
    },
  },
  error: accountErrorRecord,
  tagOf: (route) => TAGS[route.access].name,
  securityOf: () => [{ personToken: [ACCOUNT_SCOPE] }],
};

export const accountOpenApiDocument = (routes: readonly AnyAccountRoute[]) => openApiDocument(ACCOUNT_API, routes);
export const renderAccountOpenApiDocument = (routes: readonly AnyAccountRoute[]) =>
  renderDocument(accountOpenApiDocument(routes));
