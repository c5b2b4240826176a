/**
 * Whether this process traces (docs/decisions/0024): only when an OTLP endpoint is configured, by the standard
 * variables an OpenTelemetry collector's documentation tells operators to set. Without one, main.ts loads no
 * OpenTelemetry module at all. `OTEL_SDK_DISABLED=true` turns it off again, as it does for any OpenTelemetry SDK.
 */
export function tracingWanted(env: NodeJS.ProcessEnv): boolean {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return false;
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim() || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim());
}
