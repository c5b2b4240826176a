import { table, UsageError, type Command } from './command-kit.ts';

type FailedMailRow = {
  id: string;
  reference: string;
  kind: string;
  attempts: number;
  last_error: string;
  failed_at: string;
};

const requeuedText = (r: { requeued: FailedMailRow[] }) =>
  r.requeued.length
    ? `requeued ${r.requeued.length}: ${r.requeued.map((m) => `${m.id} (${m.reference})`).join(', ')}`
    : 'no failed mail to requeue';

/** The `mail` commands (admin:support in the API): email that failed every attempt. */
export const mailCommands: Record<string, Command> = {
  'mail failed': {
    usage: 'mail failed',
    summary: 'List email that failed every attempt (or was refused for good), and how many are still on their way',
    run: ({ ops }) => ops.mail.failed(),
    text: (r: { failed: FailedMailRow[]; pending: number }) =>
      `${table(r.failed, ['id', 'reference', 'kind', 'attempts', 'failed_at', 'last_error'])}\n${r.pending} waiting to be sent`,
  },
  'mail requeue': {
    usage: 'mail requeue <mail-id> | --all',
    summary: 'Send a failed email again (or every one, --all) with a fresh round of attempts',
    run: ({ ops, who, args, options }) => {
      if (options.all === true) {
        if (args.length) throw new UsageError('give either <mail-id> or --all');
        return ops.mail.requeueAll(who);
      }
      if (!args[0]) throw new UsageError('<mail-id> or --all is required');
      return ops.mail.requeue(who, args[0]);
    },
    text: requeuedText,
  },
};
