import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../../src/config/load.ts';
import type { ConfigInput } from '../../src/config/schema.ts';
import { createApp } from '../../src/http/create-app.ts';
import type { LinkRequestDelay } from '../../src/association/request-delay.ts';
import { createServices, type Services } from '../../src/services.ts';
import type { Clock } from '../../src/shared/clock.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { waitUntil } from './wait.ts';

export interface LogLine {
  level: 'info' | 'warn' | 'error';
  event: string;
  [field: string]: unknown;
}

export interface TestBroker {
  issuer: string;
  services: Services;
  logs: LogLine[];
  close(): Promise<void>;
}

/** A portal registered for tests; its redirect URI is never fetched, the browser stops there. */
export const TEST_PORTAL = {
  client_id: 'test-portal',
  client_secret: 'test-portal-secret-0123456789abcdef',
  client_name: 'Test portal',
  redirect_uris: ['https://portal.example/cb'],
  post_logout_redirect_uris: ['https://portal.example/signed-out'],
  profile_kinds: ['customer', 'partner'],
  contract_required: true,
};

/** Whether this test file runs in a project whose brokers use Redis and MongoDB ("production stores", "redis cluster"). */
export function onSharedStores() {
  return process.env.TEST_STORES === 'shared' || process.env.TEST_STORES === 'cluster';
}

/**
 * In the "production stores" and "redis cluster" test projects, each broker gets its own MongoDB database and Redis key prefix on the
 * servers the project started, so brokers of different tests never see each other's data.
 */
function sharedStores(): ConfigInput {
  if (!onSharedStores()) return {};
  return { stores: isolatedStores(process.env.TEST_SHARED_REDIS_URL!, process.env.TEST_SHARED_MONGODB_URI!) };
}

/** Stores of a broker's own on shared servers: a fresh MongoDB database and Redis key prefix, indexes built. */
export function isolatedStores(redisUrl: string, mongodbUri: string) {
  const isolation = `t${randomBytes(5).toString('hex')}`;
  return {
    redisUrl,
    mongodbUri: mongodbUri.replace(/\/[^/]*$/, `/${isolation}`),
    redisPrefix: `${isolation}:`,
    createIndexes: true,
  };
}

/** The same, as the environment of a broker process. */
export function isolatedStoresEnv(redisUrl: string, mongodbUri: string): Record<string, string> {
  const stores = isolatedStores(redisUrl, mongodbUri);
  return {
    REDIS_URL: stores.redisUrl,
    REDIS_PREFIX: stores.redisPrefix,
    MONGODB_URI: stores.mongodbUri,
    CREATE_INDEXES: 'true',
  };
}

/** An HTTP Basic Authorization header value, as clients authenticate at /token. */
export function basicAuth(id: string, secret: string): string {
  return `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;
}

/**
 * The broker's own logger (pino, with its redaction), writing every line, whatever the configured level, into `logs`
 * as parsed JSON: what a test reads is what an operator's log shipper would get.
 */
export function capturingLogger(logs: LogLine[]) {
  return createLogger('info', { write: (line: string) => void logs.push(JSON.parse(line) as LogLine) });
}

/**
 * The real broker (the same composition root `npm start` uses) on an ephemeral loopback port, with the embedded
 * demo's development upstream and seeded directory, plus TEST_PORTAL. Logs are captured for assertions.
 */
export async function startBroker(
  overrides: ConfigInput = {},
  options: { clock?: Clock; issuer?: (port: number) => string; linkRequestDelay?: LinkRequestDelay } = {},
): Promise<TestBroker> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const issuer = options.issuer?.(port) ?? `http://127.0.0.1:${port}`;

  const logs: LogLine[] = [];
  const logger = capturingLogger(logs);

  let services: Services;
  try {
    const config = loadConfig(
      {},
      {
        env: 'test',
        port,
        issuer,
        logLevel: 'silent',
        clients: [TEST_PORTAL],
        ...sharedStores(),
        ...overrides,
        // The demo's webhook inbox would turn every test's events into webhook deliveries: on only where asked for.
        demo: { webhookInbox: false, ...(overrides.demo as object | undefined) },
      },
    );
    // A link request's work starts at once unless the test measures timing and asks for the deployed random delay:
    // the delay hides nothing from a test, and waiting it out for every link is most of an association test's time.
    services = await createServices(config, {
      logger,
      clock: options.clock,
      linkRequestDelay: options.linkRequestDelay ?? (() => 0),
    });
  } catch (err) {
    server.close();
    throw err;
  }
  server.on('request', createApp(services).callback());
  // On the project's shared stores, a store slow to answer at start (a busy machine; a cluster still settling) makes
  // the broker start anyway and answer 503 until the retry in the background succeeds, as designed (the faults
  // suite, which passes stores of its own, tests that). Any other test waits for the retry instead of meeting a 503.
  if (!overrides.stores && onSharedStores()) {
    const pending = () => {
      const events = new Set(logs.map((line) => line.event));
      return (
        (events.has('clients.registration_deferred') && !events.has('clients.registered')) ||
        (events.has('mongo.start_failed') && !events.has('mongo.started'))
      );
    };
    await waitUntil(() => !pending(), 60_000, "the broker's stores to answer after a slow start").catch(
      async (err: unknown) => {
        await services.close();
        server.close();
        throw err;
      },
    );
  }

  return {
    issuer,
    services,
    logs,
    async close() {
      // A 500 is a bug whatever the test asserts: its cause goes to the test's output, so a failure that shows
      // "got 500 … Reference: …" in CI comes with the error behind that reference. Configured clients written late
      // (a store slow at start) explain a "client is invalid" where a test expected its portal.
      for (const line of logs) {
        if (line.event === 'http.error' && line.status === 500)
          // eslint-disable-next-line no-console -- the cause of a 500, for whoever reads a failed run
          console.warn(`broker answered 500: ${JSON.stringify(line)}`);
        if (line.event === 'clients.registration_deferred')
          // eslint-disable-next-line no-console -- why a test's portal was missing, for whoever reads a failed run
          console.warn(`configured clients not yet written: ${JSON.stringify(line)}`);
      }
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await services.close();
    },
  };
}
