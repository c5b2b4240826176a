import { createServer } from 'node:http';
import { loadConfig } from './config/load.ts';
import { usesMemoryStores } from './config/schema.ts';
import { createApp } from './http/create-app.ts';
import { answerUnparsableMethods } from './http/unknown-methods.ts';
import { createServices } from './services.ts';
import { ConfigError } from './shared/errors.ts';
import { createGracefulShutdown } from './shared/graceful-shutdown.ts';
import { createLogger } from './shared/logger.ts';
import { runCommand } from './cli/commands.ts';
import { adminSocketPath, serveAdminSocket } from './cli/control-socket.ts';
import { commandLanguage } from './cli/terminal-language.ts';
import { operatorActor } from './clients/admin-scopes.ts';
import { messageFor } from './http/error-handler.ts';
import type { Tracing } from './observability/start-tracing.ts';
import type { PreloadHook } from './services.ts';

/**
 * load config → create services → create the HTTP app → listen; stop gracefully on SIGTERM/SIGINT
 * (shared/graceful-shutdown.ts). `tracing` is what main.ts started, if anything: its last spans leave before exit.
 */
export async function runBroker(options: { tracing?: Tracing; preload?: PreloadHook } = {}) {
  const { tracing, preload } = options;
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const logger = createLogger(config.logLevel);
  // Metrics exist only with a management port to read them on (observability/metrics-server.ts); prom-client is
  // not even loaded otherwise.
  const metrics =
    config.metrics.port === undefined
      ? undefined
      : (await import('./observability/prometheus-metrics.ts')).createPrometheusMetrics();
  const services = await createServices(config, {
    logger,
    ...(metrics ? { metrics } : {}),
    // Benchmarks only (test/bench/preloaded-broker.ts): stores filled before the broker listens.
    ...(preload ? { preload } : {}),
  }).catch((err: unknown) => {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  });
  const app = createApp({ ...services, stopping: () => shutdown.stopping });
  const server = createServer(app.callback());
  // Bounded request handling: slow clients cannot hold sockets forever.
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  // An idle keep-alive connection is closed by the client or the proxy in front, not by the broker: closing first
  // (Node's default is 5 s) races a request the other side is sending on it, which then fails with a reset. 65 s is
  // above the idle timeout of common load balancers (60 s) and of HTTP clients (undici: 4 s).
  server.keepAliveTimeout = 65_000;
  answerUnparsableMethods(server);
  server.listen(config.port, () => {
    logger.info('broker.listening', {
      issuer: config.issuer,
      port: config.port,
      demo: config.demo.enabled,
      // Whether OpenTelemetry was loaded at all (main.ts): an operator expecting traces sees here why none arrive.
      tracing: tracing ? tracing.protocol : 'off',
    });
    if (config.demo.enabled) process.stdout.write(`\nProfile broker demo running: open ${config.issuer}/\n\n`);
  });

  const metricsServer = metrics
    ? await (
        await import('./observability/metrics-server.ts')
      )
        .serveMetrics(metrics.registry, { port: config.metrics.port!, host: config.metrics.host })
        .catch((err: Error) => {
          process.stderr.write(`METRICS_PORT ${config.metrics.port}: cannot listen: ${err.message}\n`);
          process.exit(2);
        })
    : undefined;
  if (metricsServer) {
    const address = metricsServer.address();
    logger.info('metrics.listening', { port: typeof address === 'object' && address ? address.port : undefined });
  }

  // With memory stores, this process holds the data: `npm run admin` reaches it through a local socket.
  const adminSocket = usesMemoryStores(config)
    ? await serveAdminSocket(adminSocketPath(config), (request) =>
        runCommand(
          services.admin,
          operatorActor(request.operator),
          request.argv,
          (error) =>
            messageFor(services.views, error, true, commandLanguage(services.views.catalogue, request.language)),
          config.directory.profileKinds,
        ),
      ).catch((err: Error) => {
        logger.warn('admin.socket_unavailable', { path: adminSocketPath(config), message: err.message });
        return undefined;
      })
    : undefined;

  const shutdown = createGracefulShutdown({
    server,
    logger,
    graceSeconds: config.shutdown.graceSeconds,
    timeoutSeconds: config.shutdown.timeoutSeconds,
    stopBackground: () => services.stopBackground(),
    // The metrics listener goes last, with the stores: a scrape during the drain still sees the node stopping.
    closeStores: async () => {
      await services.close();
      metricsServer?.closeAllConnections();
      await new Promise<void>((resolve) => (metricsServer ? metricsServer.close(() => resolve()) : resolve()));
    },
    ...(tracing ? { flushTraces: () => tracing.shutdown() } : {}),
    exit: (code) => process.exit(code),
  });
  const stop = (signal: string) => {
    adminSocket?.close();
    void shutdown.stop(signal);
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}
