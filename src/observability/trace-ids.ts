/**
 * The trace a log line or an error answer belongs to. This file imports nothing from OpenTelemetry: the logger and
 * the error handler ask it on every line and every error, and without tracing (the default) the answer is always
 * "none" at no cost. start-tracing.ts, loaded only when tracing is on, installs the reader of the active span.
 * Module state, unlike the rest of the broker (docs/architecture.md §1): tracing is per process, as OpenTelemetry's
 * global provider and context are, and is started before the broker's modules exist.
 */
export interface TraceIds {
  traceId: string;
  spanId: string;
  /** Whether the trace is recorded and exported: an unsampled trace id is in no backend to look up. */
  sampled: boolean;
}

let reader: () => TraceIds | undefined = () => undefined;

/** The trace and span being handled now, or undefined (tracing off, or outside any span). */
export function currentTraceIds(): TraceIds | undefined {
  return reader();
}

/** Called once by start-tracing.ts. */
export function readTraceIdsWith(read: () => TraceIds | undefined): void {
  reader = read;
}

/** The fields a log line gets while a span is active: the names OpenTelemetry's log data model uses. */
export function traceLogFields(): Record<string, string> {
  const ids = reader();
  return ids ? { trace_id: ids.traceId, span_id: ids.spanId } : {};
}
