import { z } from 'zod';

/* A broker session as the account API and the support API answer with it. */

export const sessionRecord = z
  .object({
    id: z.string(),
    profile_id: z.string().meta({ description: 'The profile the session is signed in as' }),
    started_at: z.string().meta({ description: 'When the person signed in (ISO 8601)' }),
    last_used_at: z.string().nullable().meta({ description: 'The last sign-in at a portal with it' }),
    browser: z
      .string()
      .nullable()
      .meta({ description: 'The browser and system the session started in, e.g. "Firefox 128 on Windows 10"' }),
    upstream: z.string().nullable().meta({ description: 'The identity provider the person signed in with' }),
    portals: z.array(z.object({ client_id: z.string(), name: z.string() })),
  })
  .meta({ id: 'Session' });

export const sessionList = z.object({ sessions: z.array(sessionRecord) }).meta({
  id: 'SessionList',
  examples: [
    {
      sessions: [
        {
          id: '8Yf1cQq9aV0oZrX6',
          profile_id: 'prf-alice-contoso',
          started_at: '2027-03-02T09:00:00.000Z',
          last_used_at: '2027-03-02T09:14:00.000Z',
          browser: 'Firefox 128 on Windows 10',
          upstream: 'msa',
          portals: [{ client_id: 'customer-portal', name: 'Customer portal' }],
        },
      ],
    },
  ],
});

export const endedRecord = z.object({ ended: z.number().int().meta({ description: 'How many sessions ended' }) });

export { sessionJson } from '../../sessions/session-view.ts';
