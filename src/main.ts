// `node src/main.ts`: the Node.js version is checked before anything else is even loaded, so that an old Node.js
// stops with one clear line (exit code 2) rather than an error from deep inside a library. Tracing starts next,
// when configured, because it must be in place before the broker's libraries are imported (observability/
// start-tracing.ts); without OTEL_EXPORTER_OTLP_ENDPOINT no OpenTelemetry module is loaded at all. The broker
// itself is run-broker.ts: load config → create services → create the HTTP app → listen.
import { stopOnOldNode } from './shared/node-version.ts';
import { tracingWanted } from './observability/tracing-switch.ts';

stopOnOldNode();
let tracing;
if (tracingWanted(process.env)) {
  const { startTracing, TracingConfigError } = await import('./observability/start-tracing.ts');
  tracing = await startTracing().catch((err: unknown) => {
    if (!(err instanceof TracingConfigError)) throw err;
    process.stderr.write(`${err.message}\n`);
    process.exit(2);
  });
}
const { runBroker } = await import('./run-broker.ts');
await runBroker({ tracing });
