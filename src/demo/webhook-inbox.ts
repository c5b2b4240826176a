import Router from '@koa/router';
import { Webhook } from 'standardwebhooks';
import type { Views } from '../http/views.ts';
import type { SessionStore } from '../shared/session-store.ts';

/** One request the inbox received, as the page shows it. */
export interface InboxEntry {
  receivedAt: string;
  id: string;
  type: string;
  verified: boolean;
  payload: string;
}

const KEEP = 50;
const KEPT_SECONDS = 24 * 3600;

/**
 * The demo's webhook receiver (development only), written as a subscriber would write one: it verifies each request's
 * Standard Webhooks signature with the secret of its subscription and keeps the last 50 at /dev/webhooks. The
 * broker's demo subscribes it to every event at start (services.ts). Its list lives in the demo's shared store; two
 * demo nodes receiving at the same moment may each keep only their own entry.
 */
export function createWebhookInbox(deps: {
  views: Views;
  store: SessionStore<InboxEntry[]>;
  /** The subscription's signing secret, as the subscriber was given it. */
  secret: () => Promise<string | undefined>;
}): Router {
  const router = new Router();

  router.post('/dev/webhooks/receive', async (ctx) => {
    const body = await new Promise<string>((resolve, reject) => {
      let text = '';
      ctx.req.setEncoding('utf8');
      ctx.req.on('data', (chunk: string) => {
        text += chunk;
        if (text.length > 64 * 1024) reject(new Error('too large'));
      });
      ctx.req.on('end', () => resolve(text));
      ctx.req.on('error', reject);
    }).catch(() => undefined);
    const secret = await deps.secret();
    if (body === undefined || !secret) {
      ctx.status = 400;
      return;
    }
    let verified = false;
    let type = 'unknown';
    try {
      const payload = new Webhook(secret).verify(body, {
        'webhook-id': ctx.get('webhook-id'),
        'webhook-timestamp': ctx.get('webhook-timestamp'),
        'webhook-signature': ctx.get('webhook-signature'),
      }) as { type?: string };
      verified = true;
      type = String(payload.type ?? 'unknown');
    } catch {
      // Kept anyway, marked: the page shows what a forged or altered request looks like to a subscriber.
    }
    const entries = (await deps.store.get('entries')) ?? [];
    entries.unshift({
      receivedAt: new Date().toISOString(),
      id: ctx.get('webhook-id').slice(0, 100),
      type,
      verified,
      payload: body.slice(0, 4000),
    });
    await deps.store.set('entries', entries.slice(0, KEEP), KEPT_SECONDS);
    // A subscriber answers 2xx for what it accepted, and 4xx for what it did not sign off (the broker retries).
    ctx.status = verified ? 204 : 400;
  });

  router.get('/dev/webhooks', async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    const entries = (await deps.store.get('entries')) ?? [];
    ctx.body = deps.views.render(
      'demo/webhooks',
      {
        title: 'Development webhook inbox',
        entries: entries.map((e) => ({ ...e, payload: prettyJson(e.payload) })),
      },
      { layout: 'demo' },
    );
  });

  return router;
}

function prettyJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}
