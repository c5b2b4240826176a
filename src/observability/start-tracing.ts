import { register } from 'node:module';
import { context, trace, isSpanContextValid, TraceFlags } from '@opentelemetry/api';
import { getRPCMetadata, RPCType } from '@opentelemetry/core';
import { OTLPTraceExporter as OtlpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OtlpProtobufExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { defaultResource, detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { createAddHookMessageChannel } from 'import-in-the-middle';
import { brokerInstrumentations } from './instrumentations.ts';
import { recordRequestRouteWith } from './request-route.ts';
import { readTraceIdsWith } from './trace-ids.ts';

/** The service name when OTEL_SERVICE_NAME (or `service.name` in OTEL_RESOURCE_ATTRIBUTES) does not say. */
export const DEFAULT_SERVICE_NAME = 'profile-broker';

export interface Tracing {
  /** The OTLP protocol spans are exported with, for the start-up line. */
  protocol: 'http/protobuf' | 'http/json';
  /** Exports the spans still buffered and stops exporting. */
  shutdown(): Promise<void>;
}

/**
 * Starts OpenTelemetry tracing (docs/decisions/0024). Called by main.ts before the broker's modules are imported,
 * which matters twice over: the broker is native ESM, and an ES module can only be instrumented if the loader hook
 * (import-in-the-middle) is registered before it is first imported; and the instrumented libraries (koa, ioredis,
 * mongodb) must be patched before anything holds on to them. The hook wraps only the modules the instrumentations
 * ask for (the message channel below tells the loader thread which), not every one of the broker's own files.
 *
 * Everything else is OpenTelemetry's standard configuration, read from OTEL_* variables by the SDK itself:
 * endpoint, headers, timeout, sampler (OTEL_TRACES_SAMPLER), batch sizes and delays (OTEL_BSP_*). Context travels
 * as W3C `traceparent` and baggage, the provider's defaults; OTEL_PROPAGATORS is not read (no B3 or Jaeger headers).
 */
export async function startTracing(env: NodeJS.ProcessEnv = process.env): Promise<Tracing> {
  // A protocol the broker cannot send stops it before anything is hooked.
  const protocol = otlpProtocol(env);
  const { registerOptions, waitForAllMessagesAcknowledged } = createAddHookMessageChannel();
  register('@opentelemetry/instrumentation/hook.mjs', import.meta.url, registerOptions);

  const exporter = protocol === 'http/json' ? new OtlpJsonExporter() : new OtlpProtobufExporter();
  const provider = new NodeTracerProvider({
    resource: defaultResource()
      .merge(resourceFromAttributes({ [ATTR_SERVICE_NAME]: DEFAULT_SERVICE_NAME }))
      .merge(detectResources({ detectors: [envDetector] })),
    spanProcessors: [new BatchSpanProcessor(exporter)],
  });
  // The global provider, AsyncLocalStorage context and W3C trace context (an incoming `traceparent` continues the
  // portal's or the proxy's trace).
  provider.register();
  registerInstrumentations({ tracerProvider: provider, instrumentations: brokerInstrumentations() });
  await waitForAllMessagesAcknowledged();

  readTraceIdsWith(() => {
    const span = trace.getActiveSpan()?.spanContext();
    if (!span || !isSpanContextValid(span)) return undefined;
    return {
      traceId: span.traceId,
      spanId: span.spanId,
      sampled: (span.traceFlags & TraceFlags.SAMPLED) === TraceFlags.SAMPLED,
    };
  });
  // The http instrumentation names its server span from this when the response ends (as koa's and express's
  // instrumentations do for their routers): most of the broker's routes are oidc-provider's, which koa's does not see.
  recordRequestRouteWith((route) => {
    const metadata = getRPCMetadata(context.active());
    if (metadata?.type === RPCType.HTTP) metadata.route = route;
  });
  return { protocol, shutdown: () => provider.shutdown() };
}

/**
 * The OTLP protocol, as the specification's variables choose it. `http/protobuf` is the specification's default;
 * gRPC would need a second transport stack in the image for no gain over HTTP, so it is refused with a clear line.
 */
function otlpProtocol(env: NodeJS.ProcessEnv): Tracing['protocol'] {
  const chosen = (env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? env.OTEL_EXPORTER_OTLP_PROTOCOL ?? 'http/protobuf').trim();
  if (chosen === 'http/protobuf' || chosen === 'http/json') return chosen;
  throw new TracingConfigError(
    `OTEL_EXPORTER_OTLP_PROTOCOL=${chosen} is not supported: use http/protobuf (the default) or http/json.`,
  );
}

export class TracingConfigError extends Error {
  override name = 'TracingConfigError';
}
