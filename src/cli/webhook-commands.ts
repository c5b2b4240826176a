import { z } from 'zod';
import { parseInput } from '../shared/parse-input.ts';
import { WEBHOOK_EVENT_TYPES } from '../webhooks/webhook-events.ts';
import { DELIVERY_STATUSES, webhookInput } from '../webhooks/webhook-input.ts';
import { arg, fields, more, paging, str, table, type Command } from './command-kit.ts';

const secretShown = (r: { webhook: { id: string }; secret: string }) =>
  `webhook ${r.webhook.id}\nsecret: ${r.secret}\n(shown once: store it now; receivers verify every request with it)`;

interface DeliveryRow {
  event_id: string;
  type: string;
  occurred_at: string;
  status: string;
  attempts: number;
  history: { error: string | null }[];
}

/** The `webhooks` commands (admin:events in the API). */
export const webhookCommands: Record<string, Command> = {
  'webhooks list': {
    usage: 'webhooks list',
    summary: 'List webhook subscriptions',
    run: ({ ops }) => ops.webhooks.list(),
    text: (r: { webhooks: Record<string, unknown>[] }) =>
      table(
        r.webhooks.map((w) => ({ ...w, events: (w.all_events as boolean) ? 'all' : (w.events as string[]).join(',') })),
        ['id', 'status', 'url', 'events'],
      ),
  },
  'webhooks show': {
    usage: 'webhooks show <webhook-id>',
    summary: 'Show a webhook subscription (never its secret)',
    run: ({ ops, args }) => ops.webhooks.get(arg(args, 0, 'webhook-id')),
    text: (r: Record<string, unknown>) => fields(r),
  },
  'webhooks create': {
    usage: `webhooks create <url> [--events <type,type…>] [--name <description>]`,
    summary: `Subscribe an endpoint to events (${WEBHOOK_EVENT_TYPES.length} types; all unless --events); its signing secret is printed once`,
    run: ({ ops, who, args, options }) =>
      ops.webhooks.create(
        who,
        parseInput(
          webhookInput,
          {
            url: arg(args, 0, 'url'),
            ...(str(options.events)
              ? {
                  events: str(options.events)!
                    .split(',')
                    .map((e) => e.trim()),
                }
              : {}),
            ...(str(options.name) ? { description: str(options.name) } : {}),
          },
          'webhook',
        ),
      ),
    text: secretShown,
  },
  'webhooks disable': {
    usage: 'webhooks disable <webhook-id>',
    summary: 'Stop sending to a subscription; its events wait until it is enabled',
    run: ({ ops, who, args }) => ops.webhooks.setStatus(who, arg(args, 0, 'webhook-id'), 'disabled'),
    text: (r: { id: string; status: string }) => `${r.id}: ${r.status}`,
  },
  'webhooks enable': {
    usage: 'webhooks enable <webhook-id>',
    summary: 'Send to a subscription again, what waited first',
    run: ({ ops, who, args }) => ops.webhooks.setStatus(who, arg(args, 0, 'webhook-id'), 'active'),
    text: (r: { id: string; status: string }) => `${r.id}: ${r.status}`,
  },
  'webhooks delete': {
    usage: 'webhooks delete <webhook-id>',
    summary: 'Delete a subscription and its deliveries',
    run: async ({ ops, who, args }) => {
      await ops.webhooks.remove(who, arg(args, 0, 'webhook-id'));
      return { deleted: args[0] };
    },
    text: (r: { deleted: string }) => `deleted ${r.deleted}`,
  },
  'webhooks rotate-secret': {
    usage: 'webhooks rotate-secret <webhook-id>',
    summary: 'Give a subscription a new signing secret (printed once); the old one stops at once',
    run: ({ ops, who, args }) => ops.webhooks.rotateSecret(who, arg(args, 0, 'webhook-id')),
    text: secretShown,
  },
  'webhooks deliveries': {
    usage: 'webhooks deliveries <webhook-id> [--status pending|delivered|failed] [--limit n] [--after cursor]',
    summary: "A subscription's deliveries, newest event first",
    run: ({ ops, args, options }) =>
      ops.webhooks.deliveries(arg(args, 0, 'webhook-id'), {
        ...paging(options),
        ...(str(options.status) ? { status: z.enum(DELIVERY_STATUSES).parse(str(options.status)) } : {}),
      }),
    text: (r: { deliveries: DeliveryRow[]; next: string | null }) =>
      table(
        r.deliveries.map((d) => ({ ...d, last_error: d.history.at(-1)?.error ?? null })),
        ['event_id', 'type', 'occurred_at', 'status', 'attempts', 'last_error'],
      ) + more(r.next),
  },
  'webhooks retry': {
    usage: 'webhooks retry <webhook-id> <event-id>',
    summary: 'Try a failed delivery again',
    run: ({ ops, who, args }) => ops.webhooks.retry(who, arg(args, 0, 'webhook-id'), arg(args, 1, 'event-id')),
    text: (r: DeliveryRow) => `${r.event_id}: ${r.status}`,
  },
  'webhooks replay': {
    usage: 'webhooks replay <webhook-id> <event-id>',
    summary: 'Send a delivery again (same webhook-id), delivered ones included',
    run: ({ ops, who, args }) => ops.webhooks.replay(who, arg(args, 0, 'webhook-id'), arg(args, 1, 'event-id')),
    text: (r: DeliveryRow) => `${r.event_id}: ${r.status}`,
  },
};
