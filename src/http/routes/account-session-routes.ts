import { z } from 'zod';
import { accountRoute } from '../account-route.ts';
import { endedRecord, sessionJson, sessionList } from './session-records.ts';

const sessionPath = z.object({
  sessionId: z
    .string()
    .min(1)
    .max(200)
    .meta({ description: 'A session id, as the session list gives it', examples: ['8Yf1cQq9aV0oZrX6'] }),
});

/** "Where you're signed in": the broker sessions of the person's account, and signing them out. */
export const mySessionRoutes = [
  accountRoute({
    operationId: 'listMySessions',
    method: 'get',
    path: '/sessions',
    access: 'person',
    summary: "The browsers signed in with the person's account",
    description:
      'Every broker session of the upstream account the token was issued to, for all its profiles, newest first: when it started and was last used, the browser, and the portals signed in with it.',
    request: {},
    response: { status: 200, description: 'The sessions', schema: sessionList },
    handle: async ({ holder }, account) => ({ sessions: (await account.sessions.list(holder)).map(sessionJson) }),
  }),
  accountRoute({
    operationId: 'endMySession',
    method: 'delete',
    path: '/sessions/{sessionId}',
    access: 'person',
    summary: 'Sign out one session',
    description:
      'Ends the session at the broker and revokes the grants that end with it; each portal signed in with it that registered a back-channel logout URI receives a logout token.',
    request: { params: sessionPath },
    refusals: { 404: 'No such session of this account (it ended already, or is not theirs)' },
    response: { status: 200, description: 'Signed out', schema: endedRecord },
    handle: async ({ holder, params, ip }, account) => {
      await account.sessions.end(holder, params.sessionId, ip);
      return { ended: 1 };
    },
  }),
  accountRoute({
    operationId: 'endAllMySessions',
    method: 'delete',
    path: '/sessions',
    access: 'person',
    summary: 'Sign out everywhere',
    description:
      "Ends every session of the person's account, the one the token came from included (so the token stops working when its grant ends with it); their portals receive logout tokens.",
    request: {},
    response: { status: 200, description: 'Signed out everywhere', schema: endedRecord },
    handle: async ({ holder, ip }, account) => ({ ended: await account.sessions.endAll(holder, ip) }),
  }),
];
