import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface ReceivedWebhook {
  id: string;
  headers: IncomingHttpHeaders;
  body: string;
  payload: { type: string; timestamp: string; data: Record<string, unknown> };
  /** Whether the signature verified with the secret the receiver was given (standardwebhooks' own check). */
  verified: boolean;
}

/**
 * A real HTTP receiver on a loopback port, as a portal would run one: it verifies each request with the Standard
 * Webhooks library and answers as told (`answer`: 204, or a failure status; `hangMs` holds the answer back). It can
 * be stopped and started again on the same port, like a receiver that is down for a while.
 */
export async function startWebhookReceiver() {
  const received: ReceivedWebhook[] = [];
  // Every request, answered well or not: [webhook-id, status answered].
  const requests: [string, number][] = [];
  let secret = '';
  let answer = 204;
  let hangMs = 0;
  let server: Server | undefined;
  let port = 0;

  const handle = (server: Server) =>
    server.on('request', (request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const verified = (() => {
          try {
            new Webhook(secret).verify(body, request.headers as Record<string, string>);
            return true;
          } catch {
            return false;
          }
        })();
        const status = answer;
        requests.push([String(request.headers['webhook-id']), status]);
        if (status >= 200 && status < 300)
          received.push({
            id: String(request.headers['webhook-id']),
            headers: request.headers,
            body,
            payload: JSON.parse(body) as ReceivedWebhook['payload'],
            verified,
          });
        setTimeout(() => {
          response.statusCode = status;
          response.end();
        }, hangMs);
      });
    });

  const start = async () => {
    server = handle(createServer());
    await new Promise<void>((resolve) => server!.listen(port, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  };
  const stop = async () => {
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server!.close(() => resolve()));
    server = undefined;
  };
  await start();
  return {
    url: () => `http://127.0.0.1:${port}/hooks`,
    received,
    requests,
    useSecret: (value: string) => void (secret = value),
    answerWith: (status: number, delayMs = 0) => {
      answer = status;
      hangMs = delayMs;
    },
    start,
    stop,
    ofType: (type: string) => received.filter((r) => r.payload.type === type),
  };
}

export type WebhookReceiver = Awaited<ReturnType<typeof startWebhookReceiver>>;
