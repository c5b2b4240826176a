import type { ClientMetadata } from 'oidc-provider';
import { clientInput, toMetadata } from '../clients/client-input.ts';
import { parseInput } from '../shared/parse-input.ts';
import { required, arg, str, table, fields, readJsonFile, type Command } from './command-kit.ts';

/** The `clients` commands (admin:clients in the API). */
export const clientCommands: Record<string, Command> = {
  'clients list': {
    usage: 'clients list',
    summary: 'List the registered clients',
    run: async ({ ops }) => ({ clients: await ops.clients.list() }),
    text: (r: {
      clients: { client_id: string; status: string; source: string; metadata: { client_name?: string } }[];
    }) =>
      table(
        r.clients.map((c) => ({ ...c, name: c.metadata.client_name })),
        ['client_id', 'status', 'source', 'name'],
      ),
  },
  'clients show': {
    usage: 'clients show <client-id>',
    summary: 'Show a client (never its secret)',
    run: ({ ops, args }) => ops.clients.get(arg(args, 0, 'client-id')),
    text: (r: Record<string, unknown>) => fields(r),
  },
  'clients create': {
    usage: 'clients create --file <metadata.json>',
    summary: 'Register a client; its secret is printed once',
    run: ({ ops, who, options }) =>
      ops.clients.register(
        who,
        toMetadata(parseInput(clientInput, readJsonFile(required(options.file, 'file')), 'client')) as ClientMetadata,
      ),
    text: (r: { client: { client_id: string }; client_secret?: string }) =>
      `created ${r.client.client_id}${r.client_secret ? `\nclient_secret: ${r.client_secret}\n(shown once: store it now)` : ''}`,
  },
  'clients update': {
    usage: 'clients update <client-id> --file <metadata.json>',
    summary: "Replace a client's metadata and policy (its secret stays)",
    run: ({ ops, who, args, options }) => {
      const { client_id: _ignored, ...input } = parseInput(
        clientInput,
        readJsonFile(required(options.file, 'file')),
        'client',
      );
      return ops.clients.update(who, arg(args, 0, 'client-id'), toMetadata(input) as ClientMetadata);
    },
    text: (r: { client_id: string }) => `updated ${r.client_id}`,
  },
  'clients disable': {
    usage: 'clients disable <client-id> [--reason <text>]',
    summary: 'Disable a client on every node at once',
    run: ({ ops, who, args, options }) =>
      ops.clients.setStatus(who, arg(args, 0, 'client-id'), 'disabled', str(options.reason)),
    text: (r: { client_id: string; status: string }) => `${r.client_id}: ${r.status}`,
  },
  'clients enable': {
    usage: 'clients enable <client-id> [--reason <text>]',
    summary: 'Enable a client again',
    run: ({ ops, who, args, options }) =>
      ops.clients.setStatus(who, arg(args, 0, 'client-id'), 'active', str(options.reason)),
    text: (r: { client_id: string; status: string }) => `${r.client_id}: ${r.status}`,
  },
  'clients delete': {
    usage: 'clients delete <client-id>',
    summary: 'Delete a client',
    run: async ({ ops, who, args }) => {
      await ops.clients.remove(who, arg(args, 0, 'client-id'));
      return { deleted: args[0] };
    },
    text: (r: { deleted: string }) => `deleted ${r.deleted}`,
  },
  'clients rotate-secret': {
    usage: 'clients rotate-secret <client-id>',
    summary: 'Give a client a new secret (printed once); the old one stops working',
    run: ({ ops, who, args }) => ops.clients.rotateSecret(who, arg(args, 0, 'client-id')),
    text: (r: { client: { client_id: string }; client_secret: string }) =>
      `new secret for ${r.client.client_id}\nclient_secret: ${r.client_secret}\n(shown once: store it now)`,
  },
};
